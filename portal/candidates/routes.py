from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.services import AccountError, send_invitation
from portal.candidates import bp
from portal.candidates.forms import CandidateForm
from portal.candidates.services import (
    CandidateError,
    create_candidate,
    list_rows,
    update_candidate,
)
from portal.extensions import db
from portal.interviews.forms import ListFilterForm
from portal.interviews.services import CANDIDATE_SORTS, candidate_query, interviewers
from portal.models import Candidate, Interview, Position, Referral, Stage
from portal.paging import paginate
from portal.permissions import ERASED_MESSAGE, is_erased


@bp.route("/")
def index():
    filters = ListFilterForm(request.args)
    filters.set_options(interviewers(), CANDIDATE_SORTS)
    filters.validate()
    query = candidate_query(filters.to_filters())
    page = paginate(query, per_page=25)
    return render_template(
        "candidates/index.html", page=page, rows=list_rows(page.items), filters=filters
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CandidateForm()
    if form.validate_on_submit():
        try:
            candidate = create_candidate(
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                headline=form.headline.data,
                actor=current_user._get_current_object(),
                invite=form.send_invitation.data,
            )
        except CandidateError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            invited = " and invited by email" if form.send_invitation.data else ""
            flash(f"{candidate.name} was added{invited}.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=None)


@bp.route("/<int:candidate_id>")
def detail(candidate_id: int):
    candidate = db.first_or_404(
        select(Candidate)
        .where(Candidate.id == candidate_id)
        .options(
            selectinload(Candidate.interviews)
            .joinedload(Interview.position)
            .joinedload(Position.company),
            selectinload(Candidate.interviews).joinedload(Interview.interviewer),
            selectinload(Candidate.interviews).selectinload(Interview.feedback),
        )
    )
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
    candidate = db.get_or_404(Candidate, candidate_id)
    if is_erased(candidate):
        flash(ERASED_MESSAGE, "error")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    form = CandidateForm(obj=candidate)
    del form.send_invitation
    if form.validate_on_submit():
        try:
            update_candidate(
                candidate,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                headline=form.headline.data,
                actor=current_user._get_current_object(),
            )
        except CandidateError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Candidate saved.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=candidate)


@bp.route("/<int:candidate_id>/invite", methods=["POST"])
def invite(candidate_id: int):
    candidate = db.get_or_404(Candidate, candidate_id)
    try:
        send_invitation(candidate, current_user._get_current_object())
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"An invitation was emailed to {candidate.email}.", "success")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id))
