"""Proposing referrals and leads, suggesting contacts, and a recruiter's own list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import case, or_, select

from portal.extensions import db
from portal.feedback.screening import finding_key
from portal.forms import id_arg
from portal.models import Candidate, Company, Referral
from portal.paging import paginate
from portal.referrals import bp, ownership, partners, services
from portal.referrals.access import STAFF, allow, me
from portal.referrals.board import with_display
from portal.referrals.forms import ProposalForm, SuggestContactForm
from portal.referrals.pipeline import OPEN_STATUSES, ReferralError


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
    if candidate_id is None:
        flash("Open a candidate first, then propose a referral or lead from their page.", "info")
        return redirect(url_for("candidates.index"))
    candidate = db.get_or_404(Candidate, candidate_id)
    if candidate.erased_at is not None:
        abort(404)
    feedback = None
    if feedback_id is not None:
        feedback = services.candidate_feedback(candidate, feedback_id) or abort(404)
    form = ProposalForm()
    form.set_options(partners.pickable_contacts(), partners.lead_companies())
    duplicate, findings = None, []
    if form.validate_on_submit():
        try:
            referral = services.propose(
                candidate,
                form.to_proposal(feedback_id),
                actor=me(),
                acknowledged=form.acknowledge.data,
            )
        except services.ReferralFindings as exc:
            db.session.rollback()
            findings = exc.findings
            flash(str(exc), "warning")
        except services.DuplicateError as exc:
            db.session.rollback()
            duplicate = exc.existing
        except services.ProposalError as exc:
            db.session.rollback()
            form.show_problems(exc.problems)
        except ReferralError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Proposed. An admin approves it before {candidate.name} sees it.", "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
    elif request.method == "POST":
        if form.kind.data is not None and not form.kind.errors:
            # Show every problem at once, not the service's only after the form's are fixed.
            proposal = form.to_proposal(feedback_id)
            form.show_problems(services.proposal_problems(candidate, proposal, actor=me()))
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    return render_template(
        "referrals/new.html",
        form=form,
        candidate=candidate,
        feedback=feedback,
        duplicate=duplicate,
        findings=findings,
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
        try:
            contact = partners.suggest_contact(company, form.to_input(), actor=me())
        except ReferralError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            if contact.confirmed:
                flash(f"{contact.name} was added and can be picked now.", "success")
            else:
                flash(
                    f"Thank you: {contact.name} was suggested. An admin confirms new contacts "
                    "before they can be picked.",
                    "success",
                )
            if "candidate" in back:
                return redirect(url_for("referrals.new", **back))
            return redirect(url_for("referrals.mine"))
    elif request.method == "POST":
        flash("Some answers need your attention; nothing you typed was lost.", "error")
    return render_template("referrals/suggest_contact.html", form=form, back=back)
