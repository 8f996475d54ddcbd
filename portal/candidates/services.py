"""Candidate profiles: creation, edits and invitations."""

from __future__ import annotations

from sqlalchemy import select

from portal import audit
from portal.auth.services import normalise_email, send_invitation
from portal.extensions import db
from portal.models import Candidate, User, utcnow


class CandidateError(Exception):
    """A rule about candidates was broken; the message is safe to show."""


def create_candidate(
    *, name: str, email: str, phone: str | None, headline: str | None, actor: User, invite: bool
) -> Candidate:
    email = normalise_email(email)
    if db.session.scalar(select(Candidate.id).where(Candidate.email == email)) is not None:
        raise CandidateError("A candidate with this email address already exists.")
    candidate = Candidate(
        name=name.strip(),
        email=email,
        phone=(phone or "").strip() or None,
        headline=(headline or "").strip() or None,
        created_by_id=actor.id,
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
    email = normalise_email(email)
    if email != candidate.email:
        if candidate.user_id is not None:
            raise CandidateError(
                "This candidate already has an account; their email address is theirs to change."
            )
        taken = db.session.scalar(
            select(Candidate.id).where(Candidate.email == email, Candidate.id != candidate.id)
        )
        if taken is not None:
            raise CandidateError("Another candidate already uses this email address.")
    candidate.name = name.strip()
    candidate.email = email
    candidate.phone = (phone or "").strip() or None
    candidate.headline = (headline or "").strip() or None
    candidate.last_activity_at = utcnow()
    audit.record("candidate_updated", candidate, actor=actor)
