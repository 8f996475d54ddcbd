"""The scorecard's words, defined once: its text fields, their labels, hints, sections and
limits, who reads them, and how a report titles them. Forms, services, the release check,
reports, templates (`scorecard` in every template) and both seeders read this; the rubric's
dimensions are in `portal.rubric`.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.rubric import RUBRIC
from portal.scorecards.definition import Definition

TEXT_LIMIT = 4000
EXAMPLE_LIMIT = 600
AMENDMENT_REASON_LIMIT = 1000


@dataclass(frozen=True)
class TextField:
    name: str  # the column on Feedback and the form field
    label: str  # what staff read beside it
    hint: str
    section: str  # next_round, skills, insight, private
    candidate_facing: bool  # released to the candidate, screened by the release check
    limit: int = TEXT_LIMIT
    report_title: str | None = None  # the report's heading, written to the candidate
    report_phrase: str | None = None  # the report's summary names it so


TEXT_FIELDS: tuple[TextField, ...] = (
    TextField(
        "next_step",
        "Next step",
        "What happens next for the candidate, in a sentence or two.",
        "next_round",
        True,
    ),
    TextField(
        "strengths",
        "Strengths",
        "What the candidate did well, as observed behaviour.",
        "skills",
        True,
    ),
    TextField(
        "improvements",
        "Areas to improve",
        "Specific, observed, tied to the role's requirements.",
        "skills",
        True,
    ),
    TextField(
        "practice_suggestions",
        "Practice suggestions",
        "Two or three concrete things to practise, one per line.",
        "skills",
        True,
    ),
    TextField(
        "insight_plans",
        "The company's plans",
        "What you shared about where the company is heading.",
        "insight",
        True,
        report_title="The company's plans",
        report_phrase="the company's plans",
    ),
    TextField(
        "insight_competitors",
        "Competitors with openings",
        "Companies in this space that are hiring.",
        "insight",
        True,
        report_title="Competitors with openings",
        report_phrase="competitors that are hiring",
    ),
    TextField(
        "insight_markets",
        "Emerging markets",
        "Markets or niches that could suit the candidate.",
        "insight",
        True,
        report_title="Emerging markets",
        report_phrase="emerging markets",
    ),
    TextField(
        "insight_role_fit",
        "Is the role right for them?",
        "An honest view of how the role matches what they want.",
        "insight",
        True,
        report_title="Is this role right for you?",
        report_phrase="the fit of the role",
    ),
    TextField(
        "private_notes",
        "Private recruiter notes",
        "Only you and admins see these. They never appear in the portal, reports or "
        "exports, nor to the rest of the panel.",
        "private",
        False,
    ),
)

FIELDS = {f.name: f for f in TEXT_FIELDS}
CANDIDATE_TEXT_FIELDS = tuple(f.name for f in TEXT_FIELDS if f.candidate_facing)
INSIGHT_FIELDS = tuple(f for f in TEXT_FIELDS if f.section == "insight")
# What the debrief sets side by side and the panel's feedback starts from: every candidate-
# facing text (private notes stay their author's).
PANEL_TEXT_FIELDS = CANDIDATE_TEXT_FIELDS
ADJUSTMENT_LIMIT = 600
# Every input of the scorecard form that holds free text, for labels and the release check.
EXAMPLE_FIELDS = {f"example_{g.dimension.value}": g for g in RUBRIC}
AMENDMENT_REASON = "amendment_reason"

LABELS: dict[str, str] = {
    **{f.name: f.label for f in TEXT_FIELDS},
    **{name: f"Observed example: {g.label.lower()}" for name, g in EXAMPLE_FIELDS.items()},
    AMENDMENT_REASON: "Reason for the amendment",
    **{
        f"adjust_{g.dimension.value}": f"Why this differs from the panel: {g.label.lower()}"
        for g in RUBRIC
    },
}


def label(name: str) -> str:
    """What a field of the scorecard is called where staff read it."""
    return LABELS.get(name) or name.replace("_", " ").capitalize()


# --- the template's part of the scorecard (portal/scorecards/definition.py) -------------------
# A role skill `key` is rated in `rate_<key>` with its example in `evidence_<key>` (and, on the
# panel's feedback, the reason for moving off the median in `reason_<key>`); a question's answer
# is `answer_<key>`. The prefixes are what the form refuses when a key is not in the template.
RATE, EVIDENCE, REASON, ANSWER = "rate_", "evidence_", "reason_", "answer_"
TEMPLATE_PREFIXES = (RATE, EVIDENCE, REASON, ANSWER)


def template_labels(definition: Definition) -> dict[str, str]:
    """What the template's fields are called where staff read them (form, release check)."""
    labels = {}
    for skill in definition.skills:
        labels[RATE + skill.key] = skill.name
        labels[EVIDENCE + skill.key] = f"Observed example: {skill.name.lower()}"
        labels[REASON + skill.key] = f"Why this differs from the panel: {skill.name.lower()}"
    for question in definition.questions:
        labels[ANSWER + question.key] = question.text
    return labels
