from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.services import send_invitation
from portal.cache import cached_page, staff_page
from portal.candidates import bp
from portal.candidates.forms import CandidateForm
from portal.candidates.services import create_candidate, list_rows, update_candidate
from portal.extensions import db
from portal.interviews.forms import ListFilterForm
from portal.interviews.services import CANDIDATE_SORTS, candidate_query, interviewers
from portal.models import Candidate, Interview, Position, Referral, Stage
from portal.paging import paginate
from portal.permissions import (
    ERASED_MESSAGE,
    can_change_candidate,
    can_view_candidate,
    load,
    me,
)
from portal.unit_of_work import attempt

CANDIDATE_PAGE = (
    selectinload(Candidate.interviews).joinedload(Interview.position).joinedload(Position.company),
    selectinload(Candidate.interviews).joinedload(Interview.interviewer),
    selectinload(Candidate.interviews).selectinload(Interview.feedback),
)


@bp.route("/")
@cached_page(staff_page)
def index():
    filters = ListFilterForm(request.args)
    filters.set_options(interviewers(), CANDIDATE_SORTS)
    filters.validate()
    page = paginate(candidate_query(filters.to_filters()), per_page=25)
    return render_template(
        "candidates/index.html", page=page, rows=list_rows(page.items), filters=filters
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CandidateForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            candidate = create_candidate(
                **_profile(form), actor=me(), invite=form.send_invitation.data
            )
        if not outcome.refused:
            invited = " and invited by email" if form.send_invitation.data else ""
            flash(f"{candidate.name} was added{invited}.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=None)


@bp.route("/<int:candidate_id>")
def detail(candidate_id: int):
    candidate = load(Candidate, candidate_id, can_view_candidate, *CANDIDATE_PAGE)
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.candidate_id == candidate.id)
        .options(joinedload(Referral.company), joinedload(Referral.contact))
        .order_by(Referral.id.desc())
    ).all()
    return render_template(
        "candidates/detail.html", candidate=candidate, stages=list(Stage), referrals=referrals
    )


@bp.route("/<int:candidate_id>/edit", methods=["GET", "POST"])
def edit(candidate_id: int):
    candidate = load(Candidate, candidate_id, can_view_candidate)
    if not can_change_candidate(me(), candidate):
        flash(ERASED_MESSAGE, "error")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    form = CandidateForm(obj=candidate)
    del form.send_invitation
    if form.validate_on_submit():
        with attempt(form) as outcome:
            update_candidate(candidate, **_profile(form), actor=me())
        if not outcome.refused:
            flash("Candidate saved.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=candidate)


def _profile(form: CandidateForm) -> dict:
    return {
        "name": form.name.data,
        "email": form.email.data,
        "phone": form.phone.data,
        "headline": form.headline.data,
    }


@bp.route("/<int:candidate_id>/invite", methods=["POST"])
def invite(candidate_id: int):
    candidate = load(Candidate, candidate_id, can_view_candidate)
    with attempt() as outcome:
        send_invitation(candidate, me())
    if not outcome.refused:
        flash(f"An invitation was emailed to {candidate.email}.", "success")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id))
