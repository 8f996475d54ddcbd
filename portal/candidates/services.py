"""Candidate profiles: creation, edits and invitations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from portal import audit
from portal.auth.services import normalise_email, send_invitation
from portal.extensions import db
from portal.models import (
    Candidate,
    Company,
    Feedback,
    FeedbackState,
    Interview,
    Position,
    Stage,
    User,
    utcnow,
)
from portal.permissions import ERASED_MESSAGE, is_erased
from portal.unit_of_work import DomainError


class CandidateError(DomainError):
    """A rule about candidates was broken; the message is safe to show."""


@dataclass(frozen=True)
class LatestStep:
    stage: Stage
    scheduled_at: datetime
    position_title: str
    company_name: str


@dataclass
class CandidateRow:
    """One line of the candidate list: the person, their latest step, their scorecards."""

    candidate: Candidate
    latest: LatestStep | None = None
    feedback_states: list[FeedbackState] = field(default_factory=list)


def list_rows(candidates: list[Candidate]) -> list[CandidateRow]:
    """The list's lines for one page of candidates, in two queries of plain rows.

    A page shows about 125 interviews and as many scorecards; reading them as rows rather
    than ORM objects (with their long texts) keeps the page's cost small and flat.
    """
    rows = {c.id: CandidateRow(c) for c in candidates}
    if not rows:
        return []
    steps = db.session.execute(
        select(
            Interview.candidate_id,
            Interview.stage,
            Interview.scheduled_at,
            Position.title,
            Company.name,
        )
        .join(Interview.position)
        .join(Position.company)
        .where(Interview.candidate_id.in_(rows))
        .order_by(Interview.candidate_id, Interview.scheduled_at, Interview.id)
    )
    for candidate_id, stage, scheduled_at, title, company in steps:
        rows[candidate_id].latest = LatestStep(stage, scheduled_at, title, company)
    states: dict[int, list[FeedbackState]] = defaultdict(list)
    for candidate_id, state in db.session.execute(
        select(Interview.candidate_id, Feedback.state)
        .join(Feedback.interview)
        .where(Interview.candidate_id.in_(rows))
        .order_by(Interview.candidate_id, Interview.scheduled_at, Interview.id, Feedback.id)
    ):
        states[candidate_id].append(state)
    for candidate_id, row in rows.items():
        row.feedback_states = states[candidate_id]
    return list(rows.values())


def create_candidate(
    *,
    name: str,
    email: str,
    phone: str | None,
    headline: str | None,
    actor: User,
    invite: bool,
    external_source: str | None = None,
    external_id: str | None = None,
) -> Candidate:
    email = normalise_email(email)
    if db.session.scalar(select(Candidate.id).where(Candidate.email == email)) is not None:
        raise CandidateError("A candidate with this email address already exists.", field="email")
    candidate = Candidate(
        name=name.strip(),
        email=email,
        phone=(phone or "").strip() or None,
        headline=(headline or "").strip() or None,
        created_by_id=actor.id,
        external_source=external_source,
        external_id=external_id,
    )
    db.session.add(candidate)
    db.session.flush()
    audit.record("candidate_created", candidate, actor=actor)
    if invite:
        send_invitation(candidate, actor)
    return candidate


def update_candidate(
    candidate: Candidate,
    *,
    name: str,
    email: str,
    phone: str | None,
    headline: str | None,
    actor: User,
) -> None:
    if is_erased(candidate):
        raise CandidateError(ERASED_MESSAGE)
    email = normalise_email(email)
    if email != candidate.email:
        if candidate.user_id is not None:
            raise CandidateError(
                "This candidate already has an account; their email address is theirs to change.",
                field="email",
            )
        taken = db.session.scalar(
            select(Candidate.id).where(Candidate.email == email, Candidate.id != candidate.id)
        )
        if taken is not None:
            raise CandidateError(
                "Another candidate already uses this email address.", field="email"
            )
    candidate.name = name.strip()
    candidate.email = email
    candidate.phone = (phone or "").strip() or None
    candidate.headline = (headline or "").strip() or None
    candidate.last_activity_at = utcnow()
    audit.record("candidate_updated", candidate, actor=actor)


def upsert_candidate(
    *,
    source: str,
    external_id: str,
    name: str,
    email: str,
    phone: str | None,
    headline: str | None,
    actor: User,
) -> tuple[Candidate, str]:
    """The candidate another system knows as `external_id` in `source`, created or brought up
    to date: "created", "updated", or "unchanged" when every field already equals (then
    nothing is written, not even an audit event, so pushing the same record again is free).

    Creating and updating go through `create_candidate` (no invitation: the team invites when
    it is ready) and `update_candidate`, with their rules: an email address another candidate
    uses is refused, and so is a change to an erased record (erasure also forgets the external
    id, so an erased person is never found here)."""
    candidate = db.session.scalar(
        select(Candidate).where(
            Candidate.external_source == source, Candidate.external_id == external_id
        )
    )
    if candidate is None:
        created = create_candidate(
            name=name,
            email=email,
            phone=phone,
            headline=headline,
            actor=actor,
            invite=False,
            external_source=source,
            external_id=external_id,
        )
        return created, "created"
    wanted = (
        name.strip(),
        normalise_email(email),
        (phone or "").strip() or None,
        (headline or "").strip() or None,
    )
    held = (candidate.name, candidate.email, candidate.phone, candidate.headline)
    if wanted == held and not is_erased(candidate):
        return candidate, "unchanged"
    update_candidate(candidate, name=name, email=email, phone=phone, headline=headline, actor=actor)
    return candidate, "updated"
