"""What a signed-in candidate sees: their own journey and released feedback, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import tokens
from portal.answers import services as answers
from portal.extensions import db
from portal.models import (
    Candidate,
    CandidateAnswer,
    Feedback,
    FeedbackRevision,
    FeedbackState,
    FeedbackThread,
    Gain,
    Interview,
    Position,
    Stage,
    User,
)
from portal.permissions import can_view_thread, handler_id
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
        "answers": answers_by_feedback(candidate),
        "gains": list(Gain),
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


@dataclass(frozen=True)
class Say:
    """The "Your say" part of a released feedback page: the candidate's answer, their
    threads, whether the window is open, and who reads what they write."""

    answer: CandidateAnswer | None
    threads: list[FeedbackThread]
    window_open: bool
    closes_at: datetime
    handler: User | None


def say_for(feedback: Feedback) -> Say:
    return Say(
        answer=answers.answer_for(feedback),
        threads=answers.threads_for(feedback),
        window_open=answers.window_open(feedback),
        closes_at=answers.window_closes_at(feedback),
        handler=db.session.get(User, handler_id(feedback)),
    )


def answers_by_feedback(candidate: Candidate) -> dict[int, CandidateAnswer]:
    """The candidate's answers, by feedback id (their start page says which are waiting)."""
    rows = db.session.scalars(
        select(CandidateAnswer).where(CandidateAnswer.candidate_id == candidate.id)
    )
    return {a.feedback_id: a for a in rows}


def thread_of(user: User, thread_id: int) -> FeedbackThread | None:
    """The candidate's own thread on released feedback, or None (someone else's, or none)."""
    thread = db.session.get(FeedbackThread, thread_id)
    if thread is None or not can_view_thread(user, thread):
        return None
    if released_feedback_for(user, thread.feedback_id) is None:
        return None
    return thread


def feedback_of_link(user: User, token: str) -> Feedback:
    """The feedback a release email's answer link is for, if it is this candidate's.

    Raises TokenError (expired, tampered, or another person's link) with what to do."""
    max_age = current_app.config["ANSWER_WINDOW_DAYS"] * 86400
    try:
        data = tokens.read_token(tokens.FEEDBACK_ANSWER, token, max_age)
    except tokens.TokenError as exc:
        if isinstance(exc.__cause__, tokens.SignatureExpired):
            raise tokens.TokenError(
                "This link has expired: answers to that feedback are closed. You can still "
                "read it, and any questions you asked, from your start page."
            ) from exc
        raise
    candidate = candidate_for(user)
    feedback_id = data.get("f")
    if candidate is None or data.get("c") != candidate.id or not isinstance(feedback_id, int):
        raise tokens.TokenError(
            "This link was sent to another person. Sign in with the account the email was "
            "sent to, or open your feedback from your start page."
        )
    feedback = released_feedback_for(user, feedback_id)
    if feedback is None:
        raise tokens.TokenError("This feedback is no longer available.")
    return feedback
