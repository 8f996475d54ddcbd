"""The scorecard form: candidate-visible parts first, private notes apart at the end."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.feedback.services import SCALAR_FIELDS, ScorecardInput
from portal.forms import EnumRadioField, Form, KeyListField, VersionField, choices
from portal.models import Decision, Dimension, Feedback
from portal.rubric import RUBRIC

TEXT_LIMIT = 4000
EXAMPLE_LIMIT = 600
SCORE_CHOICES = choices((str(n), str(n)) for n in range(1, 6))


def _length(limit: int) -> Length:
    return Length(max=limit, message=f"Keep this under {limit} characters (it is %(length)d now).")


def _text(label: str, description: str = "", limit: int = TEXT_LIMIT) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), _length(limit)], description=description)


class ScorecardForm(Form):
    lock_version = VersionField()
    acknowledge = KeyListField()  # release-check findings the author keeps on purpose

    decision = EnumRadioField("Next-round decision", enum_cls=Decision, validators=[Optional()])
    next_step = _text("Next step", "What happens next for the candidate, in a sentence or two.")
    next_step_on = DateField(
        "Date of the next step",
        validators=[Optional()],
        format="%Y-%m-%d",
        description="For example 2026-12-31.",
        invalid_value_message="Enter the date like 2026-12-31.",
    )
    strengths = _text("Strengths", "What the candidate did well, as observed behaviour.")
    improvements = _text("Areas to improve", "Specific, observed, tied to the role's requirements.")
    practice_suggestions = _text(
        "Practice suggestions", "Two or three concrete things to practise, one per line."
    )
    insight_plans = _text(
        "The company's plans", "What you shared about where the company is heading."
    )
    insight_competitors = _text(
        "Competitors with openings", "Companies in this space that are hiring."
    )
    insight_markets = _text("Emerging markets", "Markets or niches that could suit the candidate.")
    insight_role_fit = _text(
        "Is the role right for them?", "An honest view of how the role matches what they want."
    )
    private_notes = _text(
        "Private recruiter notes",
        "Only recruiters and admins see these. They never appear in the portal, reports "
        "or exports.",
    )
    amendment_reason = TextAreaField(
        "Reason for the amendment",
        validators=[Optional(), _length(1000)],
        description="The candidate sees that the feedback was corrected, and why.",
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
        )


for _guide in RUBRIC:
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
    setattr(
        ScorecardForm,
        f"example_{_guide.dimension.value}",
        TextAreaField(
            f"Observed example: {_guide.label.lower()}",
            validators=[Optional(), _length(EXAMPLE_LIMIT)],
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
    return data
