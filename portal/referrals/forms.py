"""Forms of the referral pipeline: shape of input only; the rules live in the services."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import (
    MAX_LIST_ITEMS,
    EnumField,
    EnumRadioField,
    Form,
    IdSelectField,
    KeyListField,
    NameField,
    QueryForm,
    Required,
    VersionField,
    choices,
    enum_choices,
    enum_or_none,
    parse_id,
)
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


class ProposalForm(Form):
    kind = EnumRadioField(
        "What are you proposing?",
        enum_cls=ReferralKind,
        choices=KIND_CHOICES,
        validators=[Required("Choose a referral or a lead.")],
    )
    contact_id = IdSelectField("Contact", validators=[Optional()])
    referral_role = StringField(
        "Role the introduction is about",
        validators=[Optional(), _length(160)],
        description="For example: Senior Data Analyst.",
    )
    lead_kind = EnumRadioField("Kind of lead", enum_cls=LeadKind, validators=[Optional()])
    company_id = IdSelectField("Company", validators=[Optional()])
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
    acknowledge = KeyListField()  # release-check findings in the note, kept on purpose
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
        kind = self.kind.data
        referral = kind is ReferralKind.REFERRAL
        return Proposal(
            kind=kind,
            note_to_candidate=self.note_to_candidate.data or "",
            contact_id=self.contact_id.data if referral else None,
            role_title=self.referral_role.data if referral else self.lead_role.data,
            lead_kind=None if referral else self.lead_kind.data,
            company_id=None if referral else self.company_id.data,
            market=None if referral else self.market.data,
            follow_up_on=self.follow_up_on.data,
            feedback_id=feedback_id,
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put the service's findings next to the fields they are about (one per field)."""
        lead = self.kind.data is ReferralKind.LEAD
        names = {"role_title": "lead_role" if lead else "referral_role"}
        for key, message in problems.items():
            name = names.get(key, key)
            if name in self and not self[name].errors:
                self[name].errors = [*self[name].errors, message]


class ContactForm(Form):
    name = NameField("Name", validators=[DataRequired("Enter the contact's name."), _length(120)])
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
    company_id = IdSelectField(
        "Partner company", validators=[Required("Choose the partner company.")]
    )
    submit = SubmitField("Suggest this contact")

    def set_options(self, partners: list[Company]) -> None:
        self.company_id.choices = choices(
            [("", "Choose a company")] + [(str(c.id), c.name) for c in partners]
        )


class PartnerForm(Form):
    name = NameField(
        "Company name", validators=[DataRequired("Enter the company's name."), _length(160)]
    )
    website = StringField("Website", validators=[Optional(), _length(255)])
    notes = TextAreaField("Private notes", validators=[Optional(), _length(4000)])
    active = BooleanField("Active (its contacts can receive referrals)", default=True)
    submit = SubmitField("Save partner")


class TransitionForm(Form):
    lock_version = VersionField()
    to_status = HiddenField()  # informational: the move comes from the URL (?to=)
    note = TextAreaField("Note (optional)", validators=[Optional(), _length(1000)])
    confirm = BooleanField("Yes, close it for good")
    email_contact = BooleanField("Also email the introduction to the contact")


class OfferAnswerForm(Form):
    """Accept or decline: nothing to fill in, the form is there for its CSRF token."""


class OwnerForm(Form):
    lock_version = VersionField()
    owner_id = IdSelectField("Owner", validators=[Optional()])
    submit = SubmitField("Assign")

    def set_options(self, people: list[User]) -> None:
        self.owner_id.choices = choices(
            [("", "Nobody")] + [(str(u.id), f"{u.name} ({u.role.label})") for u in people]
        )


class FollowUpForm(Form):
    lock_version = VersionField()
    follow_up_on = _date("Follow up on")
    submit = SubmitField("Save date")


BULK_ACTIONS = choices([("", "Choose an action"), ("approve", "Approve"), ("expire", "Expire")])


class PickedField(Field):
    """Ticked boxes carrying "<id>:<lock_version>": valid pairs only, each id once, bounded."""

    def process_formdata(self, valuelist: list[str]) -> None:
        picked: dict[int, int | None] = {}
        for value in valuelist[: MAX_LIST_ITEMS * 2]:
            raw_id, _, raw_version = str(value).partition(":")
            referral_id = parse_id(raw_id)
            if referral_id is not None:
                picked.setdefault(referral_id, parse_id(raw_version))
        self.data = list(picked.items())[:MAX_LIST_ITEMS]

    def process_data(self, value) -> None:
        self.data = list(value or [])


class BulkForm(Form):
    selected = PickedField()
    back = HiddenField()  # the board page the form came from
    action = SelectField(
        "With the selected items",
        choices=BULK_ACTIONS,
        validators=[DataRequired("Choose an action.")],
    )
    confirm_expire = BooleanField("Yes, expire the selected open items (they close for good)")
    submit = SubmitField("Apply to selected")


class BoardFilterForm(QueryForm):
    """Filters of the admin board, from the query string (GET, no CSRF)."""

    q = StringField("Candidate", validators=[Optional(), _length(100)])
    status = SelectField(
        "Status",
        choices=choices([("", "Any status"), ("open", "Any open status")])
        + enum_choices(ReferralStatus),
        validators=[Optional()],
    )
    kind = EnumField(
        "Kind", enum_cls=ReferralKind, blank="Referrals and leads", validators=[Optional()]
    )
    recruiter = IdSelectField("Proposed by", validators=[Optional()])
    owner = SelectField("Owner", validators=[Optional()])
    company = IdSelectField("Company", validators=[Optional()])
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
            status=enum_or_none(ReferralStatus, status),
            open_only=status == "open",
            kind=self.kind.data if ok["kind"] else None,
            recruiter_id=self.recruiter.data if ok["recruiter"] else None,
            owner_id=parse_id(owner),
            unowned=owner == "none",
            company_id=self.company.data if ok["company"] else None,
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


class ContactDecisionForm(Form):
    sure = BooleanField("Yes, turn this suggestion down")
