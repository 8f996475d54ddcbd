"""The API's resources. Views stay thin: load through permissions, call the same services
as the pages, dump through the schemas. Writes need the token's write scope (auth.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import abort, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import release_check
from portal.api import schemas
from portal.api.auth import changes_nothing, current_token
from portal.api.paging import page
from portal.candidates import services as candidates
from portal.companies import services as companies
from portal.extensions import db
from portal.interviews import services as interviews
from portal.models import (
    Candidate,
    Company,
    Decision,
    Feedback,
    FeedbackState,
    Interview,
    Position,
    Referral,
    ReportKind,
    Stage,
)
from portal.permissions import (
    ERASED_MESSAGE,
    can_change_candidate,
    can_change_interview,
    can_manage_companies,
    can_manage_position,
    can_view_candidate,
    can_view_feedback,
    can_view_interview,
    can_view_referral,
    is_erased,
    is_staff,
    load,
    me,
    require,
)
from portal.referrals import pipeline
from portal.unit_of_work import DomainError

candidates_bp = Blueprint(
    "api_candidates", __name__, url_prefix="/api/v1/candidates", description="Candidates"
)
companies_bp = Blueprint(
    "api_companies", __name__, url_prefix="/api/v1/companies", description="Companies"
)
positions_bp = Blueprint(
    "api_positions", __name__, url_prefix="/api/v1/positions", description="Positions"
)
interviews_bp = Blueprint(
    "api_interviews",
    __name__,
    url_prefix="/api/v1/interviews",
    description="Interviews and their scorecard status",
)
feedback_bp = Blueprint(
    "api_feedback",
    __name__,
    url_prefix="/api/v1/feedback",
    description="Released feedback, as the candidate sees it, and its PDF report",
)
referrals_bp = Blueprint(
    "api_referrals",
    __name__,
    url_prefix="/api/v1/referrals",
    description="Referrals and leads, and moving them through the pipeline",
)
release_check_bp = Blueprint(
    "api_release_check",
    __name__,
    url_prefix="/api/v1/release-check",
    description="The release check the portal runs before a candidate reads any text",
)
BLUEPRINTS = [
    candidates_bp,
    companies_bp,
    positions_bp,
    interviews_bp,
    feedback_bp,
    referrals_bp,
    release_check_bp,
]

WRITE_ERRORS = {"422": "The request could not be accepted", "409": "Conflict"}


@contextmanager
def refusals(status: int = 422) -> Iterator[None]:
    """A rule's refusal (DomainError) as a problem: 422 with the message by its field."""
    try:
        yield
    except DomainError as exc:
        field = exc.field or "_schema"
        abort_problem(status, str(exc), {field: [str(exc)]})


def abort_problem(status: int, detail: str, errors: dict[str, Any] | None = None) -> None:
    from flask_smorest import abort as smorest_abort

    smorest_abort(status, message=detail, errors=errors or {})


def source() -> str:
    token = current_token()
    return token.source if token else "api"


def by_external_id(model: Any, external_id: str) -> Any | None:
    return db.session.scalar(
        select(model).where(model.external_source == source(), model.external_id == external_id)
    )


def if_match(obj: Any, schema: type) -> None:
    """A write with If-Match applies only to the representation the client saw (412)."""
    wanted = request.headers.get("If-Match")
    if not wanted:
        return
    # The same bytes a GET of it answers with, so the same ETag.
    current = current_app.json.response(schema().dump(obj))
    current.add_etag()
    etag = current.get_etag()[0]
    tags = [t.strip().removeprefix("W/").strip('"') for t in wanted.split(",")]
    if "*" not in tags and etag not in tags:
        abort_problem(412, "This item changed since you read it; read it again first.")


def editable(candidate: Candidate) -> None:
    if is_erased(candidate):
        abort_problem(409, ERASED_MESSAGE)
    require(can_change_candidate(me(), candidate))


# --- candidates --------------------------------------------------------------------------------


@candidates_bp.route("")
class Candidates(MethodView):
    @candidates_bp.arguments(schemas.ExternalListArgs, location="query")
    @candidates_bp.response(200, schemas.CandidatePage)
    def get(self, args):
        """List candidates, in the order they last changed."""
        require(is_staff(me()))
        return page(select(Candidate), Candidate, args)

    @candidates_bp.arguments(schemas.CandidateIn)
    @candidates_bp.response(201, schemas.Candidate)
    @candidates_bp.alt_response(200, schema=schemas.Candidate, description="Updated by external_id")
    @candidates_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def post(self, data):
        """Create a candidate, or update the one with this `external_id` (an upsert)."""
        require(is_staff(me()))
        invite = data.pop("invite")
        external_id = data.pop("external_id", None)
        with refusals():
            if external_id is None:
                candidate = candidates.create_candidate(
                    name=data["name"],
                    email=data["email"],
                    phone=data.get("phone"),
                    headline=data.get("headline"),
                    actor=me(),
                    invite=invite,
                )
                return candidate, 201
            existing = by_external_id(Candidate, external_id)
            if existing is not None:
                editable(existing)
            candidate, outcome = candidates.upsert_candidate(
                source=source(),
                external_id=external_id,
                name=data["name"],
                email=data["email"],
                phone=data.get("phone"),
                headline=data.get("headline"),
                actor=me(),
            )
            if invite and outcome == "created":
                candidates.send_invitation(candidate, me())
        return candidate, 201 if outcome == "created" else 200


@candidates_bp.route("/<int:candidate_id>")
class CandidateItem(MethodView):
    @candidates_bp.response(200, schemas.Candidate)
    def get(self, candidate_id):
        """One candidate."""
        return load(Candidate, candidate_id, can_view_candidate)

    @candidates_bp.arguments(schemas.CandidatePatch)
    @candidates_bp.response(200, schemas.Candidate)
    @candidates_bp.alt_response(409, description=WRITE_ERRORS["409"])
    @candidates_bp.alt_response(412, description="Precondition failed")
    @candidates_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def patch(self, data, candidate_id):
        """Change a candidate (only the fields sent). Honours If-Match."""
        candidate = load(Candidate, candidate_id, can_view_candidate)
        editable(candidate)
        if_match(candidate, schemas.Candidate)
        fields = {
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "headline": candidate.headline,
        } | data
        with refusals():
            candidates.update_candidate(candidate, **fields, actor=me())
            db.session.flush()
        return candidate


@candidates_bp.route("/<int:candidate_id>/journey-report")
class JourneyReport(MethodView):
    @candidates_bp.response(
        200, content_type="application/pdf", description="The candidate's journey report (PDF)"
    )
    @candidates_bp.alt_response(202, description="Being prepared: ask again after Retry-After")
    def get(self, candidate_id):
        """The candidate's selection-journey report as a PDF."""
        from portal.reports.routes import deliver_api

        candidate = load(Candidate, candidate_id, can_view_candidate)
        return deliver_api(ReportKind.JOURNEY, candidate, None)


# --- companies and positions -------------------------------------------------------------------


def _company_fields(company: Company | None, data: dict[str, Any]) -> dict[str, Any]:
    current = (
        {
            "name": company.name,
            "kind": company.kind,
            "website": company.website,
            "notes": company.notes,
            "active": company.active,
        }
        if company
        else {"notes": None}
    )
    return current | data


@companies_bp.route("")
class Companies(MethodView):
    @companies_bp.arguments(schemas.CompanyArgs, location="query")
    @companies_bp.response(200, schemas.CompanyPage)
    def get(self, args):
        """List companies (hiring clients and partners)."""
        require(is_staff(me()))
        query = select(Company)
        if args.get("kind") is not None:
            query = query.where(Company.kind == args["kind"])
        return page(query, Company, args)

    @companies_bp.arguments(schemas.CompanyIn)
    @companies_bp.response(201, schemas.Company)
    @companies_bp.alt_response(200, schema=schemas.Company, description="Updated by external_id")
    @companies_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def post(self, data):
        """Create a company, or update the one with this `external_id`."""
        require(can_manage_companies(me()))
        external_id = data.pop("external_id", None)
        existing = by_external_id(Company, external_id) if external_id else None
        fields = _company_fields(existing, data)
        if existing is not None and all(getattr(existing, k) == v for k, v in fields.items()):
            return existing, 200
        with refusals():
            company = companies.save_company(existing, actor=me(), **fields)
            if external_id and existing is None:
                company.external_source, company.external_id = source(), external_id
            db.session.flush()
        return company, 200 if existing else 201


@companies_bp.route("/<int:company_id>")
class CompanyItem(MethodView):
    @companies_bp.response(200, schemas.Company)
    def get(self, company_id):
        """One company."""
        return load(Company, company_id, can_manage_companies)

    @companies_bp.arguments(schemas.CompanyPatch)
    @companies_bp.response(200, schemas.Company)
    @companies_bp.alt_response(412, description="Precondition failed")
    @companies_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def patch(self, data, company_id):
        """Change a company (only the fields sent). Honours If-Match."""
        company = load(Company, company_id, can_manage_companies)
        if_match(company, schemas.Company)
        with refusals():
            companies.save_company(company, actor=me(), **_company_fields(company, data))
            db.session.flush()
        return company


def _position_fields(position: Position | None, data: dict[str, Any]) -> dict[str, Any]:
    current = (
        {
            "title": position.title,
            "location": position.location,
            "description": position.description,
            "is_open": position.is_open,
            "template_id": position.template_id,
        }
        if position
        else {"template_id": None}
    )
    return current | data


def _save_position(position: Position | None, company: Company, data: dict[str, Any]) -> Position:
    fields = _position_fields(position, data)
    template_id = fields.pop("template_id")
    stages = {row.stage: row.template_id for row in position.stage_templates} if position else None
    with refusals():
        saved = companies.save_position(
            position,
            company,
            actor=me(),
            template_id=template_id,
            stage_templates=stages,
            **fields,
        )
        db.session.flush()
    return saved


@positions_bp.route("")
class Positions(MethodView):
    @positions_bp.arguments(schemas.PositionArgs, location="query")
    @positions_bp.response(200, schemas.PositionPage)
    def get(self, args):
        """List positions."""
        require(is_staff(me()))
        query = select(Position)
        if args.get("company_id") is not None:
            query = query.where(Position.company_id == args["company_id"])
        return page(query, Position, args)

    @positions_bp.arguments(schemas.PositionIn)
    @positions_bp.response(201, schemas.Position)
    @positions_bp.alt_response(200, schema=schemas.Position, description="Updated by external_id")
    @positions_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def post(self, data):
        """Create a position at a hiring company, or update the one with this `external_id`."""
        require(can_manage_companies(me()))
        external_id = data.pop("external_id", None)
        company_id = data.pop("company_id", None)
        company_external_id = data.pop("company_external_id", None)
        company = (
            db.session.get(Company, company_id)
            if company_id is not None
            else by_external_id(Company, company_external_id)
        )
        if company is None:
            abort_problem(
                422, "There is no such company.", {"company_id": ["There is no such company."]}
            )
        existing = by_external_id(Position, external_id) if external_id else None
        if existing is not None and existing.company_id != company.id:
            abort_problem(409, "This external_id belongs to a position at another company.", None)
        fields = _position_fields(existing, data)
        if existing is not None and all(getattr(existing, k) == v for k, v in fields.items()):
            return existing, 200
        position = _save_position(existing, company, data)
        if external_id and existing is None:
            position.external_source, position.external_id = source(), external_id
        return position, 200 if existing else 201


@positions_bp.route("/<int:position_id>")
class PositionItem(MethodView):
    @positions_bp.response(200, schemas.Position)
    def get(self, position_id):
        """One position."""
        return load(Position, position_id, can_manage_position)

    @positions_bp.arguments(schemas.PositionPatch)
    @positions_bp.response(200, schemas.Position)
    @positions_bp.alt_response(412, description="Precondition failed")
    @positions_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def patch(self, data, position_id):
        """Change a position (only the fields sent). Honours If-Match."""
        position = load(Position, position_id, can_manage_position)
        if_match(position, schemas.Position)
        return _save_position(position, position.company, data)


# --- interviews --------------------------------------------------------------------------------


def _reference(data: dict[str, Any], name: str, model: Any) -> int:
    ident = data.pop(f"{name}_id", None)
    external = data.pop(f"{name}_external_id", None)
    if ident is None and external is not None:
        found = by_external_id(model, external)
        if found is None:
            message = f"There is no {name} with this external id in your source."
            abort_problem(422, message, {f"{name}_external_id": [message]})
        ident = found.id
    return ident


@interviews_bp.route("")
class Interviews(MethodView):
    @interviews_bp.arguments(schemas.InterviewArgs, location="query")
    @interviews_bp.response(200, schemas.InterviewPage)
    def get(self, args):
        """List interviews."""
        require(is_staff(me()))
        query = select(Interview).options(selectinload(Interview.panel))
        for name in ("candidate_id", "position_id"):
            if args.get(name) is not None:
                query = query.where(getattr(Interview, name) == args[name])
        return page(query, Interview, args, keep=lambda i: can_view_interview(me(), i))

    @interviews_bp.arguments(schemas.InterviewIn)
    @interviews_bp.response(201, schemas.Interview)
    @interviews_bp.alt_response(200, schema=schemas.Interview, description="Updated by external_id")
    @interviews_bp.alt_response(409, description=WRITE_ERRORS["409"])
    @interviews_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def post(self, data):
        """Schedule an interview, or update the one with this `external_id`."""
        require(is_staff(me()))
        external_id = data.pop("external_id", None)
        data["candidate_id"] = _reference(data, "candidate", Candidate)
        data["position_id"] = _reference(data, "position", Position)
        data.setdefault("interviewer_id", me().id)
        candidate = db.session.get(Candidate, data["candidate_id"])
        if candidate is not None:
            editable(candidate)
        with refusals():
            if external_id is None:
                interview = interviews.save_interview(None, actor=me(), **_interview_args(data))
                return interview, 201
            existing = by_external_id(Interview, external_id)
            if existing is not None:
                require(can_change_interview(me(), existing))
            interview, outcome = interviews.upsert_interview(
                source=source(), external_id=external_id, actor=me(), **_interview_args(data)
            )
        return interview, 201 if outcome == "created" else 200


def _interview_args(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "candidate_id": data["candidate_id"],
        "position_id": data["position_id"],
        "interviewer_id": data["interviewer_id"],
        "stage": data["stage"],
        "format": data["format"],
        "scheduled_at": data["scheduled_at"],
        "location": data.get("location"),
        "duration_minutes": data.get("duration_minutes"),
        "panel_ids": data.get("panel_ids"),
    }


@interviews_bp.route("/<int:interview_id>")
class InterviewItem(MethodView):
    @interviews_bp.response(200, schemas.Interview)
    def get(self, interview_id):
        """One interview."""
        return load(Interview, interview_id, can_view_interview)

    @interviews_bp.arguments(schemas.InterviewPatch)
    @interviews_bp.response(200, schemas.Interview)
    @interviews_bp.alt_response(409, description=WRITE_ERRORS["409"])
    @interviews_bp.alt_response(412, description="Precondition failed")
    @interviews_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def patch(self, data, interview_id):
        """Change an interview (only the fields sent). Honours If-Match."""
        interview = load(Interview, interview_id, can_view_interview)
        editable(interview.candidate)
        require(can_change_interview(me(), interview))
        if_match(interview, schemas.Interview)
        fields = {
            "candidate_id": interview.candidate_id,
            "position_id": interview.position_id,
            "interviewer_id": interview.interviewer_id,
            "stage": interview.stage,
            "format": interview.format,
            "scheduled_at": interview.scheduled_at,
            "location": interview.location,
            "duration_minutes": interview.duration_minutes,
            "panel_ids": None,
        } | data
        with refusals():
            interviews.save_interview(interview, actor=me(), **fields)
            db.session.flush()
        return interview


@interviews_bp.route("/<int:interview_id>/scorecards")
class ScorecardStatus(MethodView):
    @interviews_bp.response(200, schemas.ScorecardStatus)
    def get(self, interview_id):
        """Who on the panel has scored, and whether feedback was released."""
        interview = load(
            Interview,
            interview_id,
            can_view_interview,
            selectinload(Interview.panel),
            selectinload(Interview.feedback).joinedload(Feedback.author),
        )
        cards = sorted(interview.feedback, key=lambda f: f.id)
        members = [f for f in cards if f.kind.value == "member"]
        return {
            "interview_id": interview.id,
            "panel_size": len(interview.panel),
            "submitted": sum(1 for f in members if f.submitted_at is not None),
            "released": any(f.state is FeedbackState.RELEASED for f in cards),
            "scorecards": cards,
        }


# --- released feedback -------------------------------------------------------------------------


def released_view(feedback: Feedback) -> dict[str, Any]:
    latest = feedback.revisions[-1]
    content = dict(latest.content)
    return {
        "id": feedback.id,
        "interview_id": feedback.interview_id,
        "candidate_id": feedback.interview.candidate_id,
        "revision": latest.number,
        "first_released_at": feedback.released_at,
        "revised_at": latest.released_at,
        "decision": Decision(content["decision"]) if content.get("decision") else None,
        "overall_score": latest.score,
        "updated_at": feedback.updated_at,
        "content": content,
    }


def _released(feedback_id: int) -> Feedback:
    feedback = load(
        Feedback,
        feedback_id,
        can_view_feedback,
        selectinload(Feedback.revisions),
        selectinload(Feedback.interview).selectinload(Interview.panel),
        selectinload(Feedback.interview).selectinload(Interview.feedback),
    )
    if feedback.state is not FeedbackState.RELEASED or not feedback.revisions:
        abort(404)
    return feedback


@feedback_bp.route("")
class ReleasedFeedbackList(MethodView):
    @feedback_bp.arguments(schemas.FeedbackArgs, location="query")
    @feedback_bp.response(200, schemas.FeedbackPage)
    def get(self, args):
        """Released feedback, as the candidate sees it (latest revision)."""
        require(is_staff(me()))
        query = (
            select(Feedback)
            .where(Feedback.state == FeedbackState.RELEASED)
            .options(
                selectinload(Feedback.revisions),
                # what can_view_feedback reads: the panel, and who on it has scored
                selectinload(Feedback.interview).selectinload(Interview.panel),
                selectinload(Feedback.interview).selectinload(Interview.feedback),
            )
        )
        if args.get("interview_id") is not None:
            query = query.where(Feedback.interview_id == args["interview_id"])
        if args.get("candidate_id") is not None:
            query = query.join(Feedback.interview).where(
                Interview.candidate_id == args["candidate_id"]
            )
        result = page(
            query, Feedback, args, keep=lambda f: f.revisions and can_view_feedback(me(), f)
        )
        result["data"] = [released_view(f) for f in result["data"]]
        return result


@feedback_bp.route("/<int:feedback_id>")
class ReleasedFeedbackItem(MethodView):
    @feedback_bp.response(200, schemas.ReleasedFeedback)
    def get(self, feedback_id):
        """One released feedback, as the candidate sees it."""
        return released_view(_released(feedback_id))


@feedback_bp.route("/<int:feedback_id>/report")
class FeedbackReport(MethodView):
    @feedback_bp.response(200, content_type="application/pdf", description="The PDF report")
    @feedback_bp.alt_response(202, description="Being prepared: ask again after Retry-After")
    def get(self, feedback_id):
        """The candidate's feedback report for this interview, as a PDF."""
        from portal.reports.routes import deliver_api

        feedback = _released(feedback_id)
        return deliver_api(ReportKind.INTERVIEW, feedback.interview.candidate, feedback)


# --- referrals ---------------------------------------------------------------------------------


@referrals_bp.route("")
class Referrals(MethodView):
    @referrals_bp.arguments(schemas.ReferralArgs, location="query")
    @referrals_bp.response(200, schemas.ReferralPage)
    def get(self, args):
        """Referrals and leads."""
        require(is_staff(me()))
        query = select(Referral).options(
            selectinload(Referral.transitions), selectinload(Referral.candidate)
        )
        for name in ("candidate_id", "status", "kind"):
            if args.get(name) is not None:
                query = query.where(getattr(Referral, name) == args[name])
        return page(query, Referral, args, keep=lambda r: can_view_referral(me(), r))


@referrals_bp.route("/<int:referral_id>")
class ReferralItem(MethodView):
    @referrals_bp.response(200, schemas.Referral)
    def get(self, referral_id):
        """One referral or lead, with its history."""
        return load(
            Referral,
            referral_id,
            can_view_referral,
            selectinload(Referral.transitions),
            selectinload(Referral.candidate),
        )


@referrals_bp.route("/<int:referral_id>/transitions")
class ReferralTransitions(MethodView):
    @referrals_bp.arguments(schemas.TransitionIn)
    @referrals_bp.response(201, schemas.Referral)
    @referrals_bp.alt_response(409, description="Not a move this person may make now")
    @referrals_bp.alt_response(422, description=WRITE_ERRORS["422"])
    def post(self, data, referral_id):
        """Move a referral or lead, by the same rules as the pipeline pages."""
        referral = load(Referral, referral_id, can_view_referral)
        if referral.candidate.erased_at is not None:
            abort_problem(409, ERASED_MESSAGE)
        try:
            pipeline.transition(
                referral,
                data["to_status"],
                me(),
                data.get("note"),
                expected_version=data.get("version"),
            )
            pipeline.flush_or_conflict(referral)
        except (pipeline.TransitionRefused, pipeline.ConflictError) as exc:
            abort_problem(409, str(exc))
        except pipeline.ReferralError as exc:
            abort_problem(422, str(exc), {"note": [str(exc)]})
        return referral, 201


# --- the release check -------------------------------------------------------------------------


@release_check_bp.route("")
class ReleaseCheck(MethodView):
    @release_check_bp.arguments(schemas.ReleaseCheckIn)
    @release_check_bp.response(200, schemas.ReleaseCheckOut)
    @release_check_bp.alt_response(422, description=WRITE_ERRORS["422"])
    @changes_nothing
    def post(self, data):
        """Screen texts as the portal does before a candidate reads them (nothing is stored;
        the read scope is enough). The same findings as the pages and `flask feedback screen`."""
        require(is_staff(me()))
        asked = data.get("packs")
        unknown = release_check.unknown_packs(asked or ())
        if unknown:
            known = ", ".join(p.id for p in release_check.choosable_packs())
            detail = f"Unknown pack: {', '.join(unknown)}. Known packs: {known}."
            abort_problem(422, detail, {"packs": [detail]})
        packs = release_check.packs_for(asked)
        return {"packs": list(packs), "findings": release_check.findings(data["texts"], packs)}


__all__ = ["BLUEPRINTS", "Stage"]
