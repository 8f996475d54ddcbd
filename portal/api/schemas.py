"""What the API reads and writes, as marshmallow schemas (the OpenAPI document is made from
these). Input fields go through portal/api/fields.py, the forms' rules; unknown fields are
refused, so a typo in a field name is an error rather than silently ignored."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate, validates_schema
from marshmallow import ValidationError as MarshmallowError

from portal.api.fields import (
    Count,
    Email,
    ExternalId,
    Flag,
    Id,
    Name,
    Text,
    Timestamp,
    Website,
)
from portal.models import (
    CompanyKind,
    Decision,
    FeedbackKind,
    FeedbackState,
    InterviewFormat,
    LeadKind,
    ReferralKind,
    ReferralStatus,
    Stage,
)
from portal.permissions import me
from portal.referrals.pipeline import moves_for

MAX_PAGE_SIZE = 200


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


def choice(enum_cls, **kwargs):
    return fields.Enum(enum_cls, by_value=True, **kwargs)


# --- errors and lists --------------------------------------------------------------------------


class ProblemSchema(Schema):
    type = fields.String(metadata={"description": "A URI naming the kind of problem."})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Problems per field (validation errors)."})


class ListArgs(Strict):
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Items per page, 1 to {MAX_PAGE_SIZE}."},
    )
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "`next_cursor` of the previous page."},
    )
    updated_since = Timestamp(
        metadata={"description": "Only items changed at or after this time (ISO 8601)."}
    )


class ExternalListArgs(ListArgs):
    external_id = ExternalId(
        metadata={"description": "Only the item with this id in the token's source system."}
    )


def page_of(item: type[Schema], name: str) -> type[Schema]:
    return type(
        name,
        (Schema,),
        {
            "data": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as `cursor` for the next page; null at the end."},
            ),
        },
    )


class External(Schema):
    external_source = fields.String(allow_none=True, dump_only=True)
    external_id = fields.String(allow_none=True, dump_only=True)
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)


# --- candidates --------------------------------------------------------------------------------


class Candidate(External):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    headline = fields.String(allow_none=True)
    invited = fields.Function(lambda c: c.invited_at is not None, dump_only=True)
    has_account = fields.Function(lambda c: c.user_id is not None, dump_only=True)
    erased = fields.Function(lambda c: c.erased_at is not None, dump_only=True)


class CandidateIn(Strict):
    external_id = ExternalId(
        metadata={"description": "Your system's id: sending it again updates that candidate."}
    )
    name = Name(required=True, max=120)
    email = Email(required=True)
    phone = Text(max=40, allow_none=True)
    headline = Text(max=160, allow_none=True)
    invite = Flag(
        load_default=False,
        metadata={"description": "Email the candidate an invitation to the portal."},
    )


class CandidatePatch(Strict):
    name = Name(max=120)
    email = Email()
    phone = Text(max=40, allow_none=True)
    headline = Text(max=160, allow_none=True)


# --- companies and positions -------------------------------------------------------------------


class Company(External):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    kind = choice(CompanyKind)
    website = fields.String(allow_none=True)
    active = fields.Boolean()


class CompanyIn(Strict):
    external_id = ExternalId()
    name = Name(required=True, max=160)
    kind = choice(CompanyKind, load_default=CompanyKind.CLIENT)
    website = Website(max=255, allow_none=True)
    active = Flag(load_default=True)


class CompanyPatch(Strict):
    name = Name(max=160)
    kind = choice(CompanyKind)
    website = Website(max=255, allow_none=True)
    active = Flag()


class CompanyArgs(ExternalListArgs):
    kind = choice(CompanyKind)


class Position(External):
    id = fields.Integer(dump_only=True)
    company_id = fields.Integer()
    title = fields.String()
    location = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    is_open = fields.Boolean()
    template_id = fields.Integer(allow_none=True)


class PositionIn(Strict):
    external_id = ExternalId()
    company_id = Id(metadata={"description": "The hiring company, or give company_external_id."})
    company_external_id = ExternalId()
    title = Name(required=True, max=160)
    location = Text(max=120, allow_none=True)
    description = Text(multiline=True, max=8000, allow_none=True)
    is_open = Flag(load_default=True)
    template_id = Id(allow_none=True, metadata={"description": "A scorecard template's id."})

    @validates_schema
    def one_company(self, data, **_):
        if ("company_id" in data) == ("company_external_id" in data):
            raise MarshmallowError(
                "Give company_id or company_external_id (one of them).", "company_id"
            )


class PositionPatch(Strict):
    title = Name(max=160)
    location = Text(max=120, allow_none=True)
    description = Text(multiline=True, max=8000, allow_none=True)
    is_open = Flag()
    template_id = Id(allow_none=True)


class PositionArgs(ExternalListArgs):
    company_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


# --- interviews and scorecards -----------------------------------------------------------------


class Interview(External):
    id = fields.Integer(dump_only=True)
    candidate_id = fields.Integer()
    position_id = fields.Integer()
    interviewer_id = fields.Integer(metadata={"description": "The panel's lead."})
    panel_ids = fields.Function(lambda i: [m.user_id for m in i.panel], dump_only=True)
    stage = choice(Stage)
    format = choice(InterviewFormat)
    scheduled_at = Timestamp()
    duration_minutes = fields.Integer()
    location = fields.String(allow_none=True)


class InterviewIn(Strict):
    external_id = ExternalId()
    candidate_id = Id()
    candidate_external_id = ExternalId()
    position_id = Id()
    position_external_id = ExternalId()
    interviewer_id = Id(metadata={"description": "The lead; the token's user when left out."})
    panel_ids = fields.List(Id(), validate=validate.Length(max=5))
    stage = choice(Stage, required=True)
    format = choice(InterviewFormat, required=True)
    scheduled_at = Timestamp(required=True)
    duration_minutes = Count(min=10, max=480, load_default=60)
    location = Text(max=200, allow_none=True)

    @validates_schema
    def one_of_each(self, data, **_):
        for name in ("candidate", "position"):
            if (f"{name}_id" in data) == (f"{name}_external_id" in data):
                raise MarshmallowError(
                    f"Give {name}_id or {name}_external_id (one of them).", f"{name}_id"
                )


class InterviewPatch(Strict):
    interviewer_id = Id()
    panel_ids = fields.List(Id(), validate=validate.Length(max=5))
    stage = choice(Stage)
    format = choice(InterviewFormat)
    scheduled_at = Timestamp()
    duration_minutes = Count(min=10, max=480)
    location = Text(max=200, allow_none=True)


class InterviewArgs(ExternalListArgs):
    candidate_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    position_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class Scorecard(Schema):
    id = fields.Integer()
    kind = choice(FeedbackKind)
    author_id = fields.Integer()
    author_name = fields.Function(lambda f: f.author.name)
    state = choice(FeedbackState)
    submitted_at = Timestamp(allow_none=True)
    released_at = Timestamp(allow_none=True)
    updated_at = Timestamp()


class ScorecardStatus(Schema):
    interview_id = fields.Integer()
    panel_size = fields.Integer()
    submitted = fields.Integer(metadata={"description": "Members' scorecards submitted."})
    released = fields.Boolean(metadata={"description": "Feedback was released to the candidate."})
    scorecards = fields.List(fields.Nested(Scorecard))


# --- released feedback -------------------------------------------------------------------------


class ReleasedFeedback(Schema):
    id = fields.Integer()
    interview_id = fields.Integer()
    candidate_id = fields.Integer()
    revision = fields.Integer(metadata={"description": "1 at release; amendments add one."})
    first_released_at = Timestamp()
    revised_at = Timestamp()
    decision = choice(Decision, allow_none=True)
    overall_score = fields.Float(allow_none=True)
    updated_at = Timestamp()
    content = fields.Dict(
        metadata={
            "description": "What the candidate sees: strengths, improvements, practice "
            "suggestions, insight, next step, engagement ratings, role skills and answers to "
            "candidate-facing questions. Never private notes or internal answers."
        },
    )


class FeedbackArgs(ListArgs):
    candidate_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    interview_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


# --- referrals and leads -----------------------------------------------------------------------


class Transition(Schema):
    from_status = choice(ReferralStatus, allow_none=True)
    to_status = choice(ReferralStatus)
    at = Timestamp()


class Referral(Schema):
    id = fields.Integer()
    kind = choice(ReferralKind)
    lead_kind = choice(LeadKind, allow_none=True)
    status = choice(ReferralStatus)
    candidate_id = fields.Integer()
    company_id = fields.Integer(allow_none=True)
    contact_id = fields.Integer(allow_none=True)
    role_title = fields.String(allow_none=True)
    market = fields.String(allow_none=True)
    note_to_candidate = fields.String()
    owner_id = fields.Integer(allow_none=True)
    follow_up_on = fields.Date(allow_none=True)
    version = fields.Integer(attribute="lock_version")
    status_changed_at = Timestamp()
    created_at = Timestamp()
    updated_at = Timestamp()
    allowed_moves = fields.Function(
        lambda r: [s.value for s in moves_for(r, me())],
        metadata={"description": "Statuses the token's user may move this item to."},
    )
    transitions = fields.List(fields.Nested(Transition))


class ReferralArgs(ListArgs):
    candidate_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    status = choice(ReferralStatus)
    kind = choice(ReferralKind)


class TransitionIn(Strict):
    to_status = choice(ReferralStatus, required=True)
    note = Text(multiline=True, max=2000, allow_none=True)
    version = Id(
        metadata={"description": "The referral's `version` you saw: a different one is a 409."}
    )


# --- pages -------------------------------------------------------------------------------------

CandidatePage = page_of(Candidate, "CandidatePage")
CompanyPage = page_of(Company, "CompanyPage")
PositionPage = page_of(Position, "PositionPage")
InterviewPage = page_of(Interview, "InterviewPage")
FeedbackPage = page_of(ReleasedFeedback, "FeedbackPage")
ReferralPage = page_of(Referral, "ReferralPage")


# --- the release check ----------------------------------------------------------------------


class ReleaseCheckIn(Strict):
    texts = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=80)),
        values=Text(multiline=True, max=20_000, allow_none=True),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={
            "description": "Texts a candidate would read, by a name of your choosing (it "
            "comes back as each finding's `field`). At most 50, each at most 20,000 "
            "characters, 100,000 in all."
        },
    )
    packs = fields.List(
        fields.String(),
        validate=validate.Length(max=10),
        metadata={
            "description": "Jurisdiction packs to apply (ids as in `packs` of the answer). "
            "Default: the packs chosen under Admin > Release check."
        },
    )

    @validates_schema
    def _not_too_much(self, data, **kwargs):
        total = sum(len(text or "") for text in data.get("texts", {}).values())
        if total > RELEASE_CHECK_LIMIT:
            raise MarshmallowError(
                f"Send at most {RELEASE_CHECK_LIMIT:,} characters in all ({total:,} sent).",
                field_name="texts",
            )


RELEASE_CHECK_LIMIT = 100_000  # characters per request, all texts together


class FindingBasis(Schema):
    pack = fields.String(metadata={"description": "The pack's id, e.g. `uk`."})
    name = fields.String()
    law = fields.String(metadata={"description": "The law (or practice) the pack cites."})


class Finding(Schema):
    field = fields.String()
    rule_id = fields.String()
    category = fields.String()
    ground = fields.String()
    basis = fields.List(fields.Nested(FindingBasis))
    matched = fields.String(metadata={"description": "The flagged words."})
    start = fields.Integer(
        metadata={
            "description": "Offset of the words in the text as the portal cleans it before "
            "saving (Unicode NFC, line endings as \\n, invisible characters removed, "
            "trimmed): the same text a form would store."
        }
    )
    end = fields.Integer()
    explanation = fields.String()
    suggestion = fields.String()


class ReleaseCheckOut(Schema):
    packs = fields.List(fields.String(), metadata={"description": "The packs applied."})
    findings = fields.List(fields.Nested(Finding))
