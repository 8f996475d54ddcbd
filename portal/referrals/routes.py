"""Proposing referrals and leads, suggesting contacts, and a recruiter's own list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import case, or_, select

from portal.extensions import db
from portal.forms import id_arg
from portal.models import STAFF, Candidate, Company, Referral
from portal.paging import paginate
from portal.permissions import ERASED_MESSAGE, allow, can_propose_for, can_view_candidate, load, me
from portal.referrals import bp, ownership, partners, services
from portal.referrals.board import with_display
from portal.referrals.forms import ProposalForm, SuggestContactForm
from portal.referrals.pipeline import OPEN_STATUSES
from portal.release_check.screening import finding_key
from portal.unit_of_work import Outcome, attempt


@bp.route("/referrals")
@allow(*STAFF)
def mine():
    """The signed-in recruiter's proposals and the items they own, open ones first."""
    user = me()
    query = with_display(
        select(Referral).where(
            or_(Referral.proposed_by_id == user.id, Referral.owner_id == user.id)
        )
    ).order_by(
        case((Referral.status.in_(OPEN_STATUSES), 0), else_=1),
        Referral.follow_up_on.is_(None),
        Referral.follow_up_on,
        Referral.status_changed_at.desc(),
        Referral.id.desc(),
    )
    page = paginate(query, per_page=25)
    return render_template("referrals/mine.html", page=page, is_overdue=ownership.is_overdue)


@bp.route("/referrals/new", methods=["GET", "POST"])
@allow(*STAFF)
def new():
    candidate_id, feedback_id = id_arg("candidate"), id_arg("feedback")
    candidate = load(Candidate, candidate_id, can_view_candidate) if candidate_id else None
    if candidate is None or not can_propose_for(me(), candidate):
        return _nothing_to_propose_for(candidate)
    feedback = None
    if feedback_id is not None:
        feedback = services.candidate_feedback(candidate, feedback_id) or abort(404)
    form = ProposalForm()
    form.set_options(partners.pickable_contacts(), partners.lead_companies())
    outcome = Outcome()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            referral = services.propose(
                candidate,
                form.to_proposal(feedback_id),
                actor=me(),
                acknowledged=form.acknowledge.data,
            )
        if not outcome.refused:
            flash(f"Proposed. An admin approves it before {candidate.name} sees it.", "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
    elif request.method == "POST":
        _show_every_problem(form, candidate, feedback_id)
    return _proposal_page(form, candidate, feedback, outcome)


def _nothing_to_propose_for(candidate: Candidate | None):
    if candidate is None:
        flash("Open a candidate first, then propose a referral or lead from their page.", "info")
        return redirect(url_for("candidates.index"))
    flash(ERASED_MESSAGE, "error")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id))


def _show_every_problem(form: ProposalForm, candidate: Candidate, feedback_id: int | None) -> None:
    """Show the service's problems beside the form's, not only once those are fixed."""
    if form.kind.data is not None and not form.kind.errors:
        proposal = form.to_proposal(feedback_id)
        form.show_problems(services.proposal_problems(candidate, proposal, actor=me()))
    flash("Some answers need your attention; nothing you typed was lost.", "error")


def _proposal_page(form: ProposalForm, candidate: Candidate, feedback, outcome: Outcome):
    error = outcome.error
    return render_template(
        "referrals/new.html",
        form=form,
        candidate=candidate,
        feedback=feedback,
        duplicate=error.existing if isinstance(error, services.DuplicateError) else None,
        findings=getattr(error, "findings", None) or [],
        finding_key=finding_key,
        acknowledged=form.acknowledge.data,
        has_contacts=len(form.contact_id.choices) > 1,
    )


@bp.route("/referrals/contacts/suggest", methods=["GET", "POST"])
@allow(*STAFF)
def suggest_contact():
    back = {k: v for k in ("candidate", "feedback") if (v := id_arg(k)) is not None}
    form = SuggestContactForm()
    form.set_options(partners.active_partners())
    if form.validate_on_submit():
        company = db.session.get(Company, form.company_id.data) or abort(404)
        with attempt(form) as outcome:
            contact = partners.suggest_contact(company, form.to_input(), actor=me())
        if not outcome.refused:
            flash(_suggested(contact), "success")
            return redirect(
                url_for("referrals.new", **back)
                if "candidate" in back
                else url_for("referrals.mine")
            )
    elif request.method == "POST":
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    return render_template("referrals/suggest_contact.html", form=form, back=back)


def _suggested(contact) -> str:
    if contact.confirmed:
        return f"{contact.name} was added and can be picked now."
    return (
        f"Thank you: {contact.name} was suggested. An admin confirms new contacts "
        "before they can be picked."
    )
