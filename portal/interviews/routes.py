from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.cache import cached_page, staff_page
from portal.extensions import db
from portal.feedback import panel
from portal.feedback.services import overall_score
from portal.forms import id_arg
from portal.interviews import bp, services
from portal.interviews.forms import InterviewForm, ListFilterForm
from portal.models import (
    Candidate,
    Feedback,
    FeedbackKind,
    FeedbackRevision,
    Interview,
    PanelMember,
    Position,
)
from portal.paging import paginate
from portal.permissions import (
    ERASED_MESSAGE,
    can_change_interview,
    can_manage_panel,
    can_see_panel_scores,
    can_view_interview,
    load,
    me,
)
from portal.unit_of_work import attempt

INTERVIEW_PAGE = (
    joinedload(Interview.candidate),
    joinedload(Interview.position).joinedload(Position.company),
    joinedload(Interview.interviewer),
    selectinload(Interview.panel).joinedload(PanelMember.user),
    selectinload(Interview.feedback).joinedload(Feedback.author),
    selectinload(Interview.feedback).selectinload(Feedback.ratings),
    selectinload(Interview.feedback).selectinload(Feedback.skill_ratings),
    selectinload(Interview.feedback).joinedload(Feedback.template_version),
    # Released scores are frozen with their revision (overall_score reads them).
    selectinload(Interview.feedback)
    .selectinload(Feedback.revisions)
    .load_only(FeedbackRevision.number, FeedbackRevision.score),
)


EDIT_PAGE = (
    joinedload(Interview.candidate),
    selectinload(Interview.panel).joinedload(PanelMember.user),
    selectinload(Interview.feedback).load_only(Feedback.state, Feedback.author_id, Feedback.kind),
)


@bp.route("/")
@cached_page(staff_page)
def index():
    filters = ListFilterForm(request.args)
    filters.set_options(services.interviewers(), services.INTERVIEW_SORTS)
    filters.validate()
    query = services.interview_query(filters.to_filters()).options(
        joinedload(Interview.candidate),
        joinedload(Interview.position).joinedload(Position.company),
        joinedload(Interview.interviewer),
        selectinload(Interview.feedback).load_only(Feedback.state),  # the list shows states
    )
    page = paginate(query, per_page=25)
    return render_template("interviews/index.html", page=page, filters=filters)


@bp.route("/new", methods=["GET", "POST"])
def new():
    candidate_id = id_arg("candidate")
    return _interview_form(None, candidate_id=candidate_id)


@bp.route("/<int:interview_id>/edit", methods=["GET", "POST"])
def edit(interview_id: int):
    interview = load(Interview, interview_id, can_view_interview, *EDIT_PAGE)
    if not can_change_interview(me(), interview):
        flash(ERASED_MESSAGE, "error")
        return redirect(url_for("interviews.detail", interview_id=interview.id))
    return _interview_form(interview)


def _interview_form(interview: Interview | None, candidate_id: int | None = None):
    form = InterviewForm(obj=interview)
    form.panel_locked = interview is not None and not can_manage_panel(me(), interview)
    if request.method == "GET":
        form.panel_ids.data = [m.user_id for m in interview.panel] if interview else [me().id]
    if interview is None and request.method == "GET":
        form.candidate_id.data = candidate_id
        form.interviewer_id.data = me().id
    form.set_options(
        db.session.scalars(
            select(Candidate).where(Candidate.erased_at.is_(None)).order_by(Candidate.name)
        ),
        db.session.scalars(
            select(Position).options(joinedload(Position.company)).order_by(Position.title)
        ),
        services.interviewers(),
    )
    if form.validate_on_submit():
        with attempt(form) as outcome:
            saved = services.save_interview(interview, actor=me(), **_schedule(form))
        if not outcome.refused:
            flash("Interview saved.", "success")
            return redirect(url_for("interviews.detail", interview_id=saved.id))
        if interview is not None:  # what the refused attempt changed was rolled back
            interview = load(Interview, interview.id, can_view_interview, *EDIT_PAGE)
    return render_template("interviews/form.html", form=form, interview=interview)


def _schedule(form: InterviewForm) -> dict:
    names = ("candidate_id", "position_id", "interviewer_id", "stage", "format")
    names += ("scheduled_at", "location", "panel_ids", "duration_minutes")
    values = {name: form[name].data for name in names}
    if form.panel_locked:
        values["panel_ids"] = None  # fixed since release: kept as it is
    return values


@bp.route("/<int:interview_id>")
def detail(interview_id: int):
    interview = load(Interview, interview_id, can_view_interview, *INTERVIEW_PAGE)
    user, see_scores = me(), can_see_panel_scores(me(), interview)
    members = [f for f in interview.feedback if f.kind is FeedbackKind.MEMBER]
    mine = next((f for f in members if f.author_id == user.id), None)
    shown = [f for f in members if see_scores or f.author_id == user.id]
    return render_template(
        "interviews/detail.html",
        interview=interview,
        mine=mine,
        shown=shown,
        see_scores=see_scores,
        seats=panel.seats(interview),
        panelled=panel.is_panel(interview),
        voice=panel.panel_feedback(interview),
        scores={f.id: overall_score(f) for f in shown},
    )
