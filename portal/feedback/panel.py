"""Panels: who interviews, who has scored, the debrief, and the panel's one voice.

An interview has a panel of one to MAX_PANEL interviewers; the lead (`Interview.interviewer`,
the recruiter by default) is one of them. Each member writes a scorecard of their own
(`FeedbackKind.MEMBER`) and cannot read the others' until theirs is submitted
(`permissions.can_view_feedback`). Once every member has submitted, the lead writes the
panel's feedback (`FeedbackKind.PANEL`) from the debrief: ratings start from the panel's
median, texts from what the members wrote; that one scorecard goes through the release check
and the usual lifecycle, and is what the candidate reads. A panel of one has no debrief: the
member's own scorecard is released, as it always was.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.extensions import db
from portal.feedback.vocabulary import PANEL_TEXT_FIELDS, REASON
from portal.models import (
    SUBMITTED_STATES,
    Decision,
    Dimension,
    Feedback,
    FeedbackKind,
    FeedbackState,
    Interview,
    PanelMember,
    QuestionAnswer,
    Rating,
    SkillRating,
    User,
)
from portal.permissions import ERASED_MESSAGE, has_released, is_erased
from portal.rubric import GUIDES
from portal.scorecards.definition import ENGAGEMENT_ONLY, Definition
from portal.scorecards.services import definition_of, version_for
from portal.unit_of_work import DomainError

MAX_PANEL = 5
# A dimension where the panel's ratings differ by this much or more is flagged in the debrief.
DISAGREEMENT_SPREAD = 2
# At release, a member whose ratings for this candidate differ from their own average by this
# much gets a quiet note (information for the lead, never a block).
CALIBRATION_NOTE_GAP = 1.0


class PanelError(DomainError):
    """A panel rule refused the change; the message is safe to show."""


# --- who is on it ------------------------------------------------------------------------------


def member_ids(interview: Interview) -> list[int]:
    return [m.user_id for m in interview.panel]


def is_panel(interview: Interview) -> bool:
    """More than one interviewer: scorecards are consolidated before the candidate reads one."""
    return len(interview.panel) > 1


def set_panel(interview: Interview, people: Sequence[User], *, lead: User, actor: User) -> None:
    """Make `people` (with the lead among them) the interview's panel.

    Refused once feedback is released (what the candidate read came from this panel), and for
    a member who has already submitted a scorecard (their score is part of the debrief)."""
    if is_erased(interview.candidate):
        raise PanelError(ERASED_MESSAGE)
    wanted = {u.id: u for u in [lead, *people]}
    current = {m.user_id: m for m in interview.panel}
    if set(current) == set(wanted) and interview.interviewer_id == lead.id:
        return  # unchanged (people who have since left may stay where they were)
    newcomers = [p for uid, p in wanted.items() if uid not in current]
    if lead.id != interview.interviewer_id and lead not in newcomers:
        newcomers.append(lead)
    for person in newcomers:
        if not person.is_staff or not person.active:
            raise PanelError(
                f"{person.name} cannot interview: only active recruiters and admins sit on "
                "a panel.",
                field="panel_ids",
            )
    if len(wanted) > MAX_PANEL:
        raise PanelError(
            f"A panel has at most {MAX_PANEL} interviewers; you chose {len(wanted)}.",
            field="panel_ids",
        )
    if interview.id is not None and has_released(interview):
        raise PanelError(
            "The panel is fixed once feedback is released: the candidate's feedback came "
            "from these interviewers.",
            field="panel_ids",
        )
    submitted = {f.author_id for f in member_scorecards(interview) if f.state in SUBMITTED_STATES}
    for user_id, member in current.items():
        if user_id not in wanted:
            if user_id == actor.id:  # or they could read the others' scores, then come back
                raise PanelError(
                    "You cannot take yourself off a panel; ask the lead or an admin.",
                    field="panel_ids",
                )
            if user_id in submitted:
                raise PanelError(
                    f"{member.user.name} has submitted a scorecard for this interview, so "
                    "they stay on the panel.",
                    field="panel_ids",
                )
            interview.panel.remove(member)
    for user_id, person in wanted.items():
        if user_id not in current:
            interview.panel.append(PanelMember(user=person))
    interview.interviewer = lead
    db.session.flush()
    if interview.id is not None:
        audit.record(
            "panel_changed",
            interview,
            actor=actor,
            members=sorted(wanted),
            lead=lead.id,
        )


# --- where it stands ---------------------------------------------------------------------------


def member_scorecards(interview: Interview) -> list[Feedback]:
    """The members' own scorecards (of people on the panel now)."""
    members = set(member_ids(interview))
    return [
        f for f in interview.feedback if f.kind is FeedbackKind.MEMBER and f.author_id in members
    ]


def panel_feedback(interview: Interview) -> Feedback | None:
    return next((f for f in interview.feedback if f.kind is FeedbackKind.PANEL), None)


@dataclass(frozen=True)
class Seat:
    """One member and where their scorecard stands."""

    user: User
    is_lead: bool
    scorecard: Feedback | None

    @property
    def submitted(self) -> bool:
        return self.scorecard is not None and self.scorecard.state in SUBMITTED_STATES

    @property
    def status(self) -> str:
        if self.scorecard is None:
            return "Not started"
        if self.submitted:
            return "Submitted"
        return "Draft"


def seats(interview: Interview) -> list[Seat]:
    """The panel, lead first, with each member's own scorecard."""
    own = {f.author_id: f for f in member_scorecards(interview)}
    rows = [
        Seat(m.user, m.user_id == interview.interviewer_id, own.get(m.user_id))
        for m in interview.panel
    ]
    return sorted(rows, key=lambda s: (not s.is_lead, s.user.name.lower()))


# --- the debrief -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionRow:
    """One rated line of the debrief: an engagement dimension or a role skill (`dimension`
    is None), keyed by dimension value or skill key."""

    key: str
    label: str
    scores: list[tuple[User, int | None]]
    examples: list[tuple[User, str]]
    dimension: Dimension | None = None

    @property
    def rated(self) -> list[int]:
        return [s for _, s in self.scores if s is not None]

    @property
    def spread(self) -> int | None:
        return max(self.rated) - min(self.rated) if self.rated else None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD

    @property
    def median(self) -> int | None:
        return panel_median(self.rated)


@dataclass(frozen=True)
class Debrief:
    interview: Interview
    seats: list[Seat]
    dimensions: list[DimensionRow]
    decisions: Counter
    texts: dict[str, list[tuple[User, str]]] = field(default_factory=dict)
    skills: list[DimensionRow] = field(default_factory=list)
    # The template's questions: each member's answer, by question key.
    answers: dict[str, list[tuple[User, str]]] = field(default_factory=dict)
    definition: Definition = ENGAGEMENT_ONLY

    @property
    def complete(self) -> bool:
        return all(s.submitted for s in self.seats)

    @property
    def disagreements(self) -> list[DimensionRow]:
        return [d for d in [*self.dimensions, *self.skills] if d.disagreement]

    @property
    def waiting_for(self) -> list[User]:
        return [s.user for s in self.seats if not s.submitted]


def panel_median(scores: Iterable[int]) -> int | None:
    """The panel's median rating, rounded half up (3 and 4 give 4): a whole number on the
    1-5 scale, as every rating is."""
    values = sorted(scores)
    if not values:
        return None
    middle = statistics.median(values)
    return int(middle + 0.5)


def debrief(interview: Interview) -> Debrief:
    """Every submitted scorecard side by side: ratings per dimension with their spread, the
    decisions tallied, and each member's words per field. Drafts are left out."""
    panel_seats = seats(interview)
    loaded = {f.id: f for f in _submitted_cards(interview)}
    cards = [
        (s.user, loaded[s.scorecard.id])
        for s in panel_seats
        if s.submitted and s.scorecard and s.scorecard.id in loaded
    ]
    rows = []
    for dimension in Dimension:
        scores, examples = [], []
        for user, card in cards:
            rating = next((r for r in card.ratings if r.dimension is dimension), None)
            scores.append((user, rating.score if rating else None))
            if rating and rating.example:
                examples.append((user, rating.example))
        rows.append(
            DimensionRow(dimension.value, GUIDES[dimension].label, scores, examples, dimension)
        )
    skill_rows = []
    definition = definition_of(version_for(interview))
    answers = {
        q.key: [
            (user, a.text)
            for user, card in cards
            for a in card.answers
            if a.question_key == q.key and a.text
        ]
        for q in definition.questions
    }
    for skill in definition.skills:
        scores, examples = [], []
        for user, card in cards:
            rating = next((r for r in card.skill_ratings if r.skill_key == skill.key), None)
            scores.append((user, rating.score if rating else None))
            if rating and rating.example:
                examples.append((user, rating.example))
        skill_rows.append(DimensionRow(skill.key, skill.name, scores, examples))
    decisions = Counter(card.decision for _, card in cards if card.decision is not None)
    texts = {
        name: [(user, getattr(card, name)) for user, card in cards if getattr(card, name)]
        for name in PANEL_TEXT_FIELDS
    }
    return Debrief(interview, panel_seats, rows, decisions, texts, skill_rows, answers, definition)


def _submitted_cards(interview: Interview) -> list[Feedback]:
    """The submitted members' scorecards with their ratings, in one query (the pages load the
    interview's scorecards with their states only)."""
    return list(
        db.session.scalars(
            select(Feedback)
            .where(
                Feedback.interview_id == interview.id,
                Feedback.kind == FeedbackKind.MEMBER,
                Feedback.author_id.in_(member_ids(interview)),
                Feedback.state.in_(SUBMITTED_STATES),
            )
            .options(
                selectinload(Feedback.ratings),
                selectinload(Feedback.skill_ratings),
                selectinload(Feedback.answers),
            )
        )
    )


def start_panel_feedback(interview: Interview, actor: User) -> Feedback:
    """The panel's feedback, created from the debrief when the panel is complete: ratings at
    the panel's median, texts gathered from what each member wrote, for the lead to edit."""
    if is_erased(interview.candidate):
        raise PanelError(ERASED_MESSAGE)
    existing = panel_feedback(interview)
    if existing is not None:
        return existing
    if not is_panel(interview):
        raise PanelError("A panel of one has no debrief: release the scorecard itself.")
    summary = debrief(interview)
    if not summary.complete:
        names = ", ".join(u.name for u in summary.waiting_for)
        raise PanelError(f"Every member submits first; still waiting for {names}.")
    feedback = Feedback(
        interview=interview,
        author=actor,
        kind=FeedbackKind.PANEL,
        state=FeedbackState.DRAFT,
        template_version=version_for(interview),  # the members' version
    )
    for row in summary.skills:
        feedback.skill_ratings.append(
            SkillRating(
                skill_key=row.key,
                score=row.median,
                example=_gathered(text for _, text in row.examples),
            )
        )
    for row in summary.dimensions:
        feedback.ratings.append(
            Rating(
                dimension=row.dimension,
                score=row.median,
                example=_gathered(text for _, text in row.examples),
            )
        )
    for name, entries in summary.texts.items():
        setattr(feedback, name, _gathered(text for _, text in entries))
    for key, entries in summary.answers.items():
        if gathered := _gathered(text for _, text in entries):
            feedback.answers.append(QuestionAnswer(question_key=key, text=gathered))
    if len(summary.decisions) == 1:  # unanimous: start there; otherwise the lead decides
        feedback.decision = next(iter(summary.decisions))
    dates = {
        card.next_step_on for s in summary.seats if (card := s.scorecard) and card.next_step_on
    }
    if len(dates) == 1:
        feedback.next_step_on = dates.pop()
    db.session.add(feedback)
    db.session.flush()
    audit.record("panel_feedback_started", feedback, actor=actor, interview_id=interview.id)
    return feedback


def _gathered(texts: Iterable[str]) -> str | None:
    """Distinct texts, one paragraph each, in panel order: a draft to edit, not a verdict."""
    unique = list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
    return "\n\n".join(unique) or None


def medians(interview: Interview) -> dict[str, int | None]:
    """The panel's median per dimension value and role-skill key."""
    summary = debrief(interview)
    return {row.key: row.median for row in [*summary.dimensions, *summary.skills]}


# --- calibration at release --------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationNote:
    user: User
    here: float
    usual: float
    count: int

    @property
    def direction(self) -> str:
        return "higher" if self.here > self.usual else "lower"


def calibration_notes(interview: Interview) -> list[CalibrationNote]:
    """Members whose ratings for this candidate sit far from their own average over every
    other scorecard they submitted. One query for the whole panel."""
    cards = _submitted_cards(interview)
    if len(cards) < 2:
        return []
    rows = db.session.execute(
        select(Feedback.author_id, func.avg(Rating.score), func.count(func.distinct(Feedback.id)))
        .join(Rating.feedback)
        .where(
            Feedback.author_id.in_([c.author_id for c in cards]),
            Feedback.kind == FeedbackKind.MEMBER,
            Feedback.state.in_(SUBMITTED_STATES),
            Feedback.interview_id != interview.id,
            Rating.score.is_not(None),
        )
        .group_by(Feedback.author_id)
    ).all()
    usual = {author: (float(avg), count) for author, avg, count in rows}
    notes = []
    for card in cards:
        scores = [r.score for r in card.ratings if r.score is not None]
        if not scores or card.author_id not in usual:
            continue
        here = sum(scores) / len(scores)
        average, count = usual[card.author_id]
        if abs(here - average) >= CALIBRATION_NOTE_GAP:
            notes.append(CalibrationNote(card.author, round(here, 1), round(average, 1), count))
    return notes


def adjustment_problems(feedback: Feedback) -> dict[str, str]:
    """Ratings of the panel's feedback moved from the panel's median without a reason."""
    if feedback.kind is not FeedbackKind.PANEL:
        return {}
    start = medians(feedback.interview)
    problems = {}
    rows = [(f"adjust_{r.dimension.value}", r.dimension.value, r) for r in feedback.ratings]
    rows += [(REASON + r.skill_key, r.skill_key, r) for r in feedback.skill_ratings]
    for field_name, key, rating in rows:
        median = start.get(key)
        moved = rating.score is not None and median is not None and rating.score != median
        if moved and not (rating.adjustment_reason or "").strip():
            problems[field_name] = "say why a rating differs from the panel's median"
    return problems


def tally(decisions: Counter) -> list[tuple[Decision, int]]:
    return [(d, decisions.get(d, 0)) for d in Decision]
