from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

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
