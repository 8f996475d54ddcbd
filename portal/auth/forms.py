from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.forms import Form


class SignInForm(Form):
    email = EmailField(
        "Email", validators=[DataRequired("Enter your email address."), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()
    submit = SubmitField("Sign in")


class ForgotPasswordForm(Form):
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    submit = SubmitField("Send reset link")


class SetPasswordForm(Form):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password."), Length(max=256)],
        description="At least 10 characters; avoid common passwords.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired("Repeat the password."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
    submit = SubmitField("Change password")


class SignOutEverywhereForm(Form):
    """Nothing to fill in: the form is there for its CSRF token."""

    submit = SubmitField("Sign out everywhere")


class DigestForm(Form):
    """Staff turn the daily reminder digest on or off."""

    digest_enabled = BooleanField("Email me a daily digest of overdue scorecards and panels")
    submit = SubmitField("Save")
