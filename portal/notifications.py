"""Emails people receive when something happens that concerns them."""

from __future__ import annotations

from portal import mail
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
    if candidate.user_id is None:
        send_invitation(candidate, actor=feedback.author)
        return
    mail.send_mail(
        candidate.email,
        "Your interview feedback was updated" if amended else "Your interview feedback is ready",
        "feedback_released",
        candidate=candidate,
        interview=feedback.interview,
        amended=amended,
        reason=feedback.revisions[-1].reason if amended and feedback.revisions else None,
        link=external_url("main.home"),
    )
