"""Emails people receive when something happens that concerns them."""

from __future__ import annotations

from portal import calendar, mail
from portal.auth.services import external_url, send_invitation
from portal.models import Feedback


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
    )


def _calendar(feedback: Feedback) -> list[mail.Attachment]:
    """The next step's calendar invitation, when this release dated, moved or removed it."""
    if not calendar.changed_in_latest(feedback):
        return []
    data = calendar.invitation(feedback)
    if data is None:
        return []
    method = "REQUEST" if feedback.next_step_on else "CANCEL"
    return [mail.Attachment(calendar.FILENAME, data, "text", "calendar", {"method": method})]
