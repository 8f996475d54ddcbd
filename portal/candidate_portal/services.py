"""What a signed-in candidate sees: their own journey and released feedback, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import (
    Candidate,
    Feedback,
    FeedbackRevision,
    FeedbackState,
    Interview,
    Position,
    Stage,
    User,
)
from portal.referrals.services import offers_for_candidate


@dataclass(frozen=True)
class JourneyStep:
    interview: Interview
    released: list[Feedback]


def home_page(user: User) -> dict[str, Any]:
    """What the candidate's start page shows (at /, for the candidate role): their journey,
    released feedback and the offers waiting for them."""
    candidate = candidate_for(user)
    if candidate is None:
        return {"candidate": None}
    steps = journey(candidate)
    return {
        "candidate": candidate,
        "steps": steps,
        "stages": list(Stage),
        "furthest": furthest_stage(steps),
        "released": [f for s in steps for f in s.released],
        "offers": offers_for_candidate(candidate.id),
    }


def candidate_for(user: User) -> Candidate | None:
    return db.session.scalar(
        select(Candidate).where(Candidate.user_id == user.id, Candidate.erased_at.is_(None))
    )


def journey(candidate: Candidate) -> list[JourneyStep]:
    """Every interview in order, with only the released scorecards attached."""
    interviews = db.session.scalars(
        select(Interview)
        .where(Interview.candidate_id == candidate.id)
        .options(
            joinedload(Interview.position).joinedload(Position.company),
            # The page shows when an amended scorecard was last updated: its revisions' dates
            # only, for every scorecard at once (not their content, not one query each).
            selectinload(Interview.feedback)
            .selectinload(Feedback.revisions)
            .load_only(FeedbackRevision.number, FeedbackRevision.released_at),
        )
        .order_by(Interview.scheduled_at, Interview.id)
    ).all()
    return [
        JourneyStep(i, [f for f in i.feedback if f.state is FeedbackState.RELEASED])
        for i in interviews
    ]


def furthest_stage(steps: list[JourneyStep]) -> Stage | None:
    stages = [s.interview.stage for s in steps]
    return max(stages, key=lambda s: s.order) if stages else None


def released_feedback_for(user: User, feedback_id: int) -> Feedback | None:
    """The feedback if it is released and belongs to this user's candidate profile."""
    return db.session.scalar(
        select(Feedback)
        .join(Feedback.interview)
        .join(Interview.candidate)
        .where(
            Feedback.id == feedback_id,
            Feedback.state == FeedbackState.RELEASED,
            Candidate.user_id == user.id,
            Candidate.erased_at.is_(None),
        )
    )
