import unicodedata

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, StopValidation

from portal.forms import EnumField, Form, NameField, QueryForm, Required, choices
from portal.models import JobStatus, Role
from portal.text import BIDI_MARKS, INVISIBLE

STAFF_ROLES = choices([(Role.RECRUITER.value, "Recruiter"), (Role.ADMIN.value, "Admin")])
TEAM_LIMIT = 80  # users.team


class PlainLabel:
    """A short label shown as it is typed (a team's name): no markup, and no control or
    invisible characters. The shared rules would quietly drop the latter; a label that people
    group by is better typed again than stored different from what was pasted."""

    def __call__(self, form, field) -> None:
        raw = field.raw_data[0] if field.raw_data else ""
        if not isinstance(raw, str) or not raw:
            return
        if "<" in raw or ">" in raw:
            raise StopValidation("Use plain words for the team: no < or > (no markup).")
        if any(_hidden_character(c) for c in raw):
            raise StopValidation(
                "This has control or invisible characters (from copying and pasting?). "
                "Type the team's name again."
            )


def _hidden_character(char: str) -> bool:
    code = ord(char)
    if code in INVISIBLE or code in BIDI_MARKS:
        return True
    return unicodedata.category(char) in ("Cc", "Cs") and char not in " \t"


def team_field() -> NameField:
    return NameField(
        "Team",
        validators=[
            Optional(),
            Length(
                max=TEAM_LIMIT,
                message=f"Keep the team to {TEAM_LIMIT} characters or fewer "
                "(it is %(length)d now).",
            ),
            PlainLabel(),
        ],
        description='The recruiting team they work in, such as "Engineering hiring". The Better '
        "off page groups its figures by it. Leave empty for none.",
    )


class NewUserForm(Form):
    name = NameField(
        "Full name", validators=[DataRequired("Enter the person's name."), Length(max=120)]
    )
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter an email address."),
            Email("Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    role = EnumField(
        "Role", enum_cls=Role, choices=STAFF_ROLES, validators=[Required("Choose a role.")]
    )
    password = PasswordField(
        "Initial password",
        validators=[Optional(), Length(max=256)],
        description="Leave empty to email the person a link to choose their own.",
    )
    team = team_field()
    submit = SubmitField("Create account")


class EditUserForm(Form):
    name = NameField(
        "Full name", validators=[DataRequired("Enter the person's name."), Length(max=120)]
    )
    role = EnumField("Role", enum_cls=Role, validators=[Required("Choose a role.")])
    team = team_field()
    active = BooleanField("Active (can sign in)")
    submit = SubmitField("Save changes")


class UserFilterForm(QueryForm):
    role = EnumField("Role", enum_cls=Role, blank="All roles", validators=[Optional()])


class JobFilterForm(QueryForm):
    status = EnumField("Status", enum_cls=JobStatus, blank="All", validators=[Optional()])


class AuditFilterForm(QueryForm):
    action = StringField("Action", validators=[Optional(), Length(max=60)])
    actor = StringField("Who (email)", validators=[Optional(), Length(max=254)])
    object_type = StringField("Object type", validators=[Optional(), Length(max=40)])
    object_id = IntegerField(
        "Object id", validators=[Optional(), NumberRange(min=1, message="Use a positive number.")]
    )
    date_from = DateField(
        "From",
        validators=[Optional()],
        format="%Y-%m-%d",
        invalid_value_message="Enter a date like 2026-12-31.",
    )
    date_to = DateField(
        "To",
        validators=[Optional()],
        format="%Y-%m-%d",
        invalid_value_message="Enter a date like 2026-12-31.",
    )


class EraseCandidateForm(Form):
    confirm_name = NameField(
        "Type the candidate's full name to confirm",
        validators=[
            DataRequired("Type the candidate's name to confirm the erasure."),
            Length(max=120),
        ],
    )
    submit = SubmitField("Erase this candidate's personal data")


class ReleaseCheckForm(Form):
    """Which jurisdiction packs the release check applies (choices set by the view)."""

    packs = SelectMultipleField(
        "Packs that apply",
        validators=[Required("Choose at least one pack: the release check needs a law to apply.")],
    )
    submit = SubmitField("Save packs")
