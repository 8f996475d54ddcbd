"""Helpers for the report tests: scorecards and referrals as recruiters leave them."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.extensions import db
from portal.feedback.content import candidate_content
from portal.models import (
    Candidate,
    Company,
    Decision,
    Dimension,
    Feedback,
    FeedbackRevision,
    FeedbackState,
    Interview,
    LeadKind,
    Rating,
    Referral,
    ReferralKind,
    ReferralStatus,
    User,
    utcnow,
)
from portal.unit_of_work import commit

PRIVATE_NOTE = "PRIVATE-NOTE-7f3a: salary expectation above band, check with hiring manager"

DEFAULT_SCORES = {
    Dimension.PRESENCE: 4,
    Dimension.EXCHANGE: 3,
    Dimension.LISTENING: 4,
    Dimension.QUESTIONS: 2,
    Dimension.PREPARATION: 1,
    Dimension.COMPOSURE: 5,
}


def scorecard(
    interview: Interview,
    author: User,
    *,
    state: FeedbackState = FeedbackState.RELEASED,
    scores: dict[Dimension, int | None] | None = None,
    examples: dict[Dimension, str] | None = None,
    **fields: Any,
) -> Feedback:
    """A scorecard with ratings; released ones get their first revision like a real release."""
    values: dict[str, Any] = {
        "decision": Decision.INVITE,
        "next_step": "A case study with the analytics lead.",
        "next_step_on": date(2026, 3, 20),
        "strengths": "You walked through the dashboard rebuild step by step.",
        "improvements": "Your answer on stakeholder conflict stayed general.",
        "practice_suggestions": "Prepare two short stories with a clear result.",
        "insight_plans": "The team is moving into self-service reporting.",
        "insight_competitors": "Two regional competitors are hiring analysts.",
        "insight_markets": "Forecasting for small retailers is growing.",
        "insight_role_fit": "The role is hands-on with pipelines.",
        "private_notes": PRIVATE_NOTE,
    }
    values.update(fields)
    feedback = Feedback(interview=interview, author=author, state=FeedbackState.DRAFT, **values)
    examples = examples or {}
    for dimension, score in (DEFAULT_SCORES if scores is None else scores).items():
        feedback.ratings.append(
            Rating(dimension=dimension, score=score, example=examples.get(dimension))
        )
    db.session.add(feedback)
    if state is FeedbackState.RELEASED:
        release(feedback)
    else:
        feedback.state = state
    commit()
    return feedback


def release(feedback: Feedback, reason: str | None = None) -> FeedbackRevision:
    """Freeze the candidate-visible content as the next revision (release or amendment)."""
    feedback.revision = (feedback.revision or 0) + 1
    feedback.state = FeedbackState.RELEASED
    feedback.released_at = utcnow()
    revision = FeedbackRevision(
        number=feedback.revision,
        content=candidate_content(feedback),
        reason=reason,
        released_by=feedback.author,
        released_at=feedback.released_at,
    )
    feedback.revisions.append(revision)
    commit()
    return revision


def referral(
    candidate: Candidate,
    proposer: User,
    *,
    status: ReferralStatus = ReferralStatus.APPROVED,
    kind: ReferralKind = ReferralKind.LEAD,
    company: Company | None = None,
    role_title: str | None = "Analytics roles",
    market: str | None = None,
    lead_kind: LeadKind | None = LeadKind.COMPETITOR,
    feedback: Feedback | None = None,
    note: str = "Your questions about planning stood out; this team works the same way.",
) -> Referral:
    item = Referral(
        candidate=candidate,
        kind=kind,
        lead_kind=lead_kind if kind is ReferralKind.LEAD else None,
        status=status,
        company=company,
        role_title=role_title,
        market=market,
        note_to_candidate=note,
        feedback=feedback,
        proposed_by=proposer,
    )
    db.session.add(item)
    commit()
    return item
