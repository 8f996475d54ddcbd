"""What of a scorecard the candidate may see, as plain data (never the private notes, the
adjustment reasons or the answers to internal questions)."""

from __future__ import annotations

from typing import Any

from portal.feedback.vocabulary import CANDIDATE_TEXT_FIELDS
from portal.models import Feedback
from portal.scorecards.services import definition_of

__all__ = ["CANDIDATE_TEXT_FIELDS", "candidate_content"]


def candidate_content(feedback: Feedback) -> dict[str, Any]:
    """The candidate-visible scorecard, ready to be frozen into a released revision. Role
    skills carry their name, meaning and practice suggestions as the template version had
    them, so the report of a release reads nothing but the release."""
    content: dict[str, Any] = {field: getattr(feedback, field) for field in CANDIDATE_TEXT_FIELDS}
    content["decision"] = feedback.decision.value if feedback.decision else None
    content["next_step_on"] = feedback.next_step_on.isoformat() if feedback.next_step_on else None
    content["ratings"] = [
        {"dimension": r.dimension.value, "score": r.score, "example": r.example}
        for r in feedback.ratings
    ]
    definition = definition_of(feedback.template_version)
    ratings = {r.skill_key: r for r in feedback.skill_ratings}
    content["skills"] = [
        {
            "key": skill.key,
            "name": skill.name,
            "meaning": skill.meaning,
            "score": ratings[skill.key].score,
            "example": ratings[skill.key].example,
            "practice": list(skill.practice),
        }
        for skill in definition.skills
        if skill.key in ratings
    ]
    answers = {a.question_key: a.text for a in feedback.answers}
    content["answers"] = [
        {"key": q.key, "question": q.text, "text": answers[q.key]}
        for q in definition.questions
        if q.candidate_facing and answers.get(q.key)
    ]
    return content
