"""The scorecard's rules: who edits it, its lifecycle, the derived score, amendments.

Lifecycle: draft -> submitted -> released; submitted -> draft (reopened); released feedback
is immutable and changes only by amendment, which adds a revision. Every function here
flushes, records audit events and sends domain events (portal/events.py); the unit of work
commits, or rolls back when a DomainError refuses the action.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import audit, events, release_check
from portal.answers import services as answers
from portal.extensions import db
from portal.feedback import panel
from portal.feedback.content import CANDIDATE_TEXT_FIELDS, candidate_content
from portal.feedback.vocabulary import (
    AMENDMENT_REASON,
    ANSWER,
    EVIDENCE,
    RATE,
    REASON,
    TEXT_FIELDS,
)
from portal.models import (
    Decision,
    Dimension,
    Feedback,
    FeedbackKind,
    FeedbackRevision,
    FeedbackState,
    Interview,
    QuestionAnswer,
    Rating,
    ReleaseAcknowledgement,
    SkillRating,
    User,
    utcnow,
)
from portal.permissions import ERASED_MESSAGE, can_edit_feedback, can_start_feedback, is_erased
from portal.release_check import screening
from portal.release_check.screening import Finding
from portal.scorecards.definition import Definition
from portal.scorecards.services import definition_of, version_for
from portal.unit_of_work import DomainError

MIN_PRACTICE_SUGGESTIONS = 2
MAX_PRACTICE_SUGGESTIONS = 3


class FeedbackError(DomainError):
    """A lifecycle or permission rule refused the action; the message is safe to show."""


class ConflictError(FeedbackError):
    """Someone else saved this scorecard after the editor loaded it."""

    def __init__(self, feedback_id: int):
        self.feedback_id = feedback_id
        super().__init__(
            "Someone else saved this scorecard while you were editing it. Your text is kept "
            "below; compare it with the saved version shown beside it, then save again."
        )


class IncompleteError(FeedbackError):
    """What the scorecard still lacks; `problems` maps a form field to what is missing."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(
            "Complete the scorecard before it goes further: " + "; ".join(problems.values())
        )


class UnacknowledgedFindings(FeedbackError, screening.UnacknowledgedFindings):
    """The release check found wording in the scorecard that is neither fixed nor kept."""

    category = "warning"


@dataclass(frozen=True)
class ScorecardInput:
    """What the form collected, already shaped and validated for type and length."""

    scores: Mapping[Dimension, int | None]
    examples: Mapping[Dimension, str | None]
    decision: Decision | None
    next_step: str | None
    next_step_on: date | None
    strengths: str | None
    improvements: str | None
    practice_suggestions: str | None
    insight_plans: str | None
    insight_competitors: str | None
    insight_markets: str | None
    insight_role_fit: str | None
    private_notes: str | None
    # The panel's feedback only: why a rating differs from the panel's median.
    adjustments: Mapping[Dimension, str | None] = field(default_factory=dict)
    # The template's part, by skill and question key (keys the template lacks are refused).
    skill_scores: Mapping[str, int | None] = field(default_factory=dict)
    skill_examples: Mapping[str, str | None] = field(default_factory=dict)
    skill_adjustments: Mapping[str, str | None] = field(default_factory=dict)
    answers: Mapping[str, str | None] = field(default_factory=dict)


# What the form sets on the scorecard row: the decision, the date and every text field.
SCALAR_FIELDS = ("decision", "next_step_on", *(f.name for f in TEXT_FIELDS))


def _clean(value: Any) -> Any:
    """Trim free text and turn blank text into None; other values (enums, dates) pass."""
    if isinstance(value, str) and not isinstance(value, enum.Enum):
        value = value.replace("\r\n", "\n").strip()
        return value or None
    return value


def start_feedback(interview: Interview, author: User) -> Feedback:
    """The author's scorecard for this interview, created as an empty draft if needed."""
    if not can_start_feedback(author, interview):
        if is_erased(interview.candidate):
            raise FeedbackError(ERASED_MESSAGE)
        if not (author.is_staff and author.active):
            raise FeedbackError(
                "Only recruiters and admins write feedback (with an active account)."
            )
        raise FeedbackError(
            "Only the interview's panel writes scorecards for it: add yourself to the panel first."
        )
    existing = db.session.scalar(
        select(Feedback).where(
            Feedback.interview_id == interview.id,
            Feedback.author_id == author.id,
            Feedback.kind == FeedbackKind.MEMBER,
        )
    )
    if existing is not None:
        return existing
    version = version_for(interview)  # kept for good: later edits of the template make new ones
    feedback = Feedback(
        interview=interview, author=author, state=FeedbackState.DRAFT, template_version=version
    )
    for dimension in Dimension:
        feedback.ratings.append(Rating(dimension=dimension))
    for skill in definition_of(version).skills:
        feedback.skill_ratings.append(SkillRating(skill_key=skill.key))
    db.session.add(feedback)
    db.session.flush()
    audit.record("feedback_created", feedback, actor=author, interview_id=interview.id)
    return feedback


def save_feedback(
    feedback: Feedback, data: ScorecardInput, *, actor: User, expected_version: int
) -> list[str]:
    """Save a draft or submitted scorecard. Returns the names of the fields that changed."""
    _require_editor(feedback, actor)
    _require_open_to_change(feedback)
    if feedback.state is FeedbackState.RELEASED:
        raise FeedbackError("Released feedback cannot be edited; amend it instead.")
    if expected_version != feedback.lock_version:
        raise ConflictError(feedback.id)
    changed = _apply(feedback, data)
    if changed:
        _flush_or_conflict(feedback)
        audit.record(
            "feedback_saved", feedback, actor=actor, changed=changed, state=feedback.state.value
        )
        if feedback.state is FeedbackState.SUBMITTED:
            events.scorecard_changed.send(feedback)
    return changed


def submit_feedback(feedback: Feedback, *, actor: User) -> None:
    _require_editor(feedback, actor)
    if feedback.state is not FeedbackState.DRAFT:
        raise FeedbackError(
            f"Only a draft can be submitted; this scorecard is {feedback.state.value}."
        )
    problems = completeness_problems(feedback)
    if problems:
        raise IncompleteError(problems)
    _require_complete_panel(feedback)
    feedback.state = FeedbackState.SUBMITTED
    feedback.submitted_at = utcnow()
    _flush_or_conflict(feedback)
    audit.record("feedback_submitted", feedback, actor=actor)
    events.scorecard_changed.send(feedback)


def reopen_feedback(feedback: Feedback, *, actor: User) -> None:
    """Send a submitted scorecard back to draft, e.g. to rework it before release."""
    _require_editor(feedback, actor)
    _require_open_to_change(feedback)
    if feedback.state is not FeedbackState.SUBMITTED:
        raise FeedbackError(
            f"Only submitted feedback can go back to draft; this one is {feedback.state.value}."
        )
    feedback.state = FeedbackState.DRAFT
    _flush_or_conflict(feedback)
    audit.record("feedback_reopened", feedback, actor=actor)
    events.scorecard_changed.send(feedback)


def release_findings(feedback: Feedback) -> list[Finding]:
    """What the release check says about the candidate-visible text as it stands."""
    return release_check.findings(candidate_texts(feedback))


def release_feedback(
    feedback: Feedback, *, actor: User, acknowledged: set[str]
) -> FeedbackRevision:
    """Release submitted feedback to the candidate once every finding is fixed or acknowledged."""
    _require_editor(feedback, actor)
    if feedback.state is FeedbackState.RELEASED:
        raise FeedbackError("This feedback is already released; amend it to change it.")
    if feedback.state is not FeedbackState.SUBMITTED:
        raise FeedbackError("Submit the scorecard before releasing it.")
    if feedback.kind is FeedbackKind.MEMBER and panel.is_panel(feedback.interview):
        raise FeedbackError(
            "This interview has a panel: the candidate receives one voice. Release the "
            "panel's feedback, written from the debrief."
        )
    _require_complete_panel(feedback)
    problems = completeness_problems(feedback)
    if problems:
        raise IncompleteError(problems)
    revision = _new_revision(feedback, actor=actor, acknowledged=acknowledged, reason=None)
    feedback.state = FeedbackState.RELEASED
    feedback.released_at = revision.released_at
    _flush_or_conflict(feedback)
    audit.record("feedback_released", feedback, actor=actor, revision=revision.number)
    events.scorecard_changed.send(feedback)
    events.feedback_released.send(feedback, amended=False)
    return revision


def amend_feedback(
    feedback: Feedback,
    data: ScorecardInput,
    *,
    actor: User,
    expected_version: int,
    reason: str,
    acknowledged: set[str],
    resolves: Iterable[int] = (),
) -> FeedbackRevision | None:
    """Correct released feedback: a new revision with its reason; earlier ones stay as they were.
    The candidate's correction requests in `resolves` (thread ids) are resolved by it.

    A change to the private notes alone is saved without a new revision (None is returned).
    """
    _require_editor(feedback, actor)
    if feedback.state is not FeedbackState.RELEASED:
        raise FeedbackError("Only released feedback is amended; edit drafts directly.")
    if expected_version != feedback.lock_version:
        raise ConflictError(feedback.id)
    changed = _apply(feedback, data)
    visible_changes = [f for f in changed if _candidate_sees(feedback, f)]
    if not visible_changes:
        ticked = {t.id for t in answers.open_corrections(feedback)} & set(resolves)
        if ticked:
            raise FeedbackError(
                "A ticked correction request closes only with a change the candidate sees: "
                "correct the feedback, or reply in the request to say why it stands."
            )
        if not changed:
            raise FeedbackError("Nothing has changed, so there is nothing to amend.")
        _flush_or_conflict(feedback)
        audit.record("feedback_saved", feedback, actor=actor, changed=changed, state="released")
        return None
    if not reason.strip():
        raise FeedbackError("Say why you are amending released feedback; the candidate sees it.")
    problems = completeness_problems(feedback)
    if problems:
        raise IncompleteError(problems)
    revision = _new_revision(
        feedback, actor=actor, acknowledged=acknowledged, reason=reason.strip()
    )
    _flush_or_conflict(feedback)
    audit.record(
        "feedback_amended",
        feedback,
        actor=actor,
        revision=revision.number,
        changed=visible_changes,
    )  # the reason is kept with the revision; the audit log holds no words about candidates
    answers.resolve_by_amendment(feedback, resolves, actor=actor, reason=revision.reason or "")
    events.scorecard_changed.send(feedback)
    events.feedback_released.send(feedback, amended=True)
    return revision


def scorecard_definition(feedback: Feedback) -> Definition:
    """What this scorecard rates and asks beyond the engagement dimensions: its template
    version's definition (the engagement dimensions alone, weighed alike, without one)."""
    return definition_of(feedback.template_version)


def overall_score(feedback: Feedback) -> float | None:
    """The scorecard's overall score: for released feedback, the score frozen with its
    latest revision; otherwise the weighted mean of engagement and role-skill ratings with
    the weights of the scorecard's template version."""
    if feedback.state is FeedbackState.RELEASED and feedback.revisions:
        return feedback.revisions[-1].score
    return weighted_score(all_scores(feedback), scorecard_definition(feedback).all_weights())


def all_scores(feedback: Feedback) -> dict[str, int | None]:
    """Every rating of the scorecard by dimension value or skill key (the two never clash)."""
    scores: dict[str, int | None] = {r.dimension.value: r.score for r in feedback.ratings}
    keys = scorecard_definition(feedback).skill_keys
    scores.update({r.skill_key: r.score for r in feedback.skill_ratings if r.skill_key in keys})
    return scores


def weighted_score(scores: Mapping[str, int | None], weights: Mapping[str, Any]) -> float | None:
    """Weighted mean of the rated dimensions (a missing weight is 1, a weight of 0 leaves the
    dimension out)."""
    total = weight_sum = 0.0
    for dimension, score in scores.items():
        if score is None:
            continue
        weight = float(weights.get(dimension, 1))
        total += weight * score
        weight_sum += weight
    return round(total / weight_sum, 2) if weight_sum else None


def completeness_problems(feedback: Feedback) -> dict[str, str]:
    """What a scorecard still lacks before it can be submitted or released (field -> message)."""
    problems: dict[str, str] = {}
    for rating in feedback.ratings:
        if rating.score is None:
            problems[f"score_{rating.dimension.value}"] = "rate every engagement dimension"
    if len(feedback.ratings) < len(Dimension):
        problems["ratings"] = "rate every engagement dimension"
    definition = scorecard_definition(feedback)
    rated = {r.skill_key for r in feedback.skill_ratings if r.score is not None}
    for skill in definition.skills:
        if skill.key not in rated:
            problems[RATE + skill.key] = "rate every role skill"
    answered = {a.question_key for a in feedback.answers if (a.text or "").strip()}
    for question in definition.questions:
        if question.required and question.key not in answered:
            problems[ANSWER + question.key] = "answer the template's required questions"
    if feedback.decision is None:
        problems["decision"] = "choose a next-round decision"
    if not feedback.next_step:
        problems["next_step"] = "describe the next step for the candidate"
    if not feedback.strengths:
        problems["strengths"] = "name at least one strength"
    if not feedback.improvements:
        problems["improvements"] = "name at least one area to improve"
    suggestions = practice_list(feedback.practice_suggestions)
    if not MIN_PRACTICE_SUGGESTIONS <= len(suggestions) <= MAX_PRACTICE_SUGGESTIONS:
        problems["practice_suggestions"] = "give two or three practice suggestions, one per line"
    problems.update(panel.adjustment_problems(feedback))
    return problems


def practice_list(text: str | None) -> list[str]:
    return [line.strip(" -•*\t") for line in (text or "").splitlines() if line.strip(" -•*\t")]


def candidate_texts(feedback: Feedback) -> dict[str, str | None]:
    """Every piece of candidate-visible free text, keyed by form field name."""
    texts: dict[str, str | None] = {f: getattr(feedback, f) for f in CANDIDATE_TEXT_FIELDS}
    for rating in feedback.ratings:
        texts[f"example_{rating.dimension.value}"] = rating.example
    definition = scorecard_definition(feedback)
    for skill_rating in feedback.skill_ratings:
        if definition.skill(skill_rating.skill_key):
            texts[EVIDENCE + skill_rating.skill_key] = skill_rating.example
    for answer in feedback.answers:
        question = definition.question(answer.question_key)
        if question is not None and question.candidate_facing:
            texts[ANSWER + answer.question_key] = answer.text
    return texts


def _candidate_sees(feedback: Feedback, name: str) -> bool:
    """Whether a changed field is part of what the candidate reads (so amending it releases a
    new revision): not private notes, not adjustment reasons, not internal answers."""
    if name == "private_notes" or name.startswith(("adjust_", REASON)):
        return False
    if name.startswith(ANSWER):
        question = scorecard_definition(feedback).question(name.removeprefix(ANSWER))
        return question is not None and question.candidate_facing
    return True


def _require_open_to_change(feedback: Feedback) -> None:
    """A member's submitted scorecard is fixed once the panel's feedback is being written from
    it: the debrief's medians, and the reasons for moving away from them, must hold."""
    if feedback.kind is not FeedbackKind.MEMBER or feedback.state is FeedbackState.DRAFT:
        return
    if panel.panel_feedback(feedback.interview) is not None:
        raise FeedbackError(
            "The panel's feedback is being written from the submitted scorecards, so yours is "
            "fixed now. Tell the lead what you would change."
        )


def _require_complete_panel(feedback: Feedback) -> None:
    """The panel's feedback speaks for a panel whose every member has submitted."""
    if feedback.kind is not FeedbackKind.PANEL:
        return
    summary = panel.debrief(feedback.interview)
    if not panel.is_panel(feedback.interview) or not summary.complete:
        names = ", ".join(u.name for u in summary.waiting_for) or "a second interviewer"
        raise FeedbackError(
            f"The panel's feedback needs every member's scorecard; waiting for {names}."
        )


def _require_editor(feedback: Feedback, actor: User) -> None:
    if is_erased(feedback.interview.candidate):
        raise FeedbackError(ERASED_MESSAGE)
    if not can_edit_feedback(actor, feedback):
        raise FeedbackError("Only the author of this scorecard or an admin can change it.")


def _apply(feedback: Feedback, data: ScorecardInput) -> list[str]:
    # No autoflush while copying: a stale row must surface in _flush_or_conflict, not here.
    with db.session.no_autoflush:
        return _copy_fields(feedback, data)


def _copy_fields(feedback: Feedback, data: ScorecardInput) -> list[str]:
    changed = []
    for name in SCALAR_FIELDS:
        value = _clean(getattr(data, name))
        if getattr(feedback, name) != value:
            setattr(feedback, name, value)
            changed.append(name)
    ratings = {r.dimension: r for r in feedback.ratings}
    for dimension in Dimension:
        rating = ratings.get(dimension)
        if rating is None:
            rating = Rating(dimension=dimension)
            feedback.ratings.append(rating)
        score, example = data.scores.get(dimension), _clean(data.examples.get(dimension))
        if rating.score != score:
            rating.score = score
            changed.append(f"score_{dimension.value}")
        if rating.example != example:
            rating.example = example
            changed.append(f"example_{dimension.value}")
        if feedback.kind is FeedbackKind.PANEL:
            reason = _clean(data.adjustments.get(dimension))
            if rating.adjustment_reason != reason:
                rating.adjustment_reason = reason
                changed.append(f"adjust_{dimension.value}")
    changed += _copy_template_part(feedback, data)
    if changed:
        # Rating rows change without touching the scorecard row; bump its version anyway.
        feedback.updated_at = utcnow()
    return changed


def _copy_template_part(feedback: Feedback, data: ScorecardInput) -> list[str]:
    """Role-skill ratings and answers, for the keys the scorecard's template version holds;
    any other key is refused whole (nothing is saved), naming what was sent."""
    definition = scorecard_definition(feedback)
    unknown_skills = sorted(
        set(data.skill_scores) | set(data.skill_examples) | set(data.skill_adjustments)
    )
    unknown_skills = [k for k in unknown_skills if definition.skill(k) is None]
    unknown_questions = sorted(k for k in data.answers if definition.question(k) is None)
    if unknown_skills or unknown_questions:
        # Names as sent, shortened: a hand-made request may post anything as a field name.
        what = ", ".join(f"“{key[:40]}”" for key in [*unknown_skills, *unknown_questions][:3])
        raise FeedbackError(
            f"This scorecard's template has no skill or question called {what}: reload the "
            "page to see what it rates."
        )
    changed = []
    ratings = {r.skill_key: r for r in feedback.skill_ratings}
    for skill in definition.skills:
        rating = ratings.get(skill.key)
        if rating is None:
            rating = SkillRating(skill_key=skill.key)
            feedback.skill_ratings.append(rating)
        score = data.skill_scores.get(skill.key)
        if score is not None and not 1 <= score <= 5:
            raise FeedbackError(f"Rate {skill.name} from 1 to 5.")
        example = _clean(data.skill_examples.get(skill.key))
        if rating.score != score:
            rating.score = score
            changed.append(RATE + skill.key)
        if rating.example != example:
            rating.example = example
            changed.append(EVIDENCE + skill.key)
        if feedback.kind is FeedbackKind.PANEL:
            reason = _clean(data.skill_adjustments.get(skill.key))
            if rating.adjustment_reason != reason:
                rating.adjustment_reason = reason
                changed.append(REASON + skill.key)
    answers = {a.question_key: a for a in feedback.answers}
    for question in definition.questions:
        text = _clean(data.answers.get(question.key))
        answer = answers.get(question.key)
        if answer is None:
            if text is None:
                continue
            answer = QuestionAnswer(question_key=question.key)
            feedback.answers.append(answer)
        if answer.text != text:
            answer.text = text
            changed.append(ANSWER + question.key)
    return changed


def _new_revision(
    feedback: Feedback, *, actor: User, acknowledged: set[str], reason: str | None
) -> FeedbackRevision:
    texts = candidate_texts(feedback)
    if reason:
        texts[AMENDMENT_REASON] = reason  # the candidate reads it too
    try:
        findings = release_check.check(texts, acknowledged)
    except screening.UnacknowledgedFindings as exc:
        raise UnacknowledgedFindings(exc.findings) from None
    number = feedback.revision + 1
    for finding in findings:
        db.session.add(
            ReleaseAcknowledgement(
                feedback_id=feedback.id,
                revision=number,
                field=finding.field,
                category=finding.category,
                matched_text=finding.matched[:200],
                acknowledged_by_id=actor.id,
            )
        )
    weights = scorecard_definition(feedback).all_weights()
    revision = FeedbackRevision(
        number=number,
        content=candidate_content(feedback),
        weights=weights,
        score=weighted_score(all_scores(feedback), weights),
        template_version=feedback.template_version,
        reason=reason,
        released_by_id=actor.id,
        released_at=utcnow(),
    )
    feedback.revisions.append(revision)
    feedback.revision = number
    if findings:
        audit.record(
            "release_findings_acknowledged",
            feedback,
            actor=actor,
            revision=number,
            # Field and rule only: the matched words stay out of the audit log.
            findings=[f"{f.field}:{f.rule_id}" for f in findings],
        )
    return revision


def _flush_or_conflict(feedback: Feedback) -> None:
    """Flush; a row someone else changed meanwhile (version mismatch) is a ConflictError,
    and the unit of work rolls back what this attempt did."""
    feedback_id = feedback.id  # read now: after a failed flush the session must roll back
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError(feedback_id) from exc
