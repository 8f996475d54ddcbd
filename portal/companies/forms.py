from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import EnumField, Form, NameField, QueryForm, Required
from portal.models import CompanyKind
from portal.rubric import RUBRIC


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


for _guide in RUBRIC:
    setattr(
        PositionForm,
        f"weight_{_guide.dimension.value}",
        IntegerField(
            f"Weight: {_guide.label.lower()}",
            default=1,
            validators=[
                InputRequired("Enter a weight from 0 to 5."),
                NumberRange(0, 5, "Use a whole number from 0 to 5."),
            ],
        ),
    )
