from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import audit, calendar, tokens
from portal.answers import services as answers
from portal.answers.forms import AnswerForm, MessageForm, ThreadForm
from portal.cache import cached_page, candidate_page
from portal.candidate_portal import bp, services
from portal.models import Feedback, Gain
from portal.permissions import me
from portal.privacy.services import export_candidate
from portal.reports.queries import build_interview_report
from portal.unit_of_work import attempt


def _own_feedback(feedback_id: int) -> Feedback:
    found = services.released_feedback_for(current_user, feedback_id)
    if found is None:
        abort(404)  # not released, or not theirs: the same answer either way
    return found


@bp.route("/my/feedback/<int:feedback_id>")
@cached_page(candidate_page, by_minute=True)  # whether "your say" is still open
def feedback(feedback_id: int):
    return _feedback_page(_own_feedback(feedback_id))


def _feedback_page(
    found: Feedback,
    *,
    answer_form: AnswerForm | None = None,
    thread_form: ThreadForm | None = None,
    message_form: MessageForm | None = None,
    message_thread: int | None = None,
    status: int = 200,
):
    """The released feedback with "Your say": the forms as typed when one was refused."""
    say = services.say_for(found)
    return render_template(
        "candidate_portal/feedback.html",
        feedback=found,
        report=build_interview_report(found.id),
        say=say,
        answer_form=answer_form or AnswerForm.from_answer(say.answer),
        thread_form=thread_form or ThreadForm(formdata=None, prefix="new"),
        message_form=message_form or MessageForm(formdata=None),
        message_thread=message_thread,
        gains=list(Gain),
    ), status


def _to_say(found: Feedback, anchor: str = "your-say"):
    return redirect(url_for("candidate_portal.feedback", feedback_id=found.id) + "#" + anchor)


@bp.route("/my/feedback/<int:feedback_id>/answer", methods=["POST"])
def save_answer(feedback_id: int):
    found = _own_feedback(feedback_id)
    form = AnswerForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            answers.save_answer(found, form.to_input(), actor=me())
        if not outcome.refused:
            flash(
                "Thank you. Your answer is saved; you can change it while answers are open.",
                "success",
            )
            return _to_say(found)
    else:
        flash("Some answers need your attention; nothing you chose was lost.", "error")
    return _feedback_page(found, answer_form=form, status=422)


@bp.route("/my/feedback/<int:feedback_id>/threads", methods=["POST"])
def open_thread(feedback_id: int):
    found = _own_feedback(feedback_id)
    form = ThreadForm(prefix="new")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            thread = answers.open_thread(found, form.kind.data, form.body.data, actor=me())
        if not outcome.refused:
            flash("Sent. Your recruiter has been told and will reply here.", "success")
            return _to_say(found, f"thread-{thread.id}")
    return _feedback_page(found, thread_form=form, status=422)


@bp.route("/my/threads/<int:thread_id>", methods=["POST"])
def write_in_thread(thread_id: int):
    thread = services.thread_of(me(), thread_id)
    if thread is None:
        abort(404)
    found = thread.feedback
    form = MessageForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            answers.write_in_thread(thread, form.body.data, actor=me())
        if not outcome.refused:
            flash("Sent. Your recruiter has been told.", "success")
            return _to_say(found, f"thread-{thread.id}")
    return _feedback_page(found, message_form=form, message_thread=thread.id, status=422)


@bp.route("/my/answer/<token>")
def answer_link(token: str):
    """The release email's signed link: after sign-in, the feedback page's "Your say"."""
    try:
        found = services.feedback_of_link(me(), token)
    except tokens.TokenError as exc:
        return render_template("candidate_portal/link_problem.html", message=str(exc)), 404
    return _to_say(found)


@bp.route("/my/data-export")
def data_export():
    """Everything held about the signed-in candidate, as one zip."""
    candidate = services.candidate_for(current_user)
    if candidate is None:
        abort(404)
    archive = export_candidate(candidate)
    audit.record("data_exported", candidate)
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="betteroff-my-data.zip"'
    return response


@bp.route("/my/feedback/<int:feedback_id>/next-step.ics")
def next_step_calendar(feedback_id: int):
    """The next step as a calendar invitation, the same file the release email carried."""
    found = services.released_feedback_for(current_user, feedback_id)
    data = calendar.invitation(found) if found is not None else None
    if data is None:
        abort(404)  # not theirs, not released, or no dated next step
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{calendar.FILENAME}"'
    return response
