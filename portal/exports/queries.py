"""What the exports hold: one query each, read in chunks as the response streams.

Erased candidates appear as what erasure left of them — "Erased candidate #id", a placeholder
address, no phone, headline, external id or interview location — so the rows still add up.
The scorecard export says where each panel member's scorecard stands and when it was
submitted and released; never what it says (ratings, text, private notes stay in the portal).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Candidate,
    Company,
    Feedback,
    Interview,
    PanelMember,
    Position,
    User,
)

CHUNK = 500

CANDIDATE_HEADER = (
    "id", "external source", "external id", "name", "email", "phone", "headline",
    "has account", "invited at", "added at", "updated at", "erased at",
)  # fmt: skip
INTERVIEW_HEADER = (
    "id", "external source", "external id", "candidate id", "candidate", "candidate external id",
    "company", "position", "position external id", "stage", "format", "scheduled at (UTC)",
    "duration minutes", "location", "lead interviewer", "lead interviewer email",
    "created at", "updated at",
)  # fmt: skip
SCORECARD_HEADER = (
    "interview id", "interview external id", "candidate id", "candidate", "company",
    "position", "stage", "scheduled at (UTC)", "panel member", "panel member email", "role",
    "scorecard", "state", "submitted at", "released at",
)  # fmt: skip


def _stream(query: Select) -> Iterator:
    return db.session.execute(query, execution_options={"yield_per": CHUNK})


def candidate_rows() -> Iterator[list[object]]:
    query = select(
        Candidate.id,
        Candidate.external_source,
        Candidate.external_id,
        Candidate.name,
        Candidate.email,
        Candidate.phone,
        Candidate.headline,
        Candidate.user_id.is_not(None),
        Candidate.invited_at,
        Candidate.created_at,
        Candidate.updated_at,
        Candidate.erased_at,
    ).order_by(Candidate.id)
    for row in _stream(query):
        (cid, source, ext, name, email, phone, headline, account, invited, added, updated,
         erased) = row  # fmt: skip
        yield [cid, source, ext, name, email, phone, headline, "yes" if account else "no",
               invited, added, updated, erased]  # fmt: skip


def interview_rows() -> Iterator[list[object]]:
    lead = aliased(User)
    query = (
        select(
            Interview.id,
            Interview.external_source,
            Interview.external_id,
            Candidate.id,
            Candidate.name,
            Candidate.external_id,
            Company.name,
            Position.title,
            Position.external_id,
            Interview.stage,
            Interview.format,
            Interview.scheduled_at,
            Interview.duration_minutes,
            Interview.location,
            lead.name,
            lead.email,
            Interview.created_at,
            Interview.updated_at,
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Position, Position.id == Interview.position_id)
        .join(Company, Company.id == Position.company_id)
        .join(lead, lead.id == Interview.interviewer_id)
        .order_by(Interview.id)
    )
    for row in _stream(query):
        values = list(row)
        values[9], values[10] = values[9].label, values[10].label
        yield values


def scorecard_rows() -> Iterator[list[object]]:
    member = aliased(User)
    query = (
        select(
            Interview.id,
            Interview.external_id,
            Candidate.id,
            Candidate.name,
            Company.name,
            Position.title,
            Interview.stage,
            Interview.scheduled_at,
            member.name,
            member.email,
            Interview.interviewer_id == PanelMember.user_id,
            Feedback.kind,
            Feedback.state,
            Feedback.submitted_at,
            Feedback.released_at,
        )
        .select_from(PanelMember)
        .join(Interview, Interview.id == PanelMember.interview_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Position, Position.id == Interview.position_id)
        .join(Company, Company.id == Position.company_id)
        .join(member, member.id == PanelMember.user_id)
        .outerjoin(
            Feedback,
            and_(Feedback.interview_id == Interview.id, Feedback.author_id == PanelMember.user_id),
        )
        .order_by(Interview.id, PanelMember.id, Feedback.id)
    )
    for row in _stream(query):
        (iid, ext, cid, cand, company, title, stage, when, name, email, is_lead, kind, state,
         submitted, released) = row  # fmt: skip
        yield [iid, ext, cid, cand, company, title, stage.label, when, name, email,
               "lead" if is_lead else "member", kind.label if kind else "not started",
               state.label if state else "", submitted, released]  # fmt: skip
