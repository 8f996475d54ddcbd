"""The "Better off" measure: did candidates leave better off, per recruiter, team or position,
over the interviews of a period.

One row per released feedback whose candidate was not erased, read in one query (left joined
to the candidate's answer, with an EXISTS for a referral or lead the candidate can see), plus
one grouped count of open threads: two queries whatever the data size. The rest is arithmetic
on those rows.

The candidate's yes / partly / no and usefulness scores are never shown one by one: they count
only in groups of at least `MEASURE_MIN_GROUP` answers, with complementary suppression
(`hidden_groups`), so no answer can be worked out from the figures on one page.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, case, exists, func, select

from portal.extensions import db
from portal.models import (
    VISIBLE_STATUSES,
    Candidate,
    CandidateAnswer,
    Company,
    Decision,
    Feedback,
    FeedbackState,
    FeedbackThread,
    Gain,
    GainAnswer,
    Interview,
    Position,
    Referral,
    ThreadState,
    User,
)

DEFAULT_DAYS = 90
NO_TEAM = "No team"
OPEN_THREAD_STATES = (ThreadState.OPEN, ThreadState.REPLIED)

K = TypeVar("K", bound=Hashable)


class GroupBy(enum.StrEnum):
    RECRUITER = "recruiter"  # the released feedback's author (the lead, for a panel's)
    TEAM = "team"  # that author's team (User.team)
    POSITION = "position"  # the interview's position, with its company

    @property
    def label(self) -> str:
        return {"recruiter": "Recruiter", "team": "Team", "position": "Position"}[self.value]


class Hidden(enum.StrEnum):
    """Why a group's answer figures are hidden."""

    SMALL = "small"  # fewer answers than the minimum
    COMPLEMENTARY = "complementary"  # hidden too, or the total would give a small group away


@dataclass(frozen=True)
class Period:
    """The interviews' dates, both days included."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, days: int = DEFAULT_DAYS) -> Period:
        return cls(end - timedelta(days=days - 1), end)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def until(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min)


@dataclass(frozen=True)
class Row:
    """One released feedback, as the measure reads it."""

    feedback_id: int
    group_key: str
    group_label: str
    interview_at: datetime
    released_at: datetime | None
    declined: bool
    referred: bool  # a referral or lead linked to it that the candidate can see
    gains: Mapping[Gain, GainAnswer] | None  # None: the candidate has not answered
    usefulness: int | None


@dataclass(frozen=True)
class GainShare:
    gain: Gain
    yes: float  # fractions of the group's answers
    partly: float


@dataclass(frozen=True)
class GroupFigures:
    key: str
    label: str
    released: int
    answers: int
    gains: tuple[GainShare, ...] | None  # None when hidden or nobody answered
    usefulness: float | None
    median_days: float | None
    p90_days: float | None
    declined: int
    declined_referred: int
    open_threads: int
    overdue_threads: int
    hidden: Hidden | None = None

    @property
    def response_rate(self) -> float | None:
        return self.answers / self.released if self.released else None

    @property
    def referral_share(self) -> float | None:
        return self.declined_referred / self.declined if self.declined else None

    def hidden_reason(self, minimum: int) -> str:
        """Why no answer figures are shown, in a few words ("" when they are): the CSV's
        `hidden` column."""
        if self.gains is not None:
            return ""
        if self.answers == 0:
            return "no answers yet"
        if self.hidden is Hidden.COMPLEMENTARY:
            return "hidden with a smaller group"
        return f"fewer than {minimum} answers"

    def hidden_note(self, minimum: int) -> str:
        """The same, as the page says it."""
        if self.gains is not None:
            return ""
        if self.answers == 0:
            return "No answers yet."
        if self.hidden is Hidden.COMPLEMENTARY:
            return (
                "Hidden with a smaller group: the total would otherwise give that group's "
                "answers away."
            )
        return f"Fewer than {minimum} answers: hidden so no answer can be traced to a person."


@dataclass(frozen=True)
class Measure:
    period: Period
    group_by: GroupBy
    minimum: int
    groups: tuple[GroupFigures, ...]
    total: GroupFigures

    @property
    def any_hidden(self) -> bool:
        return any(g.hidden and g.answers for g in (*self.groups, self.total))

    @property
    def days_scale(self) -> float:
        """A round number of days at least as long as every 90th percentile (the chart's axis)."""
        longest = max((g.p90_days or 0 for g in (*self.groups, self.total)), default=0)
        for step in (1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365):
            if longest <= step:
                return float(step)
        return float(math.ceil(longest / 365) * 365)


# --- rules -----------------------------------------------------------------------------------


def hidden_groups(answers: Mapping[K, int], minimum: int) -> dict[K, Hidden]:
    """The groups whose answer figures must be hidden, given how many answers each holds.

    A group with fewer than `minimum` answers is hidden. If the hidden groups then hold some
    answers but fewer than `minimum` together, the total minus the visible groups would give
    them away, so the smallest visible groups are hidden too until the hidden ones hold at
    least `minimum` (ties go to the group listed first). The total itself is hidden when it
    holds fewer than `minimum` (every group is hidden then).
    """
    hidden = {key: Hidden.SMALL for key, n in answers.items() if n < minimum}
    held = sum(answers[key] for key in hidden)
    order = {key: i for i, key in enumerate(answers)}
    visible = sorted((k for k in answers if k not in hidden), key=lambda k: (answers[k], order[k]))
    for key in visible:
        if held == 0 or held >= minimum:
            break
        hidden[key] = Hidden.COMPLEMENTARY
        held += answers[key]
    return hidden


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The value below which `fraction` of `values` lie, interpolating between the two
    nearest (statistics.quantiles' "inclusive" method); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def figures(
    key: str, label: str, rows: Sequence[Row], threads: Mapping[int, tuple[int, int]]
) -> GroupFigures:
    """Every figure of one group (answers unhidden: `hidden_groups` decides that after)."""
    answered = [r for r in rows if r.gains is not None]
    gains = None
    if answered:
        gains = tuple(
            GainShare(
                gain=gain,
                yes=sum(1 for r in answered if r.gains[gain] is GainAnswer.YES) / len(answered),
                partly=sum(1 for r in answered if r.gains[gain] is GainAnswer.PARTLY)
                / len(answered),
            )
            for gain in Gain
        )
    usefulness = [r.usefulness for r in answered if r.usefulness is not None]
    days = [
        (r.released_at - r.interview_at).total_seconds() / 86400
        for r in rows
        if r.released_at is not None
    ]
    declined = [r for r in rows if r.declined]
    counts = [threads.get(r.feedback_id, (0, 0)) for r in rows]
    return GroupFigures(
        key=key,
        label=label,
        released=len(rows),
        answers=len(answered),
        gains=gains,
        usefulness=round(statistics.fmean(usefulness), 1) if usefulness else None,
        median_days=_days(percentile(days, 0.5)),
        p90_days=_days(percentile(days, 0.9)),
        declined=len(declined),
        declined_referred=sum(1 for r in declined if r.referred),
        open_threads=sum(n for n, _ in counts),
        overdue_threads=sum(n for _, n in counts),
    )


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summarise(
    rows: Iterable[Row],
    threads: Mapping[int, tuple[int, int]],
    *,
    period: Period,
    group_by: GroupBy,
    minimum: int,
) -> Measure:
    """Group the rows, work out each group's figures and the total's, and hide what must be."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    labels: dict[str, str] = {}
    everything: list[Row] = []
    for row in rows:
        grouped[row.group_key].append(row)
        labels.setdefault(row.group_key, row.group_label)
        everything.append(row)
    ordered = sorted(grouped, key=lambda k: (labels[k] == NO_TEAM, labels[k].casefold(), k))
    groups = [figures(k, labels[k], grouped[k], threads) for k in ordered]
    total = figures("", "All", everything, threads)
    hidden = hidden_groups({g.key: g.answers for g in groups}, minimum)
    groups = [_hide(g, hidden[g.key]) if g.key in hidden else g for g in groups]
    if total.answers < minimum:
        total = _hide(total, Hidden.SMALL)
    return Measure(period, group_by, minimum, tuple(groups), total)


def _hide(group: GroupFigures, why: Hidden) -> GroupFigures:
    return replace(group, gains=None, usefulness=None, hidden=why)


# --- reading -----------------------------------------------------------------------------------


def visible_referral() -> ColumnElement[bool]:
    """Whether the feedback has a referral or lead its candidate can see: the interview
    report's own rule (portal/reports/queries.py: linked to this feedback, for this candidate,
    in one of VISIBLE_STATUSES)."""
    return exists().where(
        Referral.feedback_id == Feedback.id,
        Referral.candidate_id == Interview.candidate_id,
        Referral.status.in_(VISIBLE_STATUSES),
    )


def _released_in(period: Period) -> tuple[ColumnElement[bool], ...]:
    return (
        Feedback.state == FeedbackState.RELEASED,
        Candidate.erased_at.is_(None),
        Interview.scheduled_at >= period.since,
        Interview.scheduled_at < period.until,
    )


def _group_columns(group_by: GroupBy) -> tuple[ColumnElement, ColumnElement]:
    if group_by is GroupBy.TEAM:
        return User.team, User.team
    if group_by is GroupBy.POSITION:
        return Position.id, Position.title + " — " + Company.name
    return User.id, User.name


def released_rows(period: Period, group_by: GroupBy) -> list[Row]:
    """One row per released feedback in the period whose candidate was not erased (one query)."""
    key, label = _group_columns(group_by)
    query = (
        select(
            Feedback.id,
            key,
            label,
            Interview.scheduled_at,
            Feedback.released_at,
            Feedback.decision,
            visible_referral().label("referred"),
            CandidateAnswer.id,
            *(getattr(CandidateAnswer, gain.value) for gain in Gain),
            CandidateAnswer.usefulness,
        )
        .join(Interview, Interview.id == Feedback.interview_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(User, User.id == Feedback.author_id)
        .outerjoin(CandidateAnswer, CandidateAnswer.feedback_id == Feedback.id)
        .where(*_released_in(period))
        .order_by(Feedback.id)  # a group's label is the one its first row has
    )
    if group_by is GroupBy.POSITION:
        query = query.join(Position, Position.id == Interview.position_id).join(
            Company, Company.id == Position.company_id
        )
    rows = []
    for fid, gkey, glabel, at, released, decision, referred, answer_id, *said in db.session.execute(
        query
    ):
        gains, usefulness = None, None
        if answer_id is not None:
            gains = dict(zip(Gain, said[:-1], strict=True))
            usefulness = said[-1]
        if group_by is GroupBy.TEAM:  # one group however the label's case was typed
            glabel = (glabel or "").strip() or NO_TEAM
            gkey = "" if glabel == NO_TEAM else glabel.casefold()
        rows.append(
            Row(
                feedback_id=fid,
                group_key=str(gkey),
                group_label=glabel,
                interview_at=at,
                released_at=released,
                declined=decision is Decision.DECLINE,
                referred=bool(referred),
                gains=gains,
                usefulness=usefulness,
            )
        )
    return rows


def open_threads(period: Period, now: datetime) -> dict[int, tuple[int, int]]:
    """Per released feedback of the period: its open threads (waiting or replied) and how
    many of them are overdue (waiting past their reply date). One grouped query."""
    released = (
        select(Feedback.id)
        .join(Interview, Interview.id == Feedback.interview_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(*_released_in(period))
    )
    overdue = and_(FeedbackThread.state == ThreadState.OPEN, FeedbackThread.reply_due_at < now)
    result = db.session.execute(
        select(
            FeedbackThread.feedback_id,
            func.count(),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .where(
            FeedbackThread.state.in_(OPEN_THREAD_STATES),
            FeedbackThread.feedback_id.in_(released),
        )
        .group_by(FeedbackThread.feedback_id)
    )
    return {fid: (int(n), int(late)) for fid, n, late in result}


def measure(period: Period, group_by: GroupBy, *, minimum: int, now: datetime) -> Measure:
    """The measure for a period of interviews, grouped as asked (two queries)."""
    return summarise(
        released_rows(period, group_by),
        open_threads(period, now),
        period=period,
        group_by=group_by,
        minimum=minimum,
    )


# --- the CSV -----------------------------------------------------------------------------------


def csv_header(group_by: GroupBy) -> list[str]:
    gains = [f"{gain.label}: {word}" for gain in Gain for word in ("yes", "partly")]
    return [
        group_by.label.lower(),
        "released feedback",
        "answers",
        "response rate %",
        *(f"{g} %" for g in gains),
        "mean usefulness (1-5)",
        "median days to release",
        "90th percentile days to release",
        "declined",
        "declined with a referral or lead",
        "declined with a referral or lead %",
        "open threads",
        "overdue threads",
        "hidden",
    ]


def csv_rows(result: Measure) -> list[list[object]]:
    """One row per group, then All; hidden cells are empty and `hidden` says why."""
    return [_csv_row(g, result.minimum) for g in (*result.groups, result.total)]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _csv_row(group: GroupFigures, minimum: int) -> list[object]:
    shares: list[object] = []
    for i in range(len(Gain)):
        share = group.gains[i] if group.gains is not None else None
        shares += [_percent(share.yes), _percent(share.partly)] if share else [None, None]
    return [
        group.label,
        group.released,
        group.answers,
        _percent(group.response_rate),
        *shares,
        group.usefulness,
        group.median_days,
        group.p90_days,
        group.declined,
        group.declined_referred,
        _percent(group.referral_share),
        group.open_threads,
        group.overdue_threads,
        group.hidden_reason(minimum),
    ]
