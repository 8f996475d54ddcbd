from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from portal.forms import EnumField, Form, NameField, QueryForm, Required, choices
from portal.models import JobStatus, Role

STAFF_ROLES = choices([(Role.RECRUITER.value, "Recruiter"), (Role.ADMIN.value, "Admin")])


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
    submit = SubmitField("Create account")


class EditUserForm(Form):
    name = NameField(
        "Full name", validators=[DataRequired("Enter the person's name."), Length(max=120)]
    )
    role = EnumField("Role", enum_cls=Role, validators=[Required("Choose a role.")])
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
