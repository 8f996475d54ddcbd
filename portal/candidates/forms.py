from wtforms import BooleanField, EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import Form, NameField


class CandidateForm(Form):
    name = NameField(
        "Full name", validators=[DataRequired("Enter the candidate's name."), Length(max=120)]
    )
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter the candidate's email address."),
            Email("Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    headline = StringField("Current role or headline", validators=[Optional(), Length(max=160)])
    send_invitation = BooleanField("Email an invitation to the feedback portal now", default=True)
    submit = SubmitField("Save candidate")
