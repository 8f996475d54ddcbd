"""What the recruiter dashboard shows: work waiting for me, and how my interviews went."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    Dimension,
    Feedback,
    FeedbackState,
    Interview,
    Position,
    Rating,
    User,
    utcnow,
)
from portal.rubric import GUIDES

LIST_LIMIT = 8


@dataclass(frozen=True)
class DimensionAverage:
    dimension: Dimension
    label: str
    average: float | None
    count: int


def awaiting_feedback(user: User) -> list[Interview]:
    """Past interviews this person ran without a scorecard of theirs, oldest first."""
    mine = exists().where(Feedback.interview_id == Interview.id, Feedback.author_id == user.id)
    return list(
        db.session.scalars(
            select(Interview)
            .where(Interview.interviewer_id == user.id, Interview.scheduled_at <= utcnow(), ~mine)
            .options(
                joinedload(Interview.candidate),
                joinedload(Interview.position).joinedload(Position.company),
            )
            .order_by(Interview.scheduled_at.asc())
            .limit(LIST_LIMIT)
        )
    )


def my_feedback(user: User, state: FeedbackState) -> list[Feedback]:
    order = (
        Feedback.released_at.desc()
        if state is FeedbackState.RELEASED
        else Feedback.updated_at.desc()
    )
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.author_id == user.id, Feedback.state == state)
            .options(
                joinedload(Feedback.interview).joinedload(Interview.candidate),
                joinedload(Feedback.interview).joinedload(Interview.position),
            )
            .order_by(order)
            .limit(LIST_LIMIT)
        )
    )


def engagement_averages(user: User | None) -> list[DimensionAverage]:
    """Average rating per dimension over submitted and released scorecards.

    With no user, the averages are the whole team's.
    """
    query = (
        select(Rating.dimension, func.avg(Rating.score), func.count(Rating.score))
        .join(Rating.feedback)
        .where(
            Feedback.state.in_([FeedbackState.SUBMITTED, FeedbackState.RELEASED]),
            Rating.score.is_not(None),
        )
        .group_by(Rating.dimension)
    )
    if user is not None:
        query = query.where(Feedback.author_id == user.id)
    rows = {dim: (float(avg), count) for dim, avg, count in db.session.execute(query)}
    return [
        DimensionAverage(
            dim,
            GUIDES[dim].label,
            round(rows[dim][0], 1) if dim in rows else None,
            rows.get(dim, (0, 0))[1],
        )
        for dim in Dimension
    ]


def state_counts(user: User | None) -> dict[FeedbackState, int]:
    query = select(Feedback.state, func.count()).group_by(Feedback.state)
    if user is not None:
        query = query.where(Feedback.author_id == user.id)
    counts = dict(db.session.execute(query).all())
    return {state: counts.get(state, 0) for state in FeedbackState}
