"""The report's words: how released feedback and referrals read to the candidate.

Pure functions from plain data (released revisions' content, referral facts) to the types in
portal/reports/types.py; no queries. Tone, as DESIGN.md asks: direct, specific, written to the
candidate, about observed behaviour; no scores without words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.feedback.vocabulary import INSIGHT_FIELDS
from portal.models import Decision, Dimension, Referral, ReferralKind, Stage
from portal.models import Gain as GainKey
from portal.referrals.vocabulary import CANDIDATE_STATES
from portal.reports.types import (
    ActionItem,
    Amendment,
    DimensionRating,
    Gain,
    InsightParagraph,
    InterviewerAnswer,
    ReferralItem,
    ReportData,
    ReportKindName,
    ScorecardRef,
    StageStep,
    Trend,
)
from portal.rubric import GUIDES, RUBRIC, band

# Decision wording as the candidate reads it (Decision.label is worded for recruiters).
DECISION_WORDING = {
    Decision.INVITE: "You are invited to the next round",
    Decision.HOLD: "No decision on the next round yet",
    Decision.DECLINE: "Not moving forward for this role",
}
NO_DECISION = "No decision shared yet"

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# (content key, paragraph title, phrase used in the summary), from the scorecard vocabulary.
INSIGHT_TOPICS = tuple((f.name, f.report_title, f.report_phrase) for f in INSIGHT_FIELDS)


@dataclass(frozen=True)
class ReleasedScorecard:
    """A released revision with the interview facts it belongs to, as the queries read it."""

    feedback_id: int
    revision: int
    released_on: date
    interview_at: datetime
    stage: Stage
    company: str
    position_title: str
    content: dict[str, Any]
    reason: str | None = None  # why this revision corrected the one before

    def amendment(self) -> Amendment | None:
        if self.revision < 2 or not self.reason:
            return None
        return Amendment(self.stage.label, self.revision, self.released_on, self.reason)

    def ref(self) -> ScorecardRef:
        decision = self.content.get("decision")
        return ScorecardRef(
            feedback_id=self.feedback_id,
            revision=self.revision,
            interview_date=self.interview_at.date(),
            stage=self.stage.value,
            stage_label=self.stage.label,
            company=self.company,
            position_title=self.position_title,
            decision_label=decision_wording(decision),
        )


def order_key(scorecard: ReleasedScorecard) -> tuple[datetime, int]:
    return (scorecard.interview_at, scorecard.feedback_id)


def assemble(
    kind: ReportKindName,
    candidate_name: str,
    covered: Sequence[ReleasedScorecard],
    current: ReleasedScorecard,
    referrals: Sequence[Referral],
) -> ReportData:
    content = current.content
    decision = content.get("decision")
    next_step = _clean(content.get("next_step"))
    next_step_on = _parse_date(content.get("next_step_on"))
    ratings = ratings_from(content.get("ratings") or [])
    role_skills = role_skills_from(content.get("skills") or [])
    action_plan = action_plan_for(ratings, role_skills, content.get("skills") or [])
    practice = paragraphs(content.get("practice_suggestions"))
    referral_items = tuple(referral_item(r) for r in referrals)
    insights = _insights(covered if kind == "journey" else [current], kind == "journey")
    dates = [s.released_on for s in covered] + [r.status_changed_at.date() for r in referrals]

    if kind == "interview":
        title = (
            f"Interview feedback for {candidate_name}: "
            f"{current.position_title} at {current.company}"
        )
        interview_dates: tuple[date, ...] = (current.interview_at.date(),)
    else:
        title = f"Selection journey of {candidate_name}"
        interview_dates = tuple(s.interview_at.date() for s in covered)

    return ReportData(
        kind=kind,
        title=title,
        candidate_name=candidate_name,
        company=current.company,
        position_title=current.position_title,
        interview_dates=interview_dates,
        report_date=max(dates),
        current_stage=current.stage.value,
        current_stage_label=current.stage.label,
        stages=stepper(current.stage, decision),
        gains=summarise_gains(
            decision=decision,
            next_step=next_step,
            next_step_on=next_step_on,
            current_stage=current.stage,
            referrals=referral_items,
            ratings=(*ratings, *role_skills),
            action_plan=action_plan,
            practice=practice,
            insights=insights,
        ),
        ratings=ratings,
        strengths=paragraphs(content.get("strengths")),
        improvements=paragraphs(content.get("improvements")),
        action_plan=action_plan,
        practice_suggestions=practice,
        checklist=checklist_for(action_plan, practice, decision, next_step, next_step_on),
        scorecards=tuple(s.ref() for s in covered),
        trends=trends_for(covered),
        referrals=referral_items,
        insights=insights,
        decision=decision,
        decision_label=decision_wording(decision),
        next_step=next_step,
        next_step_on=next_step_on,
        amendments=tuple(
            a for s in (covered if kind == "journey" else [current]) if (a := s.amendment())
        ),
        role_skills=role_skills,
        skill_trends=skill_trends_for(covered) if kind == "journey" else (),
        answers=answers_from(content.get("answers") or []),
    )


def decision_wording(decision: str | None) -> str:
    """The next-round decision in the candidate's words."""
    return DECISION_WORDING[Decision(decision)] if decision else NO_DECISION


def stepper(current: Stage, decision: str | None) -> tuple[StageStep, ...]:
    """The selection process with the current stage filled, and the next one if invited."""
    steps = []
    for stage in Stage:
        if stage.order < current.order:
            state = "done"
        elif stage is current:
            state = "current"
        elif stage.order == current.order + 1 and decision == Decision.INVITE:
            state = "next"
        else:
            state = "upcoming"
        steps.append(StageStep(stage=stage.value, label=stage.label, state=state))
    return tuple(steps)


def ratings_from(raw: Iterable[dict[str, Any]]) -> tuple[DimensionRating, ...]:
    """Rated dimensions in rubric order, each with its band word and observed example."""
    by_dimension = {}
    for item in raw:
        try:
            by_dimension[Dimension(item.get("dimension"))] = item
        except ValueError:
            continue
    ratings = []
    for guide in RUBRIC:
        item = by_dimension.get(guide.dimension)
        if item is None:
            continue
        score = item.get("score")
        ratings.append(
            DimensionRating(
                dimension=guide.dimension.value,
                label=guide.label,
                score=score,
                band=band(score),
                example=_clean(item.get("example")),
            )
        )
    return tuple(ratings)


def role_skills_from(raw: Iterable[dict[str, Any]]) -> tuple[DimensionRating, ...]:
    """Rated role skills in the template's order, each with its band word and example."""
    skills = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("key") or not item.get("name"):
            continue
        score = item.get("score")
        skills.append(
            DimensionRating(
                dimension=str(item["key"]),
                label=str(item["name"]),
                score=score,
                band=band(score),
                example=_clean(item.get("example")),
            )
        )
    return tuple(skills)


def answers_from(raw: Iterable[dict[str, Any]]) -> tuple[InterviewerAnswer, ...]:
    return tuple(
        InterviewerAnswer(question=str(item["question"]), text=text)
        for item in raw
        if isinstance(item, dict) and item.get("question") and (text := _clean(item.get("text")))
    )


def action_plan_for(
    ratings: Sequence[DimensionRating],
    role_skills: Sequence[DimensionRating] = (),
    raw_skills: Iterable[dict[str, Any]] = (),
) -> tuple[ActionItem, ...]:
    """Practice for the two lowest ratings. A role skill's advice is the practice its
    template gives (frozen with the release); a skill without any yields to the next lowest.
    On a tie a role skill comes first (it is what the role asked for), then rubric order."""
    advice = {
        str(item.get("key")): " ".join(str(p) for p in item.get("practice") or [])
        for item in raw_skills
        if isinstance(item, dict)
    }
    candidates = [
        (r.score, 0, n, r, advice[r.dimension])
        for n, r in enumerate(role_skills)
        if r.score is not None and advice.get(r.dimension)
    ]
    candidates += [
        (r.score, 1, n, r, GUIDES[Dimension(r.dimension)].practice)
        for n, r in enumerate(ratings)
        if r.score is not None
    ]
    lowest = sorted(candidates, key=lambda c: (c[0], c[1], c[2]))[:2]
    return tuple(
        ActionItem(dimension=r.dimension, label=r.label, band=r.band, practice=practice)
        for _, _, _, r, practice in lowest
    )


def checklist_for(
    action_plan: Sequence[ActionItem],
    practice: Sequence[str],
    decision: str | None,
    next_step: str | None,
    next_step_on: date | None,
) -> tuple[str, ...]:
    """The closing page's checklist for the next interview, drawn from the action plan."""
    items = [item.practice for item in action_plan]
    items += [p for p in practice if p not in items]
    if decision == Decision.INVITE and next_step:
        when = f" on {_format_date(next_step_on)}" if next_step_on else ""
        items.append(f"Plan your preparation around your next step{when}: {next_step}")
    if not items:
        items.append(
            "Write down three questions about the team's plans and challenges, and ask at least "
            "one of them during the conversation."
        )
    return tuple(items)


def trends_for(scorecards: Sequence[ReleasedScorecard]) -> tuple[Trend, ...]:
    """Per rubric dimension, its score in each covered scorecard (None where not rated)."""
    per_card = [
        {r.dimension: r.score for r in ratings_from(s.content.get("ratings") or [])}
        for s in scorecards
    ]
    trends = []
    for guide in RUBRIC:
        scores = tuple(card.get(guide.dimension.value) for card in per_card)
        if any(score is not None for score in scores):
            trends.append(Trend(guide.dimension.value, guide.label, scores))
    return tuple(trends)


def skill_trends_for(scorecards: Sequence[ReleasedScorecard]) -> tuple[Trend, ...]:
    """Per role skill rated in two or more of the covered scorecards (its key recurs across
    templates or interviews), its score in each; labelled with its latest name."""
    per_card = [role_skills_from(s.content.get("skills") or []) for s in scorecards]
    labels: dict[str, str] = {}
    for skills in per_card:
        for skill in skills:
            labels[skill.dimension] = skill.label
    trends = []
    for key, label in labels.items():
        scores = tuple(
            next((s.score for s in skills if s.dimension == key), None) for skills in per_card
        )
        if sum(score is not None for score in scores) >= 2:
            trends.append(Trend(key, label, scores))
    return tuple(trends)


def referral_item(referral: Referral) -> ReferralItem:
    """A referral or lead as the candidate sees it: where it stands and what happens next."""
    company = referral.company or (referral.contact.company if referral.contact else None)
    if referral.kind is ReferralKind.REFERRAL:
        kind_label = "Referral"
    else:
        kind_label = f"Lead: {referral.lead_kind.label.lower()}" if referral.lead_kind else "Lead"
    state_label, next_step = CANDIDATE_STATES[(referral.kind, referral.status)]
    return ReferralItem(
        kind=referral.kind.value,
        kind_label=kind_label,
        company=company.name if company else None,
        role_or_market=referral.role_title or referral.market,
        note=referral.note_to_candidate.strip(),
        status=referral.status.value,
        state_label=state_label,
        next_step=next_step,
    )


def _insights(
    scorecards: Sequence[ReleasedScorecard], with_source: bool
) -> tuple[InsightParagraph, ...]:
    paragraphs_: list[InsightParagraph] = []
    for key, title, _ in INSIGHT_TOPICS:
        seen: set[str] = set()
        for card in scorecards:
            text = _clean(card.content.get(key))
            if not text or text in seen:
                continue
            seen.add(text)
            source = (
                f"{card.stage.label}, {_format_date(card.interview_at.date())}"
                if with_source
                else None
            )
            paragraphs_.append(InsightParagraph(key.removeprefix("insight_"), title, text, source))
    return tuple(paragraphs_)


def summarise_gains(
    *,
    decision: str | None,
    next_step: str | None,
    next_step_on: date | None,
    current_stage: Stage,
    referrals: Sequence[ReferralItem],
    ratings: Sequence[DimensionRating],
    action_plan: Sequence[ActionItem],
    practice: Sequence[str],
    insights: Sequence[InsightParagraph],
) -> tuple[Gain, ...]:
    """The four summary cards, each with an honest status word and one line of detail.

    Hold reads "Not yet decided" (true, and kinder than a verdict that was not made);
    only a decline reads "Not this time".
    """
    return (
        _next_round_gain(decision, next_step, next_step_on, current_stage),
        _referral_gain(referrals),
        _skills_gain(ratings, action_plan, practice),
        _insight_gain(insights),
    )


def _next_round_gain(
    decision: str | None, next_step: str | None, next_step_on: date | None, stage: Stage
) -> Gain:
    title = GainKey.NEXT_ROUND.label
    when = f"{_format_date(next_step_on)}: " if next_step_on else ""
    if decision == Decision.INVITE:
        following = list(Stage)[min(stage.order + 1, len(Stage) - 1)]
        detail = next_step or f"You are invited to the {following.label.lower()} stage."
        return Gain(1, title, "Invited", when + detail, True)
    if decision == Decision.DECLINE:
        detail = next_step or "This role is not moving forward for you this time."
        return Gain(1, title, "Not this time", detail, False)
    if decision == Decision.HOLD:
        detail = next_step or "The team has not decided on the next round yet."
        return Gain(1, title, "Not yet decided", when + detail, False)
    detail = "No decision on the next round has been shared yet."
    return Gain(1, title, "Not yet decided", detail, False)


def _referral_gain(referrals: Sequence[ReferralItem]) -> Gain:
    title = GainKey.REFERRAL.label
    if not referrals:
        return Gain(
            2,
            title,
            "Not this time",
            "No referral or lead came out of this yet; your recruiter will add any that do.",
            False,
        )
    n_referrals = sum(1 for r in referrals if r.kind == ReferralKind.REFERRAL)
    counts = ((n_referrals, "referral"), (len(referrals) - n_referrals, "lead"))
    status = " and ".join(count_phrase(n, noun) for n, noun in counts if n)
    shown = [
        f"{r.kind.capitalize()}: {r.company or r.role_or_market or 'see below'}, "
        f"{r.state_label.lower()}."
        for r in referrals[:2]
    ]
    if len(referrals) > 2:
        shown.append(f"And {number_word(len(referrals) - 2)} more.")
    return Gain(2, title, status[0].upper() + status[1:], " ".join(shown), True)


def _skills_gain(
    ratings: Sequence[DimensionRating],
    action_plan: Sequence[ActionItem],
    practice: Sequence[str],
) -> Gain:
    title = GainKey.SKILLS.label
    count = len(action_plan) + len(practice)
    if count == 0:
        return Gain(3, title, "Not this time", "No skills feedback was recorded.", False)
    status = count_phrase(count, "thing").capitalize() + " to practise"
    scored = [r for r in ratings if r.score is not None]
    if scored:
        best = max(scored, key=lambda r: r.score or 0)
        focus = ", then ".join(a.label.lower() for a in action_plan)
        detail = f"Strongest: {best.label.lower()} ({best.band}). Focus next: {focus}."
    else:
        detail = "Your recruiter's practice suggestions are on the skills page."
    return Gain(3, title, status, detail, True)


def _insight_gain(insights: Sequence[InsightParagraph]) -> Gain:
    title = GainKey.INSIGHT.label
    if not insights:
        return Gain(4, title, "Not this time", "No company insight was shared.", False)
    phrases = {key.removeprefix("insight_"): phrase for key, _, phrase in INSIGHT_TOPICS}
    topics = list(dict.fromkeys(phrases[p.topic] for p in insights))
    return Gain(4, title, "Insight shared", f"On {_join_words(topics)}.", True)


# --- Small helpers -------------------------------------------------------------------------


def number_word(n: int) -> str:
    """Small numbers as words, as people say them ("two"); larger ones as digits."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def count_phrase(n: int, noun: str) -> str:
    """A count with its noun: "two leads", "one referral"."""
    return f"{number_word(n)} {noun}{'' if n == 1 else 's'}"


def paragraphs(text: str | None) -> tuple[str, ...]:
    """Free text split into items, one per non-empty line, without list markers."""
    if not text:
        return ()
    items = (line.strip().lstrip("-*•").strip() for line in text.splitlines())
    return tuple(item for item in items if item)


def _join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _clean(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    return text.strip() or None


def _parse_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _format_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
