from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.forms import (
    EnumField,
    Form,
    IdListField,
    IdSelectField,
    QueryForm,
    Required,
    choices,
    enum_choices,
    enum_or_none,
    parse_id,
)
from portal.interviews.services import ListFilters
from portal.models import FeedbackState, InterviewFormat, Stage

DATE_HINT = "Enter a date like 2026-12-31."


class InterviewForm(Form):
    candidate_id = IdSelectField("Candidate", validators=[Required("Choose a candidate.")])
    position_id = IdSelectField("Position", validators=[Required("Choose a position.")])
    interviewer_id = IdSelectField(
        "Lead interviewer",
        validators=[Required("Choose who leads the interview.")],
        description="Writes the candidate's feedback from the panel's scorecards.",
    )
    # The rest of the panel (the lead sits on it anyway); checkboxes, one per staff member.
    panel_ids = IdListField("Panel")
    stage = EnumField("Stage", enum_cls=Stage, validators=[Required("Choose the stage.")])
    format = EnumField(
        "Format", enum_cls=InterviewFormat, validators=[Required("Choose the format.")]
    )
    scheduled_at = DateTimeLocalField(
        "Date and time",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[InputRequired("Enter the date and time, like 2026-12-31 14:30.")],
        invalid_value_message="Enter the date and time like 2026-12-31 14:30.",
        description="Times are in UTC.",
    )
    duration_minutes = IntegerField(
        "Length in minutes",
        default=60,
        validators=[Optional(), NumberRange(10, 480, "Use a length from 10 to 480 minutes.")],
        description="Left blank, an hour. Reminders count from the interview's end.",
    )
    location = StringField("Location or call link", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Save interview")

    def set_options(self, candidates, positions, interviewers) -> None:
        self.candidate_id.choices = choices(
            (str(c.id), f"{c.name} ({c.email})") for c in candidates
        )
        self.position_id.choices = choices(
            (str(p.id), f"{p.title} — {p.company.name}") for p in positions
        )
        self.interviewer_id.choices = choices((str(u.id), u.name) for u in interviewers)
        self.panel_options = [(u.id, u.name) for u in interviewers]


class ListFilterForm(QueryForm):
    """Search, filters and sorting shared by the candidate and interview lists (GET, no CSRF)."""

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    stage = EnumField("Stage", enum_cls=Stage, blank="Any stage", validators=[Optional()])
    state = SelectField(
        "Feedback",
        choices=choices([("", "Any feedback state"), ("none", "No feedback yet")])
        + enum_choices(FeedbackState),
        validators=[Optional()],
    )
    recruiter = SelectField("Interviewer", coerce=str, validators=[Optional()])
    date_from = DateField(
        "From",
        validators=[Optional()],
        format="%Y-%m-%d",
        description=DATE_HINT,
        invalid_value_message=DATE_HINT,
    )
    date_to = DateField(
        "To",
        validators=[Optional()],
        format="%Y-%m-%d",
        description=DATE_HINT,
        invalid_value_message=DATE_HINT,
    )
    sort = SelectField("Sort by", validators=[Optional()])

    def set_options(self, recruiters, sorts) -> None:
        self.recruiter.choices = choices(
            [("", "Anyone"), *((str(u.id), u.name) for u in recruiters)]
        )
        self.sort.choices = choices(sorts)

    def to_filters(self) -> ListFilters:
        """The filters that parsed cleanly; a field with an error is left out, not guessed."""
        ok = {name: not field.errors for name, field in self._fields.items()}
        recruiter = self.recruiter.data if ok["recruiter"] else ""
        state = self.state.data if ok["state"] else ""
        return ListFilters(
            q=(self.q.data or "").strip() if ok["q"] else "",
            stage=self.stage.data if ok["stage"] else None,
            state=enum_or_none(FeedbackState, state),
            without_feedback=state == "none",
            recruiter_id=parse_id(recruiter),
            date_from=self.date_from.data if ok["date_from"] else None,
            date_to=self.date_to.data if ok["date_to"] else None,
            sort=self.sort.data if ok["sort"] and self.sort.data else "",
        )
