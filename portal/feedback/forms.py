"""The scorecard form: candidate-visible parts first, private notes apart at the end.

Its text fields, labels, hints and limits come from portal.feedback.vocabulary."""

from __future__ import annotations

import functools
import json
from typing import Any

from flask import request
from wtforms import DateField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.feedback.services import SCALAR_FIELDS, ScorecardInput
from portal.feedback.vocabulary import (
    ADJUSTMENT_LIMIT,
    AMENDMENT_REASON_LIMIT,
    ANSWER,
    EVIDENCE,
    EXAMPLE_FIELDS,
    EXAMPLE_LIMIT,
    LABELS,
    RATE,
    REASON,
    TEMPLATE_PREFIXES,
    TEXT_FIELDS,
    template_labels,
)
from portal.forms import EnumRadioField, Form, IdListField, KeyListField, VersionField, choices
from portal.models import Decision, Dimension, Feedback
from portal.scorecards.definition import ANSWER_LIMIT, Definition

SCORE_CHOICES = choices((str(n), str(n)) for n in range(1, 6))


def _length(limit: int) -> Length:
    return Length(max=limit, message=f"Keep this under {limit} characters (it is %(length)d now).")


def _text(label: str, description: str, limit: int) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), _length(limit)], description=description)


class ScorecardForm(Form):
    lock_version = VersionField()
    acknowledge = KeyListField()  # release-check findings the author keeps on purpose
    resolves = IdListField()  # the candidate's correction requests this amendment resolves

    decision = EnumRadioField("Next-round decision", enum_cls=Decision, validators=[Optional()])
    next_step_on = DateField(
        "Date of the next step",
        validators=[Optional()],
        format="%Y-%m-%d",
        description="For example 2026-12-31.",
        invalid_value_message="Enter the date like 2026-12-31.",
    )
    amendment_reason = _text(
        LABELS["amendment_reason"],
        "The candidate sees that the feedback was corrected, and why.",
        AMENDMENT_REASON_LIMIT,
    )
    save = SubmitField("Save draft")
    submit = SubmitField("Save and submit")

    def score_field(self, dimension: Dimension):
        return self[f"score_{dimension.value}"]

    def example_field(self, dimension: Dimension):
        return self[f"example_{dimension.value}"]

    def to_input(self) -> ScorecardInput:
        scores = {}
        for dim in Dimension:
            raw = self.score_field(dim).data
            scores[dim] = int(raw) if raw else None
        return ScorecardInput(
            scores=scores,
            examples={dim: self.example_field(dim).data for dim in Dimension},
            decision=self.decision.data,
            next_step=self.next_step.data,
            next_step_on=self.next_step_on.data,
            strengths=self.strengths.data,
            improvements=self.improvements.data,
            practice_suggestions=self.practice_suggestions.data,
            insight_plans=self.insight_plans.data,
            insight_competitors=self.insight_competitors.data,
            insight_markets=self.insight_markets.data,
            insight_role_fit=self.insight_role_fit.data,
            private_notes=self.private_notes.data,
            adjustments={dim: self[f"adjust_{dim.value}"].data for dim in Dimension},
            **self._template_part(),
        )

    def _template_part(self) -> dict[str, dict[str, Any]]:
        """Role-skill ratings and answers by key. A key the template lacks, posted by a stale
        page or a hand-made request, is passed on as sent, for the scorecard's rules to refuse
        (portal.feedback.services): nothing is dropped without a word."""
        part: dict[str, dict[str, Any]] = {
            "skill_scores": {},
            "skill_examples": {},
            "skill_adjustments": {},
            "answers": {},
        }
        target = {
            RATE: "skill_scores",
            EVIDENCE: "skill_examples",
            REASON: "skill_adjustments",
            ANSWER: "answers",
        }
        for name, field in self._fields.items():
            for prefix in TEMPLATE_PREFIXES:
                if name.startswith(prefix):
                    value = field.data
                    if prefix == RATE:
                        value = int(value) if value else None
                    part[target[prefix]][name.removeprefix(prefix)] = value
        posted = request.form if self.is_submitted() else {}
        for name in posted:
            prefix = next((p for p in TEMPLATE_PREFIXES if name.startswith(p)), None)
            if prefix and name not in self._fields:
                part[target[prefix]][name.removeprefix(prefix)] = posted.get(name)
        return part


for _text_field in TEXT_FIELDS:
    setattr(
        ScorecardForm,
        _text_field.name,
        _text(_text_field.label, _text_field.hint, _text_field.limit),
    )

for _name, _guide in EXAMPLE_FIELDS.items():
    setattr(
        ScorecardForm,
        f"score_{_guide.dimension.value}",
        RadioField(
            _guide.label,
            choices=SCORE_CHOICES,
            validators=[Optional()],
            validate_choice=True,
        ),
    )
    setattr(ScorecardForm, _name, _text(LABELS[_name], "", EXAMPLE_LIMIT))
    setattr(
        ScorecardForm,
        f"adjust_{_guide.dimension.value}",
        _text(
            LABELS[f"adjust_{_guide.dimension.value}"],
            "Kept for the panel and admins; the candidate never sees it.",
            ADJUSTMENT_LIMIT,
        ),
    )


@functools.lru_cache(maxsize=128)
def _form_class(definition_json: str) -> type[ScorecardForm]:
    definition = Definition.from_json(json.loads(definition_json))
    labels = template_labels(definition)
    fields: dict[str, Any] = {}
    for skill in definition.skills:
        fields[RATE + skill.key] = RadioField(
            labels[RATE + skill.key],
            choices=SCORE_CHOICES,
            validators=[Optional()],
            validate_choice=True,
        )
        fields[EVIDENCE + skill.key] = _text(labels[EVIDENCE + skill.key], "", EXAMPLE_LIMIT)
        fields[REASON + skill.key] = _text(
            labels[REASON + skill.key],
            "Kept for the panel and admins; the candidate never sees it.",
            ADJUSTMENT_LIMIT,
        )
    for question in definition.questions:
        hint = (
            "The candidate reads this answer once the feedback is released."
            if question.candidate_facing
            else "For the recruiting side only; the candidate never sees it."
        )
        fields[ANSWER + question.key] = _text(labels[ANSWER + question.key], hint, ANSWER_LIMIT)
    return type("TemplateScorecardForm", (ScorecardForm,), fields)


def scorecard_form(definition: Definition, **kwargs: Any) -> ScorecardForm:
    """The scorecard form for one template version: the engagement dimensions and text
    fields every scorecard has, plus the version's role skills and questions."""
    key = json.dumps(definition.to_json(), sort_keys=True)
    return _form_class(key)(**kwargs)


class ReleaseForm(Form):
    """Release with acknowledgements: one checkbox value per finding kept on purpose."""

    acknowledge = KeyListField()
    submit = SubmitField("Release to the candidate")


def form_data(feedback: Feedback) -> dict[str, Any]:
    """Prefill for the form from a scorecard."""
    data = {name: getattr(feedback, name) for name in SCALAR_FIELDS}
    data["decision"] = feedback.decision
    data["lock_version"] = feedback.lock_version
    for rating in feedback.ratings:
        data[f"score_{rating.dimension.value}"] = str(rating.score) if rating.score else None
        data[f"example_{rating.dimension.value}"] = rating.example
        data[f"adjust_{rating.dimension.value}"] = rating.adjustment_reason
    for skill_rating in feedback.skill_ratings:
        score = skill_rating.score
        data[RATE + skill_rating.skill_key] = str(score) if score else None
        data[EVIDENCE + skill_rating.skill_key] = skill_rating.example
        data[REASON + skill_rating.skill_key] = skill_rating.adjustment_reason
    for answer in feedback.answers:
        data[ANSWER + answer.question_key] = answer.text
    return data
