from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from portal.forms import EnumField, Form, IdSelectField, NameField, QueryForm, Required, choices
from portal.models import CompanyKind, ScorecardTemplate, Stage

# The stages a position may score with a template of its own.
STAGES_WITH_TEMPLATES = (Stage.FIRST, Stage.SECOND, Stage.FINAL)


class CompanyForm(Form):
    name = NameField(
        "Company name", validators=[DataRequired("Enter the company's name."), Length(max=160)]
    )
    kind = EnumField("Kind", enum_cls=CompanyKind, validators=[Required("Choose a kind.")])
    website = StringField(
        "Website",
        validators=[
            Optional(),
            URL(message="Enter a full address such as https://example.com."),
            Length(max=255),
        ],
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)])
    active = BooleanField("Active", default=True)
    submit = SubmitField("Save company")


class CompanySearchForm(QueryForm):
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    kind = EnumField("Kind", enum_cls=CompanyKind, blank="All", validators=[Optional()])


class PositionForm(Form):
    title = StringField(
        "Job title", validators=[DataRequired("Enter the job title."), Length(max=160)]
    )
    location = StringField("Location", validators=[Optional(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=8000)])
    is_open = BooleanField("Open for interviews", default=True)
    submit = SubmitField("Save position")

    template_id = IdSelectField(
        "Scorecard template",
        validators=[Optional()],
        description="What its interviews rate beside the six engagement dimensions, and how "
        "the overall score weighs them. Editing a template later never changes a scorecard "
        "already started.",
    )

    def set_templates(self, templates: list[ScorecardTemplate]) -> None:
        self.template_id.choices = choices(
            [("", "Engagement dimensions only (no role skills)")]
            + [(str(t.id), t.name) for t in templates]
        )
        for stage in STAGES_WITH_TEMPLATES:
            self.stage_field(stage).choices = choices(
                [("", "Same as the position")] + [(str(t.id), t.name) for t in templates]
            )

    def stage_field(self, stage: Stage) -> IdSelectField:
        return self[f"template_{stage.value}"]


for _stage in STAGES_WITH_TEMPLATES:
    setattr(
        PositionForm,
        f"template_{_stage.value}",
        IdSelectField(f"{_stage.label}", validators=[Optional()]),
    )
