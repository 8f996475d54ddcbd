"""What of a scorecard the candidate may see, as plain data (never the private notes)."""

from __future__ import annotations

from typing import Any

from portal.feedback.vocabulary import CANDIDATE_TEXT_FIELDS
from portal.models import Feedback

__all__ = ["CANDIDATE_TEXT_FIELDS", "candidate_content"]


def candidate_content(feedback: Feedback) -> dict[str, Any]:
    """The candidate-visible scorecard, ready to be frozen into a released revision."""
    content: dict[str, Any] = {field: getattr(feedback, field) for field in CANDIDATE_TEXT_FIELDS}
    content["decision"] = feedback.decision.value if feedback.decision else None
    content["next_step_on"] = feedback.next_step_on.isoformat() if feedback.next_step_on else None
    content["ratings"] = [
        {"dimension": r.dimension.value, "score": r.score, "example": r.example}
        for r in feedback.ratings
    ]
    return content
