"""The handler's side of a question or correction: read the thread, reply, resolve.

A correction that is right is resolved by amending the feedback (the amendment form offers
the open corrections as checkboxes); these pages link there."""

from flask import flash, redirect, render_template, url_for
from sqlalchemy.orm import joinedload, selectinload

from portal.answers import bp, services
from portal.answers.forms import ReplyForm
from portal.models import Feedback, FeedbackThread, Interview, Position, ThreadMessage, utcnow
from portal.permissions import can_edit_feedback, can_reply_thread, can_view_thread, load, me
from portal.release_check.screening import finding_key
from portal.unit_of_work import attempt

THREAD_PAGE = (
    joinedload(FeedbackThread.candidate),
    joinedload(FeedbackThread.feedback).joinedload(Feedback.author),
    joinedload(FeedbackThread.feedback)
    .joinedload(Feedback.interview)
    .joinedload(Interview.position)
    .joinedload(Position.company),
    selectinload(FeedbackThread.messages).joinedload(ThreadMessage.author),
)


def _load(thread_id: int) -> FeedbackThread:
    return load(FeedbackThread, thread_id, can_view_thread, *THREAD_PAGE)


@bp.route("/threads/<int:thread_id>")
def thread(thread_id: int):
    return _page(_load(thread_id), ReplyForm(formdata=None))


def _page(found: FeedbackThread, form: ReplyForm, status: int = 200, error=None):
    return render_template(
        "answers/thread.html",
        thread=found,
        form=form,
        findings=getattr(error, "findings", None) or [],
        finding_key=finding_key,
        acknowledged=form.acknowledge.data or [],
        can_reply=can_reply_thread(me(), found) and not found.is_resolved,
        can_amend=can_edit_feedback(me(), found.feedback),
        due=found.reply_due_at,
        overdue=found.reply_due_at is not None and found.reply_due_at < utcnow(),
        flagged=found.overdue_flagged_at is not None,
    ), status


@bp.route("/threads/<int:thread_id>/reply", methods=["POST"])
def reply(thread_id: int):
    found = _load(thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            services.reply(
                found,
                form.body.data,
                actor=me(),
                resolve=form.resolve.data,
                acknowledged=form.acknowledge.data,
            )
        if not outcome.refused:
            flash(
                "Reply sent and the thread resolved; the candidate was told."
                if form.resolve.data
                else "Reply sent; the candidate was told.",
                "success",
            )
            return redirect(url_for("answers.thread", thread_id=found.id))
        return _page(_load(thread_id), form, 422, outcome.error)
    return _page(_load(thread_id), form, 422)
