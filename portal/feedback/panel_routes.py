"""The panel's pages: the debrief, and starting the panel's feedback from it."""

from flask import redirect, render_template, url_for
from sqlalchemy.orm import joinedload, selectinload

from portal.feedback import bp, panel
from portal.models import Feedback, Interview, PanelMember, Position
from portal.permissions import (
    can_debrief,
    can_see_panel_scores,
    can_write_panel_feedback,
    load,
    me,
)
from portal.unit_of_work import attempt

DEBRIEF_PAGE = (
    joinedload(Interview.candidate),
    joinedload(Interview.position).joinedload(Position.company),
    joinedload(Interview.interviewer),
    selectinload(Interview.panel).joinedload(PanelMember.user),
    selectinload(Interview.feedback).selectinload(Feedback.ratings),
    selectinload(Interview.feedback).joinedload(Feedback.author),
)


@bp.route("/interviews/<int:interview_id>/debrief")
def debrief(interview_id: int):
    interview = load(Interview, interview_id, can_debrief, *DEBRIEF_PAGE)
    see = can_see_panel_scores(me(), interview)
    summary = panel.debrief(interview) if see else None
    return render_template(
        "feedback/debrief.html",
        interview=interview,
        see_scores=see,
        debrief=summary,
        seats=panel.seats(interview),
        voice=panel.panel_feedback(interview),
        tally=panel.tally,
        questions={q.key: q for q in summary.definition.questions} if summary else {},
    )


@bp.route("/interviews/<int:interview_id>/panel-feedback", methods=["POST"])
def start_panel(interview_id: int):
    interview = load(Interview, interview_id, can_write_panel_feedback, *DEBRIEF_PAGE)
    with attempt() as outcome:
        feedback = panel.start_panel_feedback(interview, me())
    if outcome.refused:
        return redirect(url_for("feedback.debrief", interview_id=interview_id))
    return redirect(url_for("feedback.edit", feedback_id=feedback.id))
