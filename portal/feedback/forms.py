"""The scorecard form: candidate-visible parts first, private notes apart at the end.

Its text fields, labels, hints and limits come from portal.feedback.vocabulary."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.feedback.services import SCALAR_FIELDS, ScorecardInput
from portal.feedback.vocabulary import (
    ADJUSTMENT_LIMIT,
    AMENDMENT_REASON_LIMIT,
    EXAMPLE_FIELDS,
    EXAMPLE_LIMIT,
    LABELS,
    TEXT_FIELDS,
)
from portal.forms import EnumRadioField, Form, KeyListField, VersionField, choices
from portal.models import Decision, Dimension, Feedback

SCORE_CHOICES = choices((str(n), str(n)) for n in range(1, 6))


def _length(limit: int) -> Length:
    return Length(max=limit, message=f"Keep this under {limit} characters (it is %(length)d now).")


def _text(label: str, description: str, limit: int) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), _length(limit)], description=description)


class ScorecardForm(Form):
    lock_version = VersionField()
    acknowledge = KeyListField()  # release-check findings the author keeps on purpose

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
        )


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
    return data
