"""What a candidate's report says, as plain frozen data: the contract between the builders
(portal/reports/queries.py, portal/reports/wording.py) and the renderer.

Nothing here knows about the database: the renderer imports only these types, so rendering a
PDF never loads the ORM. `canonical_json` serialises exactly this data (the tests read it to
prove what a report can and cannot contain).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

# Bump whenever templates, CSS, fonts or the renderer change what a PDF looks like:
# it is part of the fingerprint, so cached PDFs made by older templates are not reused.
TEMPLATE_VERSION = "2026.3"

ReportKindName = Literal["interview", "journey"]


class ReportUnavailable(LookupError):
    """There is no released feedback to build this report from (or the candidate is erased)."""


@dataclass(frozen=True)
class StageStep:
    """One step of the selection process stepper on the cover."""

    stage: str
    label: str
    state: str  # "done", "current", "next" (invited to it) or "upcoming"


@dataclass(frozen=True)
class Gain:
    """One card of the summary page: a plain status word and one line of detail."""

    number: int
    title: str
    status: str
    detail: str
    achieved: bool


@dataclass(frozen=True)
class DimensionRating:
    dimension: str
    label: str
    score: int | None
    band: str
    example: str | None


@dataclass(frozen=True)
class InterviewerAnswer:
    """The interviewer's answer to one of the template's candidate-facing questions."""

    question: str
    text: str


@dataclass(frozen=True)
class ActionItem:
    """Practice tied to one of the two lowest ratings: an engagement dimension (advice from
    the rubric) or a role skill (advice from the scorecard's template, frozen at release)."""

    dimension: str
    label: str
    band: str
    practice: str


@dataclass(frozen=True)
class ScorecardRef:
    """A released scorecard the report draws on, in date order (one trend point each)."""

    feedback_id: int
    revision: int
    interview_date: date
    stage: str
    stage_label: str
    company: str
    position_title: str
    decision_label: str


@dataclass(frozen=True)
class Trend:
    """Scores of one dimension or role skill across `ReportData.scorecards`, aligned by
    position (None where that interview did not rate it)."""

    dimension: str
    label: str
    scores: tuple[int | None, ...]


@dataclass(frozen=True)
class ReferralItem:
    kind: str  # "referral" or "lead"
    kind_label: str
    company: str | None
    role_or_market: str | None
    note: str
    status: str
    state_label: str
    next_step: str


@dataclass(frozen=True)
class InsightParagraph:
    topic: str
    title: str
    text: str
    source: str | None  # which interview it came from (journey report only)


@dataclass(frozen=True)
class Amendment:
    """A correction of released feedback, as the candidate is told about it."""

    stage_label: str
    revision: int
    released_on: date
    reason: str


@dataclass(frozen=True)
class SaidGain:
    """How often the candidate said they got one of the four gains (journey report only)."""

    label: str
    yes: int
    partly: int
    no: int


@dataclass(frozen=True)
class SaidWords:
    """A comment the candidate wrote about one interview's feedback, in their words."""

    stage_label: str
    interview_date: date
    text: str


@dataclass(frozen=True)
class ReportData:
    """Everything a candidate's PDF report shows, and nothing else."""

    kind: ReportKindName
    title: str
    candidate_name: str
    company: str
    position_title: str
    interview_dates: tuple[date, ...]
    report_date: date
    current_stage: str
    current_stage_label: str
    stages: tuple[StageStep, ...]
    gains: tuple[Gain, ...]
    ratings: tuple[DimensionRating, ...]
    strengths: tuple[str, ...]
    improvements: tuple[str, ...]
    action_plan: tuple[ActionItem, ...]
    practice_suggestions: tuple[str, ...]
    checklist: tuple[str, ...]
    scorecards: tuple[ScorecardRef, ...]
    trends: tuple[Trend, ...]
    referrals: tuple[ReferralItem, ...]
    insights: tuple[InsightParagraph, ...]
    decision: str | None
    decision_label: str
    next_step: str | None
    next_step_on: date | None
    # Corrections of the feedback this report reads, with the reason the recruiter gave.
    amendments: tuple[Amendment, ...] = ()
    # The role skills of the scorecard's template (empty when it had none), with the same
    # bands as the engagement dimensions; `dimension` holds the skill's key.
    role_skills: tuple[DimensionRating, ...] = ()
    # Journey report: a role skill's scores where its key recurs across interviews.
    skill_trends: tuple[Trend, ...] = ()
    answers: tuple[InterviewerAnswer, ...] = ()
    # Journey report, for the candidate only: what they said they gained so far (counts over
    # the interviews they answered) and their comments. `say_shown` is False in the copy
    # staff open, which leaves the candidate's answers out.
    say_shown: bool = False
    answered: int = 0
    said: tuple[SaidGain, ...] = ()
    said_words: tuple[SaidWords, ...] = ()

    @property
    def covers(self) -> tuple[tuple[int, int], ...]:
        """(feedback id, revision number) of every released revision the report reads."""
        return tuple((s.feedback_id, s.revision) for s in self.scorecards)


def canonical_json(data: ReportData) -> str:
    """A stable JSON form of the report data: sorted keys, ISO dates, no whitespace."""

    def encode(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(f"cannot encode {type(value).__name__}")

    return json.dumps(
        dataclasses.asdict(data),
        default=encode,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
