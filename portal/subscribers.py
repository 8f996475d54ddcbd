"""What happens because something happened: the subscribers of the domain events.

Each runs inside the transaction of the change it reacts to. Anything that leaves the
process — mail, reports, queue pushes, cache entries shared with other hosts — is deferred to
after the commit (mail and reports are jobs, which start only then; the cache is forgotten
with `after_commit`), so a change that is rolled back tells nobody anything.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, has_request_context

from portal import cache as stamps
from portal import events
from portal.models import (
    CandidateAnswer,
    Feedback,
    FeedbackThread,
    Referral,
    ReferralStatus,
    ThreadMessage,
    User,
)
from portal.notifications import notify_comment, notify_feedback_released, notify_thread_message
from portal.referrals import notify
from portal.referrals.pipeline import ReferralError
from portal.reports.store import refresh_for_candidate
from portal.webhooks import outgoing as webhooks


def forget_team_averages(feedback: Feedback, **_: Any) -> None:
    """The dashboard's cached averages no longer hold once this commits."""
    stamps.bump(stamps.SCORES)


def tell_the_candidate(feedback: Feedback, *, amended: bool, **_: Any) -> None:
    """Released or amended feedback: the candidate hears of it, their reports are rendered."""
    notify_feedback_released(feedback, amended=amended)
    if current_app.config["RENDER_REPORTS_ON_RELEASE"]:
        refresh_for_candidate(feedback.interview.candidate_id)


def tell_the_other_side(thread: FeedbackThread, *, message: ThreadMessage, **_: Any) -> None:
    """A candidate wrote: their handler hears of it; the handler replied: the candidate does."""
    notify_thread_message(thread, message)


def pass_on_the_comment(answer: CandidateAnswer, *, comment_changed: bool, **_: Any) -> None:
    if comment_changed:
        notify_comment(answer)


def tell_the_people_involved(
    referral: Referral,
    *,
    to_status: ReferralStatus,
    actor: User | None,
    email_contact: bool = False,
    **_: Any,
) -> None:
    """A referral moved: mail whoever this move concerns, and the introduction if asked."""
    notify.after_transition(referral, to_status, actor)
    if to_status is ReferralStatus.INTRODUCED and email_contact and actor is not None:
        try:
            notify.send_introduction(referral, actor)
        except ReferralError as exc:
            _say(str(exc), "warning")
        else:
            _say(f"The introduction is on its way to {referral.contact.name}.", "info")


def _say(message: str, category: str) -> None:
    if has_request_context():
        flash(message, category)


def connect() -> None:
    """Subscribe once per process (connecting the same receiver again changes nothing)."""
    events.scorecard_changed.connect(forget_team_averages)
    events.feedback_released.connect(tell_the_candidate)
    events.referral_transitioned.connect(tell_the_people_involved)
    events.thread_message_posted.connect(tell_the_other_side)
    events.candidate_answered.connect(pass_on_the_comment)
    # Webhooks: a delivery per subscribed endpoint, sent after the commit (portal/webhooks).
    events.feedback_released.connect(webhooks.on_feedback_released)
    events.referral_transitioned.connect(webhooks.on_referral_transitioned)
    events.interview_created.connect(webhooks.on_interview_created)
    events.candidate_erased.connect(webhooks.on_candidate_erased)
