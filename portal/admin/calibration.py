"""Calibration: how each interviewer scores, against the team.

Over every panel member's own scorecard that was submitted (the panel's consolidated feedback
is left out: it is the lead's summary of several people, not one person's view):

- scorecards written;
- mean rating per engagement dimension, beside the team's mean;
- spread: the standard deviation of all their ratings (a narrow spread may mean the scale is
  not being used);
- the share of invite / hold / decline decisions;
- median hours from the interview's start to the scorecard's submission.

Four aggregate queries, whatever the number of interviewers or scorecards, except the
submission delays, which are read one row per scorecard (SQLite has no percentile function).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    SUBMITTED_STATES,
    Decision,
    Dimension,
    Feedback,
    FeedbackKind,
    Interview,
    Rating,
    User,
)
from portal.rubric import GUIDES


@dataclass
class DimensionMean:
    dimension: Dimension
    label: str
    mean: float | None
    team: float | None

    @property
    def difference(self) -> float | None:
        if self.mean is None or self.team is None:
            return None
        return round(self.mean - self.team, 2)


@dataclass
class InterviewerFigures:
    user: User
    scorecards: int = 0
    means: list[DimensionMean] = field(default_factory=list)
    spread: float | None = None
    decisions: dict[Decision, float] = field(default_factory=dict)
    median_hours: float | None = None


@dataclass(frozen=True)
class Calibration:
    interviewers: list[InterviewerFigures]
    team: dict[Dimension, float | None]
    team_spread: float | None


def _scorecards():
    return (Feedback.kind == FeedbackKind.MEMBER, Feedback.state.in_(SUBMITTED_STATES))


def calibration() -> Calibration:
    rating_rows = db.session.execute(
        select(
            Feedback.author_id,
            Rating.dimension,
            func.count(Rating.score),
            func.sum(Rating.score),
            func.sum(Rating.score * Rating.score),
        )
        .join(Rating.feedback)
        .where(*_scorecards(), Rating.score.is_not(None))
        .group_by(Feedback.author_id, Rating.dimension)
    ).all()
    decision_rows = db.session.execute(
        select(Feedback.author_id, Feedback.decision, func.count(Feedback.id))
        .where(*_scorecards())
        .group_by(Feedback.author_id, Feedback.decision)
    ).all()
    delay_rows = db.session.execute(
        select(Feedback.author_id, Interview.scheduled_at, Feedback.submitted_at)
        .join(Feedback.interview)
        .where(*_scorecards(), Feedback.submitted_at.is_not(None))
    ).all()
    authors = {a for a, *_ in decision_rows}
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_(authors)).order_by(User.name))
    }

    # sums per (author, dimension): n, sum, sum of squares
    per: dict[int, dict[Dimension, tuple[int, int, int]]] = defaultdict(dict)
    team_totals: dict[Dimension, list[int]] = defaultdict(lambda: [0, 0, 0])
    for author, dimension, n, total, squares in rating_rows:
        per[author][dimension] = (n, int(total or 0), int(squares or 0))
        bucket = team_totals[dimension]
        bucket[0] += n
        bucket[1] += int(total or 0)
        bucket[2] += int(squares or 0)
    team = {d: _mean(*team_totals[d][:2]) if d in team_totals else None for d in Dimension}
    all_team = [sum(b[i] for b in team_totals.values()) for i in range(3)]

    figures: dict[int, InterviewerFigures] = {
        uid: InterviewerFigures(u) for uid, u in users.items()
    }
    for author, dimension, count in ((a, d, c) for a, d, c in decision_rows if a in figures):
        figures[author].scorecards += count
        if dimension is not None:
            figures[author].decisions[dimension] = count
    for f in figures.values():
        decided = sum(f.decisions.values())
        f.decisions = {
            d: round(100 * f.decisions.get(d, 0) / decided) if decided else 0 for d in Decision
        }
        sums = per.get(f.user.id, {})
        f.means = [
            DimensionMean(
                d,
                GUIDES[d].label,
                _mean(*sums[d][:2]) if d in sums else None,
                team[d],
            )
            for d in Dimension
        ]
        totals = [sum(s[i] for s in sums.values()) for i in range(3)]
        f.spread = _spread(*totals)
    delays: dict[int, list[float]] = defaultdict(list)
    for author, started, submitted in delay_rows:
        delays[author].append(max(0.0, (submitted - started).total_seconds() / 3600))
    for author, hours in delays.items():
        if author in figures:
            figures[author].median_hours = round(statistics.median(hours), 1)
    ordered = sorted(figures.values(), key=lambda f: f.user.name.lower())
    return Calibration(ordered, team, _spread(*all_team))


def _mean(n: int, total: int) -> float | None:
    return round(total / n, 2) if n else None


def _spread(n: int, total: int, squares: int) -> float | None:
    """Population standard deviation from count, sum and sum of squares."""
    if not n:
        return None
    mean = total / n
    return round(math.sqrt(max(0.0, squares / n - mean * mean)), 2)
