"""Emails people receive when something happens that concerns them."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from portal import calendar, mail, tokens
from portal.auth.services import external_url, send_invitation
from portal.extensions import db
from portal.models import (
    CandidateAnswer,
    Feedback,
    FeedbackThread,
    Role,
    ThreadKind,
    ThreadMessage,
    User,
)
from portal.permissions import handler_id


def notify_feedback_released(feedback: Feedback, *, amended: bool) -> None:
    """Tell the candidate their feedback is ready, with a link to the portal (never the PDF).

    A candidate who has not joined the portal yet gets their invitation instead, which
    leads to the same place.
    """
    candidate = feedback.interview.candidate
    if candidate.erased_at is not None:
        return
    attachments = _calendar(feedback)
    if candidate.user_id is None:
        send_invitation(candidate, actor=feedback.author, attachments=attachments)
        return
    mail.send_mail(
        candidate.email,
        "Your interview feedback was updated" if amended else "Your interview feedback is ready",
        "feedback_released",
        attachments,
        next_step_on=feedback.next_step_on if attachments else None,
        candidate=candidate,
        interview=feedback.interview,
        amended=amended,
        reason=feedback.revisions[-1].reason if amended and feedback.revisions else None,
        link=external_url("main.home"),
        answer_link=answer_link(feedback),
        window_days=current_app.config["ANSWER_WINDOW_DAYS"],
    )


def answer_link(feedback: Feedback) -> str:
    """The signed link in the release email: it leads, after sign-in, to the feedback page's
    "Your say" section, for as long as answers are open."""
    token = tokens.make_token(
        tokens.FEEDBACK_ANSWER,
        {"f": feedback.id, "c": feedback.interview.candidate_id, "r": feedback.revision},
    )
    return external_url("candidate_portal.answer_link", token=token)


def _calendar(feedback: Feedback) -> list[mail.Attachment]:
    """The next step's calendar invitation, when this release dated, moved or removed it."""
    if not calendar.changed_in_latest(feedback):
        return []
    data = calendar.invitation(feedback)
    if data is None:
        return []
    method = "REQUEST" if feedback.next_step_on else "CANCEL"
    return [mail.Attachment(calendar.FILENAME, data, "text", "calendar", {"method": method})]


# --- the candidate's say: comments, questions, corrections, replies -----------------------------
# The emails name what happened and link to the portal; the words stay in the portal (an email
# cannot be erased from an inbox).


def notify_thread_message(thread: FeedbackThread, message: ThreadMessage) -> None:
    """A candidate wrote: tell the handler (admins when the handler cannot act). The handler
    replied: tell the candidate."""
    feedback = thread.feedback
    candidate = thread.candidate
    if candidate.erased_at is not None:
        return
    if message.from_candidate:
        for person in _handlers(feedback):
            mail.send_mail(
                person.email,
                f"{candidate.name} {_asked(thread)}",
                "thread_to_staff",
                person=person,
                candidate=candidate,
                thread=thread,
                interview=feedback.interview,
                first=len(thread.messages) == 1,
                link=external_url("answers.thread", thread_id=thread.id),
            )
    elif candidate.user_id is not None:
        mail.send_mail(
            candidate.email,
            "Your recruiter replied" + (" and closed the thread" if thread.is_resolved else ""),
            "thread_to_candidate",
            candidate=candidate,
            thread=thread,
            interview=feedback.interview,
            link=external_url("candidate_portal.feedback", feedback_id=feedback.id)
            + f"#thread-{thread.id}",
        )


def notify_comment(answer: CandidateAnswer) -> None:
    """The candidate left (or changed) a comment for the recruiter."""
    feedback = answer.feedback
    candidate = answer.candidate
    if candidate.erased_at is not None:
        return
    for person in _handlers(feedback):
        mail.send_mail(
            person.email,
            f"{candidate.name} left a comment on their feedback",
            "comment_to_staff",
            person=person,
            candidate=candidate,
            interview=feedback.interview,
            link=external_url("feedback.detail", feedback_id=feedback.id) + "#candidate-say",
        )


def _asked(thread: FeedbackThread) -> str:
    if len(thread.messages) > 1:
        return "wrote again about their feedback"
    if thread.kind is ThreadKind.CORRECTION:
        return "asked for a correction to their feedback"
    return "asked a question about their feedback"


def _handlers(feedback: Feedback) -> list[User]:
    """Who hears of the candidate's words: the handler, or every active admin when the handler's
    account is inactive (someone must)."""
    handler = db.session.get(User, handler_id(feedback))
    if handler is not None and handler.active:
        return [handler]
    return list(
        db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    )
