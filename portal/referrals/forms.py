"""Forms of the referral pipeline: shape of input only; the rules live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from portal.forms import choices, enum_choices
from portal.models import Company, LeadKind, PartnerContact, ReferralKind, ReferralStatus, User
from portal.referrals.board import BoardFilters
from portal.referrals.partners import ContactInput
from portal.referrals.services import Proposal

DATE_HINT = "Enter a date like 2026-12-31."
KIND_CHOICES = choices(
    [
        ("referral", "A referral: a warm introduction to a named contact"),
        ("lead", "A lead: an opening, a competitor that is hiring, or a market"),
    ]
)


def _length(limit: int) -> Length:
    return Length(max=limit, message=f"Keep this under {limit} characters (it is %(length)d now).")


def _date(label: str, description: str = DATE_HINT) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        format="%Y-%m-%d",
        description=description,
        invalid_value_message=DATE_HINT,
    )


def version_of(field: HiddenField) -> int:
    """The lock_version a form carried; a missing or mangled one never matches (-1)."""
    raw = (field.data or "").strip()
    return int(raw) if raw.isdigit() else -1


class ProposalForm(FlaskForm):
    kind = RadioField(
        "What are you proposing?",
        choices=KIND_CHOICES,
        validators=[InputRequired("Choose a referral or a lead.")],
    )
    contact_id = SelectField("Contact", validators=[Optional()])
    referral_role = StringField(
        "Role the introduction is about",
        validators=[Optional(), _length(160)],
        description="For example: Senior Data Analyst.",
    )
    lead_kind = RadioField("Kind of lead", choices=enum_choices(LeadKind), validators=[Optional()])
    company_id = SelectField("Company", validators=[Optional()])
    lead_role = StringField(
        "Role or opening",
        validators=[Optional(), _length(160)],
        description="Needed for an opening; optional for a competitor.",
    )
    market = StringField(
        "Market",
        validators=[Optional(), _length(160)],
        description="Needed for an emerging market, e.g. cold-chain logistics.",
    )
    note_to_candidate = TextAreaField(
        "Note to the candidate",
        validators=[DataRequired("Write a note to the candidate."), _length(2000)],
        description="Written to them (\u201cyou\u201d): why you thought of this for them. They "
        "read it in their portal once an admin approves the proposal.",
    )
    follow_up_on = _date("Follow up on", "When someone should next look at it. " + DATE_HINT)
    submit = SubmitField("Propose")

    def set_options(self, contacts: list[PartnerContact], companies: list[Company]) -> None:
        self.contact_id.choices = choices(
            [("", "Choose a contact")]
            + [
                (
                    str(c.id),
                    f"{c.name}{', ' + c.role_title if c.role_title else ''} — {c.company.name}",
                )
                for c in contacts
            ]
        )
        self.company_id.choices = choices(
            [("", "No particular company")]
            + [(str(c.id), f"{c.name} ({c.kind.label.lower()})") for c in companies]
        )

    def to_proposal(self, feedback_id: int | None) -> Proposal:
        kind = ReferralKind(self.kind.data)
        referral = kind is ReferralKind.REFERRAL
        return Proposal(
            kind=kind,
            note_to_candidate=self.note_to_candidate.data or "",
            contact_id=_int(self.contact_id.data) if referral else None,
            role_title=self.referral_role.data if referral else self.lead_role.data,
            lead_kind=None if referral else _lead_kind(self.lead_kind.data),
            company_id=None if referral else _int(self.company_id.data),
            market=None if referral else self.market.data,
            follow_up_on=self.follow_up_on.data,
            feedback_id=feedback_id,
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put the service's findings next to the fields they are about (one per field)."""
        lead = self.kind.data == ReferralKind.LEAD.value
        names = {"role_title": "lead_role" if lead else "referral_role"}
        for key, message in problems.items():
            name = names.get(key, key)
            if name in self and not self[name].errors:
                self[name].errors = [*self[name].errors, message]


def _lead_kind(raw: str | None) -> LeadKind | None:
    return LeadKind(raw) if raw in {k.value for k in LeadKind} else None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the contact's name."), _length(120)])
    role_title = StringField("Their role", validators=[Optional(), _length(120)])
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter the contact's email address."),
            Email("Enter an email address like name@example.com."),
            _length(254),
        ],
    )
    notes = TextAreaField(
        "Private notes",
        validators=[Optional(), _length(2000)],
        description="For the recruiting team only; candidates never see these.",
    )
    active = BooleanField("Active (can receive referrals)", default=True)
    submit = SubmitField("Save contact")

    def to_input(self) -> ContactInput:
        return ContactInput(
            name=self.name.data,
            email=self.email.data,
            role_title=self.role_title.data,
            notes=self.notes.data,
            active=bool(self.active.data) if "active" in self else True,
        )


class SuggestContactForm(ContactForm):
    active = None  # a suggestion is active until an admin turns it down
    company_id = SelectField(
        "Partner company", validators=[InputRequired("Choose the partner company.")]
    )
    submit = SubmitField("Suggest this contact")

    def set_options(self, partners: list[Company]) -> None:
        self.company_id.choices = choices(
            [("", "Choose a company")] + [(str(c.id), c.name) for c in partners]
        )


class PartnerForm(FlaskForm):
    name = StringField(
        "Company name", validators=[DataRequired("Enter the company's name."), _length(160)]
    )
    website = StringField("Website", validators=[Optional(), _length(255)])
    notes = TextAreaField("Private notes", validators=[Optional(), _length(4000)])
    active = BooleanField("Active (its contacts can receive referrals)", default=True)
    submit = SubmitField("Save partner")


class TransitionForm(FlaskForm):
    lock_version = HiddenField()
    to_status = HiddenField()  # informational: the move comes from the URL (?to=)
    note = TextAreaField("Note (optional)", validators=[Optional(), _length(1000)])
    confirm = BooleanField("Yes, close it for good")
    email_contact = BooleanField("Also email the introduction to the contact")


class OfferAnswerForm(FlaskForm):
    """Accept or decline: nothing to fill in, the form is there for its CSRF token."""


class OwnerForm(FlaskForm):
    lock_version = HiddenField()
    owner_id = SelectField("Owner", validators=[Optional()])
    submit = SubmitField("Assign")

    def set_options(self, people: list[User]) -> None:
        self.owner_id.choices = choices(
            [("", "Nobody")] + [(str(u.id), f"{u.name} ({u.role.label})") for u in people]
        )


class FollowUpForm(FlaskForm):
    lock_version = HiddenField()
    follow_up_on = _date("Follow up on")
    submit = SubmitField("Save date")


BULK_ACTIONS = choices([("", "Choose an action"), ("approve", "Approve"), ("expire", "Expire")])


class BulkForm(FlaskForm):
    action = SelectField(
        "With the selected items",
        choices=BULK_ACTIONS,
        validators=[DataRequired("Choose an action.")],
    )
    confirm_expire = BooleanField("Yes, expire the selected open items (they close for good)")
    submit = SubmitField("Apply to selected")


class BoardFilterForm(FlaskForm):
    """Filters of the admin board, from the query string (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Candidate", validators=[Optional(), _length(100)])
    status = SelectField(
        "Status",
        choices=choices([("", "Any status"), ("open", "Any open status")])
        + enum_choices(ReferralStatus),
        validators=[Optional()],
    )
    kind = SelectField(
        "Kind",
        choices=enum_choices(ReferralKind, blank="Referrals and leads"),
        validators=[Optional()],
    )
    recruiter = SelectField("Proposed by", validators=[Optional()])
    owner = SelectField("Owner", validators=[Optional()])
    company = SelectField("Company", validators=[Optional()])
    overdue = BooleanField("Overdue follow-ups only", validators=[Optional()])

    def set_options(self, people: list[User], companies: list[Company]) -> None:
        people_choices = [(str(u.id), u.name) for u in people]
        self.recruiter.choices = choices([("", "Anyone")] + people_choices)
        self.owner.choices = choices([("", "Anyone"), ("none", "Nobody")] + people_choices)
        self.company.choices = choices(
            [("", "Any company")] + [(str(c.id), c.name) for c in companies]
        )

    def to_filters(self) -> BoardFilters:
        """The filters that parsed cleanly; a field with an error is left out, not guessed."""
        ok = {name: not f.errors for name, f in self._fields.items()}
        status = self.status.data if ok["status"] else ""
        owner = self.owner.data if ok["owner"] else ""
        return BoardFilters(
            status=ReferralStatus(status) if status and status != "open" else None,
            open_only=status == "open",
            kind=ReferralKind(self.kind.data) if ok["kind"] and self.kind.data else None,
            recruiter_id=_int(self.recruiter.data) if ok["recruiter"] else None,
            owner_id=_int(owner),
            unowned=owner == "none",
            company_id=_int(self.company.data) if ok["company"] else None,
            overdue=bool(self.overdue.data),
            q=(self.q.data or "").strip() if ok["q"] else "",
        )

    def query_args(self) -> dict[str, str]:
        """The clean filters as query-string arguments, for links between the tabs."""
        args = {}
        for name, f in self._fields.items():
            if f.errors or not f.data:
                continue
            args[name] = "y" if f.type == "BooleanField" else str(f.data)
        return args


class ContactDecisionForm(FlaskForm):
    sure = BooleanField("Yes, turn this suggestion down")
