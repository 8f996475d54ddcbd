"""Nobody forgets: a daily digest of overdue scorecards, and of panels ready to debrief.

Each interviewer gets at most one email a day (`digest_sends` holds a row per person and day,
so running `flask reminders send` twice — or on two hosts — sends nothing the second time):

- every interview they sat on whose scorecard is overdue: REMINDER_AFTER_HOURS (default 24)
  after the interview's end and still not submitted, within the dashboard's 90-day window,
  unless the candidate's feedback is already released;
- for a lead, every panel where all members have submitted and the candidate's feedback is
  not released yet;
- for admins, every candidate's question or correction past its reply date
  (THREAD_REPLY_WORKING_DAYS working days after the candidate wrote; each is audited as
  overdue once, when first found).

People with nothing due get nothing; anyone can turn the digest off on their account page.
It runs from cron or the systemd timer in deploy/ (`flask reminders send`), or, with Redis, as
a job the RQ scheduler runs every day at REMINDER_HOUR (UTC).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import audit, mail
from portal.answers import services as answers
from portal.auth.services import external_url
from portal.extensions import db
from portal.main.services import AWAITING_WINDOW
from portal.models import (
    STAFF,
    SUBMITTED_STATES,
    Candidate,
    DigestSend,
    Feedback,
    FeedbackKind,
    FeedbackState,
    FeedbackThread,
    Interview,
    PanelMember,
    Position,
    Role,
    User,
    utcnow,
)

log = logging.getLogger(__name__)


@dataclass
class Digest:
    user: User
    overdue: list[Interview] = field(default_factory=list)
    complete: list[Interview] = field(default_factory=list)
    # For admins: candidates' questions and corrections past their reply date.
    threads: list[FeedbackThread] = field(default_factory=list)


@dataclass(frozen=True)
class RunSummary:
    sent: int
    already_sent: int
    overdue: int
    complete: int


def due(now: datetime) -> dict[int, Digest]:
    """What each person should hear about today, by user id (only people with something)."""
    after = timedelta(hours=current_app.config["REMINDER_AFTER_HOURS"])
    released = exists().where(
        Feedback.interview_id == Interview.id, Feedback.state == FeedbackState.RELEASED
    )
    interviews = db.session.scalars(
        select(Interview)
        .join(Interview.candidate)
        .where(
            Interview.scheduled_at.between(now - AWAITING_WINDOW, now - after),
            Candidate.erased_at.is_(None),
            ~released,
        )
        .options(
            joinedload(Interview.candidate),
            joinedload(Interview.position).joinedload(Position.company),
            selectinload(Interview.panel).joinedload(PanelMember.user),
            selectinload(Interview.feedback).load_only(
                Feedback.author_id, Feedback.kind, Feedback.state
            ),
        )
        .order_by(Interview.scheduled_at, Interview.id)
    ).all()
    digests: dict[int, Digest] = {}
    for interview in interviews:
        submitted = {
            f.author_id
            for f in interview.feedback
            if f.kind is FeedbackKind.MEMBER and f.state in SUBMITTED_STATES
        }
        members = [m.user for m in interview.panel]
        if interview.ends_at + after <= now:
            for person in members:
                if person.id not in submitted:
                    _digest(digests, person).overdue.append(interview)
        if len(members) > 1 and all(p.id in submitted for p in members):
            _digest(digests, interview.interviewer).complete.append(interview)
    late = answers.overdue(now, limit=None)
    if late:
        admins = db.session.scalars(
            select(User).where(User.role == Role.ADMIN, User.active.is_(True))
        ).all()
        for admin in admins:
            _digest(digests, admin).threads = late
    return {
        uid: d
        for uid, d in digests.items()
        if d.user.active and d.user.role in STAFF and d.user.digest_enabled
    }


def _digest(digests: dict[int, Digest], user: User) -> Digest:
    if user.id not in digests:
        digests[user.id] = Digest(user)
    return digests[user.id]


def send_digests(now: datetime | None = None) -> RunSummary:
    """Send today's digests, once per person and day. The caller commits; mail leaves after."""
    now = now or utcnow()
    day = now.date()
    answers.flag_overdue(now)  # each newly overdue thread audited once
    sent = already = overdue = complete = 0
    for digest in due(now).values():
        try:
            with db.session.begin_nested():  # another run or host got there first: skip
                db.session.add(
                    DigestSend(
                        user_id=digest.user.id,
                        day=day,
                        overdue=len(digest.overdue),
                        complete=len(digest.complete),
                    )
                )
                db.session.flush()
        except IntegrityError:
            already += 1
            continue
        _mail(digest, day)
        sent += 1
        overdue += len(digest.overdue)
        complete += len(digest.complete)
    if sent:
        audit.record("reminders_sent", None, digests=sent, overdue=overdue, complete=complete)
    return RunSummary(sent, already, overdue, complete)


def _mail(digest: Digest, day: date) -> None:
    parts = []
    if digest.overdue:
        n = len(digest.overdue)
        parts.append(f"{n} scorecard{'s' if n != 1 else ''} overdue")
    if digest.complete:
        n = len(digest.complete)
        parts.append(f"{n} panel{'s' if n != 1 else ''} ready for your feedback")
    if digest.threads:
        n = len(digest.threads)
        parts.append(f"{n} candidate{'s' if n != 1 else ''} waiting too long for a reply")
    mail.send_mail(
        digest.user.email,
        "BetterOff: " + " and ".join(parts),
        "digest",
        user=digest.user,
        digest=digest,
        day=day,
        link=lambda interview: external_url("interviews.detail", interview_id=interview.id),
        debrief=lambda interview: external_url("feedback.debrief", interview_id=interview.id),
        thread_link=lambda thread: external_url("answers.thread", thread_id=thread.id),
        account=external_url("auth.account"),
    )


# --- the RQ-scheduled variant ------------------------------------------------------------------


def next_run(now: datetime) -> datetime:
    """The next REMINDER_HOUR:00 UTC after now."""
    at = datetime.combine(now.date(), time(current_app.config["REMINDER_HOUR"]))
    return at if at > now else at + timedelta(days=1)


def schedule(queue, now: datetime | None = None) -> datetime:
    """Have RQ's scheduler run the digest at the next REMINDER_HOUR. The job id names the
    day, so scheduling again (each worker start) replaces it rather than adding another."""
    when = next_run(now or utcnow())
    queue.enqueue_at(
        when,
        run_scheduled,
        job_id=f"betteroff-reminders-{when:%Y%m%d}",
        result_ttl=86400,
        failure_ttl=7 * 86400,
    )
    return when


def run_scheduled() -> dict:
    """Entry point for the RQ scheduler (in `flask rq worker`, with the app's context)."""
    from portal import jobs
    from portal.unit_of_work import commit

    summary = send_digests()
    commit()
    schedule(jobs.redis_queue(current_app.config["REDIS_URL"]))
    log.info("reminders sent: %s", summary)
    return summary.__dict__
