from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from portal.forms import choices, enum_choices
from portal.models import Role

STAFF_ROLES = choices([(Role.RECRUITER.value, "Recruiter"), (Role.ADMIN.value, "Admin")])


class NewUserForm(FlaskForm):
    name = StringField(
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
    role = SelectField("Role", choices=STAFF_ROLES, validators=[DataRequired()])
    password = PasswordField(
        "Initial password",
        validators=[Optional(), Length(max=256)],
        description="Leave empty to email the person a link to choose their own.",
    )
    submit = SubmitField("Create account")


class EditUserForm(FlaskForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's name."), Length(max=120)]
    )
    role = SelectField("Role", choices=enum_choices(Role))
    active = BooleanField("Active (can sign in)")
    submit = SubmitField("Save changes")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

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


class EraseCandidateForm(FlaskForm):
    confirm_name = StringField(
        "Type the candidate's full name to confirm",
        validators=[
            DataRequired("Type the candidate's name to confirm the erasure."),
            Length(max=120),
        ],
    )
    submit = SubmitField("Erase this candidate's personal data")
