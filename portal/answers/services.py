"""The rules of the candidate's say on released feedback (docs/better-off.md).

- **Answers**: which of the four gains the candidate got (yes / partly / no), how useful the
  feedback was (1-5), an optional comment for the recruiter. One per feedback, changed at will
  while the window is open: `ANSWER_WINDOW_DAYS` after the release or the latest amendment.
- **Threads**: a question, or a request to correct a fact, opened by the candidate while the
  window is open and answered by the feedback's handler (`permissions.handler_id`) or an
  admin. A reply is due `THREAD_REPLY_WORKING_DAYS` working days after the candidate wrote;
  an overdue thread is flagged to admins once. A correction is resolved by a reply saying why
  nothing changes, or by an amendment (`resolve_by_amendment`, called by the amendment itself).

Everything is audited without the words (the audit log holds none about candidates); the
words are personal data, in the candidate's export and removed by erasure.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import audit, events, release_check
from portal.extensions import db
from portal.models import (
    Candidate,
    CandidateAnswer,
    Feedback,
    FeedbackKind,
    FeedbackThread,
    Gain,
    GainAnswer,
    Interview,
    Position,
    Resolution,
    Role,
    ThreadKind,
    ThreadMessage,
    ThreadState,
    User,
    utcnow,
)
from portal.permissions import can_answer_feedback, can_reply_thread, can_view_thread
from portal.release_check import screening
from portal.unit_of_work import DomainError

# At most this many unresolved threads per feedback: enough for any real conversation, and a
# bound on what one person can pile on a recruiter's desk.
MAX_OPEN_THREADS = 5
MESSAGE_LIMIT = 4000
COMMENT_LIMIT = 2000


class AnswerError(DomainError):
    pass


class WindowClosed(AnswerError):
    category = "warning"


class ReplyFindings(AnswerError, screening.UnacknowledgedFindings):
    """The release check found wording in a reply to the candidate to fix or keep."""


@dataclass(frozen=True)
class AnswerInput:
    gains: dict[Gain, GainAnswer]
    usefulness: int
    comment: str | None = None


# --- the window --------------------------------------------------------------------------------


def window_started_at(feedback: Feedback) -> datetime:
    """The latest release of this feedback: the first one, or its latest amendment."""
    dates = [r.released_at for r in feedback.revisions if r.released_at is not None]
    return max(dates) if dates else (feedback.released_at or utcnow())


def window_closes_at(feedback: Feedback) -> datetime:
    days = current_app.config["ANSWER_WINDOW_DAYS"]
    return window_started_at(feedback) + timedelta(days=days)


def window_open(feedback: Feedback, now: datetime | None = None) -> bool:
    return (now or utcnow()) < window_closes_at(feedback)


def _require_window(feedback: Feedback, what: str) -> None:
    if not window_open(feedback):
        closed = window_closes_at(feedback)
        raise WindowClosed(
            f"{what} closed on {closed:%d %B %Y}, {current_app.config['ANSWER_WINDOW_DAYS']} "
            "days after this feedback was released or last corrected."
        )


def _require_candidate(feedback: Feedback, actor: User) -> None:
    if not can_answer_feedback(actor, feedback):
        raise AnswerError("Only the candidate this feedback was written for can answer it.")


# --- working days ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _calendar(name: str) -> holidays.HolidayBase | None:
    """The public holidays of WORKING_DAYS_CALENDAR (checked when the app starts)."""
    if not name:
        return None
    country, _, subdivision = name.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None)


def is_working_day(day: date) -> bool:
    calendar = _calendar(current_app.config["WORKING_DAYS_CALENDAR"])
    return day.weekday() < 5 and (calendar is None or day not in calendar)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day, `days` working days later (a message written on a Saturday
    counts from Monday)."""
    moment = start
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if is_working_day(moment.date()):
            left -= 1
    return moment


def reply_due(start: datetime) -> datetime:
    return add_working_days(start, current_app.config["THREAD_REPLY_WORKING_DAYS"])


# --- answers -----------------------------------------------------------------------------------


def answer_for(feedback: Feedback) -> CandidateAnswer | None:
    return db.session.scalar(
        select(CandidateAnswer).where(CandidateAnswer.feedback_id == feedback.id)
    )


def save_answer(feedback: Feedback, data: AnswerInput, *, actor: User) -> CandidateAnswer:
    """Record or change the candidate's answer while the window is open."""
    _require_candidate(feedback, actor)
    _require_window(feedback, "Answers to this feedback")
    if set(data.gains) != set(Gain):
        raise AnswerError("Answer yes, partly or no for each of the four gains.")
    if not 1 <= data.usefulness <= 5:
        raise AnswerError("Rate how useful the feedback was from 1 to 5.", field="usefulness")
    comment = (data.comment or "").strip() or None
    if comment and len(comment) > COMMENT_LIMIT:
        raise AnswerError(f"Keep the comment under {COMMENT_LIMIT} characters.", field="comment")
    answer = answer_for(feedback)
    created = answer is None
    if answer is None:
        answer = CandidateAnswer(
            feedback_id=feedback.id, candidate_id=feedback.interview.candidate_id
        )
    comment_changed = comment is not None and comment != answer.comment
    _fill(answer, data, comment, feedback.revision)
    if created:
        try:
            with db.session.begin_nested():  # the same form sent twice at once: the second
                db.session.add(answer)  # request finds the first one's row and changes it
                db.session.flush()
        except IntegrityError:
            answer = answer_for(feedback)
            if answer is None:
                raise
            created = False
            _fill(answer, data, comment, feedback.revision)
    db.session.flush()
    audit.record(
        "feedback_answered" if created else "feedback_answer_changed",
        feedback,
        actor=actor,
        revision=feedback.revision,
        with_comment=comment is not None,
    )  # no gains, score or words: those are the candidate's, counted only in the measure
    events.candidate_answered.send(answer, comment_changed=comment_changed)
    return answer


def _fill(answer: CandidateAnswer, data: AnswerInput, comment: str | None, revision: int) -> None:
    for gain, value in data.gains.items():
        setattr(answer, gain.value, value)
    answer.usefulness = data.usefulness
    answer.comment = comment
    answer.revision = revision


# --- threads -----------------------------------------------------------------------------------


def threads_for(feedback: Feedback) -> list[FeedbackThread]:
    return list(
        db.session.scalars(
            select(FeedbackThread)
            .where(FeedbackThread.feedback_id == feedback.id)
            .options(selectinload(FeedbackThread.messages).joinedload(ThreadMessage.author))
            .order_by(FeedbackThread.opened_at, FeedbackThread.id)
        )
    )


def _body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise AnswerError("Write your message first.", field="body")
    if len(text) > MESSAGE_LIMIT:
        raise AnswerError(f"Keep the message under {MESSAGE_LIMIT} characters.", field="body")
    return text


def _require_room(feedback: Feedback) -> None:
    unresolved = sum(1 for t in threads_for(feedback) if not t.is_resolved)
    if unresolved >= MAX_OPEN_THREADS:
        raise AnswerError(
            f"You have {unresolved} questions or corrections waiting on this feedback; write "
            "in one of them instead of opening another."
        )


def open_thread(feedback: Feedback, kind: ThreadKind, body: str, *, actor: User) -> FeedbackThread:
    """The candidate asks a question or asks to correct a fact; the handler is told."""
    _require_candidate(feedback, actor)
    _require_window(feedback, "Questions and corrections on this feedback")
    text = _body(body)
    _require_room(feedback)
    now = utcnow()
    thread = FeedbackThread(
        feedback_id=feedback.id,
        candidate_id=feedback.interview.candidate_id,
        kind=kind,
        state=ThreadState.OPEN,
        opened_at=now,
        waiting_since=now,
        reply_due_at=reply_due(now),
    )
    thread.messages.append(ThreadMessage(author_id=actor.id, from_candidate=True, body=text))
    db.session.add(thread)
    db.session.flush()
    audit.record("thread_opened", feedback, actor=actor, thread=thread.id, kind=kind.value)
    events.thread_message_posted.send(thread, message=thread.messages[-1])
    return thread


def write_in_thread(thread: FeedbackThread, body: str, *, actor: User) -> ThreadMessage:
    """The candidate writes again. An unresolved thread takes messages at any time (the
    window does not cut a conversation short); a resolved one reopens only within it."""
    if not (actor.role is Role.CANDIDATE and can_view_thread(actor, thread)):
        raise AnswerError(
            "Only the candidate who opened this thread can write in it as a candidate."
        )
    if thread.is_resolved:
        _require_window(thread.feedback, "Reopening questions and corrections on this feedback")
        _require_room(thread.feedback)
    text = _body(body)
    message = ThreadMessage(author_id=actor.id, from_candidate=True, body=text)
    thread.messages.append(message)
    now = utcnow()
    # The handler hears once per wait: more messages before their reply add to the same one.
    tell = thread.state is not ThreadState.OPEN
    if thread.state is not ThreadState.OPEN:  # waiting again, from now
        thread.waiting_since = now
        thread.reply_due_at = reply_due(now)
        thread.overdue_flagged_at = None
    reopened = thread.is_resolved
    thread.state = ThreadState.OPEN
    thread.resolution = thread.resolved_revision = thread.resolved_at = None
    thread.resolved_by_id = None
    db.session.flush()
    audit.record(
        "thread_reopened" if reopened else "thread_message",
        thread.feedback,
        actor=actor,
        thread=thread.id,
    )
    if tell:
        events.thread_message_posted.send(thread, message=message)
    return message


def reply(
    thread: FeedbackThread,
    body: str,
    *,
    actor: User,
    resolve: bool,
    acknowledged: Collection[str] = (),
) -> ThreadMessage:
    """The handler (or an admin) answers; `resolve` closes the thread with this reply (for a
    correction: the feedback stays as it is, and the reply says why). The candidate reads
    the reply, so it passes the release check like the feedback itself."""
    if not can_reply_thread(actor, thread):
        raise AnswerError("Only the feedback's author, the panel's lead or an admin replies here.")
    if thread.is_resolved:
        raise AnswerError("This thread is resolved; the candidate can reopen it if needed.")
    text = _body(body)
    try:
        kept = release_check.check({"body": text}, acknowledged)
    except screening.UnacknowledgedFindings as exc:
        raise ReplyFindings(exc.findings) from None
    message = ThreadMessage(author_id=actor.id, from_candidate=False, body=text)
    thread.messages.append(message)
    thread.waiting_since = thread.reply_due_at = thread.overdue_flagged_at = None
    if resolve:
        _resolve(thread, Resolution.REPLY, actor=actor)
    else:
        thread.state = ThreadState.REPLIED
    db.session.flush()
    audit.record(
        "thread_resolved" if resolve else "thread_replied",
        thread.feedback,
        actor=actor,
        thread=thread.id,
        resolution=Resolution.REPLY.value if resolve else None,
        release_check_kept=[f.rule_id for f in kept] or None,
    )
    events.thread_message_posted.send(thread, message=message)
    return message


def _resolve(
    thread: FeedbackThread, how: Resolution, *, actor: User, revision: int | None = None
) -> None:
    thread.state = ThreadState.RESOLVED
    thread.resolution = how
    thread.resolved_revision = revision
    thread.resolved_at = utcnow()
    thread.resolved_by_id = actor.id
    thread.waiting_since = thread.reply_due_at = thread.overdue_flagged_at = None


def open_corrections(feedback: Feedback) -> list[FeedbackThread]:
    """What an amendment of this feedback can resolve: its unresolved correction requests."""
    return [
        t for t in threads_for(feedback) if t.kind is ThreadKind.CORRECTION and not t.is_resolved
    ]


def resolve_by_amendment(
    feedback: Feedback, thread_ids: Iterable[int], *, actor: User, reason: str
) -> list[FeedbackThread]:
    """The amendment just made resolves these correction requests: each says so, with the
    amendment's reason, and closes with the new revision's number."""
    wanted = set(thread_ids)
    resolved = []
    for thread in open_corrections(feedback):
        if thread.id not in wanted:
            continue
        thread.messages.append(
            ThreadMessage(
                author_id=actor.id,
                from_candidate=False,
                body=f"Corrected in version {feedback.revision}: {reason}",
            )
        )
        _resolve(thread, Resolution.AMENDMENT, actor=actor, revision=feedback.revision)
        audit.record(
            "thread_resolved",
            feedback,
            actor=actor,
            thread=thread.id,
            resolution=Resolution.AMENDMENT.value,
            revision=feedback.revision,
        )
        resolved.append(thread)
    db.session.flush()
    return resolved


# --- what staff see ----------------------------------------------------------------------------


THREAD_LIST = (
    joinedload(FeedbackThread.candidate),
    joinedload(FeedbackThread.feedback)
    .joinedload(Feedback.interview)
    .joinedload(Interview.position)
    .joinedload(Position.company),
)


def _handled_by(user: User):
    return or_(
        and_(Feedback.kind == FeedbackKind.PANEL, Interview.interviewer_id == user.id),
        and_(Feedback.kind == FeedbackKind.MEMBER, Feedback.author_id == user.id),
    )


def waiting_for(user: User, limit: int = 20) -> list[FeedbackThread]:
    """Threads waiting for this person's reply, the longest-waiting first (their dashboard)."""
    return list(
        db.session.scalars(
            select(FeedbackThread)
            .join(FeedbackThread.feedback)
            .join(Feedback.interview)
            .join(FeedbackThread.candidate)
            .where(
                FeedbackThread.state == ThreadState.OPEN,
                Candidate.erased_at.is_(None),
                _handled_by(user),
            )
            .options(*THREAD_LIST)
            .order_by(FeedbackThread.waiting_since, FeedbackThread.id)
            .limit(limit)
        )
    )


def overdue(now: datetime | None = None, limit: int | None = 50) -> list[FeedbackThread]:
    """Threads past their reply date, for admins (dashboard and digest)."""
    query = (
        select(FeedbackThread)
        .join(FeedbackThread.candidate)
        .where(
            FeedbackThread.state == ThreadState.OPEN,
            FeedbackThread.reply_due_at < (now or utcnow()),
            Candidate.erased_at.is_(None),
        )
        .options(
            *THREAD_LIST,
            joinedload(FeedbackThread.feedback).joinedload(Feedback.author),
            joinedload(FeedbackThread.feedback)
            .joinedload(Feedback.interview)
            .joinedload(Interview.interviewer),
        )
        .order_by(FeedbackThread.reply_due_at, FeedbackThread.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def flag_overdue(now: datetime | None = None) -> list[FeedbackThread]:
    """Mark threads that became overdue since the last run (each once) and audit it; the
    caller tells the admins."""
    now = now or utcnow()
    fresh = [t for t in overdue(now, limit=None) if t.overdue_flagged_at is None]
    for thread in fresh:
        thread.overdue_flagged_at = now
        audit.record("thread_overdue", thread.feedback, actor=None, thread=thread.id)
    db.session.flush()
    return fresh


@dataclass(frozen=True)
class StaffSay:
    """What the handler reads of the candidate's say on one feedback: the comment they left
    and their threads. Not whether or when they answered, nor the answers or the score: a
    before-and-after look at the measure would give those away."""

    comment: str | None
    threads: list[FeedbackThread]


def staff_say(feedback: Feedback) -> StaffSay:
    answer = answer_for(feedback)
    threads = db.session.scalars(  # the list only: each thread's page shows its messages
        select(FeedbackThread)
        .where(FeedbackThread.feedback_id == feedback.id)
        .order_by(FeedbackThread.opened_at, FeedbackThread.id)
    )
    return StaffSay(
        comment=answer.comment if answer else None,
        threads=list(threads),
    )
