"""Proposing referrals and leads (with duplicate detection) and the candidate's offers.

The status changes themselves live in `pipeline.transition`, the one function that moves
an item through its states (re-exported here); owners and follow-up dates are in
`ownership`, the partner directory in `partners`. Everything flushes and records audit
events; the view commits.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from portal import audit, release_check
from portal.extensions import db
from portal.models import (
    VISIBLE_STATUSES,
    Candidate,
    Company,
    Feedback,
    Interview,
    LeadKind,
    PartnerContact,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    ReleaseAcknowledgement,
    User,
    utcnow,
)
from portal.permissions import ERASED_MESSAGE
from portal.referrals.pipeline import (
    OPEN_STATUSES,
    ConflictError,
    ReferralError,
    TransitionRefused,
    moves_for,
    transition,
)
from portal.release_check import screening

__all__ = [
    "ConflictError",
    "DuplicateError",
    "ProposalError",
    "ReferralError",
    "TransitionRefused",
    "moves_for",
    "transition",
]

# Statuses in which the candidate has seen the item (it was approved at some point): the
# same ones their reports show.
SHOWN_STATUSES = VISIBLE_STATUSES
TEXT_LIMIT = 160
NOTE_LIMIT = 2000


class ProposalError(ReferralError):
    """The proposal is incomplete; `problems` maps a field name to what is missing."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("Please complete the proposal: " + " ".join(problems.values()))


class ReferralFindings(ReferralError, screening.UnacknowledgedFindings):
    """The release check found wording in the note to the candidate to fix or keep."""


class DuplicateError(ReferralError):
    """An open item for the same candidate and target already exists."""

    def __init__(self, existing: Referral):
        self.existing = existing
        target = "contact" if existing.kind is ReferralKind.REFERRAL else "lead"
        super().__init__(
            f"{existing.candidate.name} already has an open {existing.kind.value} for this "
            f"{target} (#{existing.id}, {existing.status.value}). Open it instead of "
            "proposing it twice."
        )


@dataclass(frozen=True)
class Proposal:
    """What the proposal form collected, shaped and checked for type and length."""

    kind: ReferralKind
    note_to_candidate: str
    contact_id: int | None = None
    role_title: str | None = None
    lead_kind: LeadKind | None = None
    company_id: int | None = None
    market: str | None = None
    follow_up_on: date | None = None
    feedback_id: int | None = None


def _clean(text: str | None) -> str | None:
    text = (text or "").replace("\r\n", "\n").strip()
    return text or None


def propose(
    candidate: Candidate,
    proposal: Proposal,
    *,
    actor: User,
    acknowledged: Set[str] = frozenset(),
) -> Referral:
    """Record a proposed referral or lead for the candidate (an admin approves it later).

    The note is written to the candidate, so it passes the release check first: a finding
    blocks (ReferralFindings) until the note is changed or the finding is kept on purpose."""
    if not actor.is_staff or not actor.active:
        raise ReferralError("Only recruiters and admins propose referrals and leads.")
    if candidate.erased_at is not None:
        raise ReferralError(ERASED_MESSAGE)
    referral = _build(candidate, proposal, actor)
    existing = find_open_duplicate(referral)
    if existing is not None:
        raise DuplicateError(existing)
    try:
        findings = release_check.check(
            {"note_to_candidate": referral.note_to_candidate}, set(acknowledged)
        )
    except screening.UnacknowledgedFindings as exc:
        raise ReferralFindings(exc.findings) from None
    now = utcnow()
    referral.created_at = referral.status_changed_at = now
    ReferralTransition(
        referral=referral,
        from_status=None,
        to_status=ReferralStatus.PROPOSED,
        actor_id=actor.id,
        at=now,
    )
    db.session.add(referral)
    db.session.flush()
    for finding in findings:
        db.session.add(
            ReleaseAcknowledgement(
                referral_id=referral.id,
                revision=0,
                field=finding.field,
                category=finding.category,
                matched_text=finding.matched[:200],
                acknowledged_by_id=actor.id,
            )
        )
    if findings:
        audit.record(
            "release_findings_acknowledged",
            referral,
            actor=actor,
            findings=[f"{f.field}:{f.rule_id}" for f in findings],
        )
    audit.record(
        "referral_proposed",
        referral,
        actor=actor,
        kind=referral.kind.value,
        candidate_id=candidate.id,
        contact_id=referral.contact_id,
        company_id=referral.company_id,
    )
    return referral


def proposal_problems(candidate: Candidate, proposal: Proposal, *, actor: User) -> dict[str, str]:
    """What `propose` would refuse in this proposal, field by field, without saving anything."""
    try:
        with db.session.no_autoflush:
            _build(candidate, proposal, actor)
    except ProposalError as exc:
        return exc.problems
    return {}


def _build(candidate: Candidate, proposal: Proposal, actor: User) -> Referral:
    problems: dict[str, str] = {}
    note = _clean(proposal.note_to_candidate)
    role = _clean(proposal.role_title)
    market = _clean(proposal.market)
    if not note:
        problems["note_to_candidate"] = "Write a note to the candidate: why you thought of this."
    elif len(note) > NOTE_LIMIT:
        problems["note_to_candidate"] = f"Keep the note under {NOTE_LIMIT} characters."
    for name, value in (("role_title", role), ("market", market)):
        if value and len(value) > TEXT_LIMIT:
            problems[name] = f"Keep this under {TEXT_LIMIT} characters."
    referral = Referral(
        candidate=candidate,
        kind=proposal.kind,
        status=ReferralStatus.PROPOSED,
        note_to_candidate=note or "",
        proposed_by=actor,
        follow_up_on=proposal.follow_up_on,
        lock_version=1,
    )
    if proposal.kind is ReferralKind.REFERRAL:
        contact = db.session.get(PartnerContact, proposal.contact_id or 0)
        if contact is None:
            problems["contact_id"] = "Choose the contact you would introduce them to."
        elif not (contact.confirmed and contact.active and contact.company.active):
            problems["contact_id"] = (
                "This contact cannot be picked yet: an admin must confirm it, or it was "
                "deactivated."
            )
        else:
            referral.contact, referral.company = contact, contact.company
        if not role:
            problems["role_title"] = "Name the role the introduction is about."
        referral.role_title = role
    else:
        referral.lead_kind = proposal.lead_kind
        if proposal.lead_kind is None:
            problems["lead_kind"] = "Choose what kind of lead this is."
        company = None
        if proposal.company_id is not None:
            company = db.session.get(Company, proposal.company_id)
            if company is None or not company.active:
                problems["company_id"] = "Choose a company from the list."
        referral.company, referral.role_title, referral.market = company, role, market
        if proposal.lead_kind is LeadKind.OPENING and (company is None or not role):
            problems.setdefault(
                "company_id" if company is None else "role_title",
                "An opening needs the company and the role.",
            )
        if proposal.lead_kind is LeadKind.COMPETITOR and company is None:
            problems.setdefault("company_id", "Choose the company that is hiring.")
        if proposal.lead_kind is LeadKind.MARKET and not market:
            problems["market"] = "Name the market."
    if proposal.feedback_id is not None:
        feedback = db.session.get(Feedback, proposal.feedback_id)
        if feedback is None or feedback.interview.candidate_id != candidate.id:
            problems["feedback_id"] = "That scorecard is not about this candidate."
        referral.feedback = feedback if "feedback_id" not in problems else None
    if problems:
        raise ProposalError(problems)
    return referral


def find_open_duplicate(referral: Referral) -> Referral | None:
    """An open item for the same candidate and the same target, other than this one.

    A referral's target is its contact; a lead's is its company, role and market
    (compared without case or surrounding spaces; a missing part matches a missing part).
    """
    query = (
        select(Referral)
        .where(
            Referral.candidate_id == referral.candidate.id,
            Referral.kind == referral.kind,
            Referral.status.in_(OPEN_STATUSES),
        )
        .options(joinedload(Referral.candidate))
        .order_by(Referral.id)
    )
    if referral.id is not None:
        query = query.where(Referral.id != referral.id)
    if referral.kind is ReferralKind.REFERRAL:
        return db.session.scalar(query.where(Referral.contact_id == referral.contact.id))
    company_id = referral.company.id if referral.company is not None else None
    company_match = (
        Referral.company_id.is_(None) if company_id is None else Referral.company_id == company_id
    )
    key = _lead_key(referral.role_title, referral.market)
    with db.session.no_autoflush:
        for other in db.session.scalars(query.where(company_match)):
            if _lead_key(other.role_title, other.market) == key:
                return other
    return None


def _lead_key(role: str | None, market: str | None) -> tuple[str, str]:
    return (" ".join((role or "").lower().split()), " ".join((market or "").lower().split()))


def offers_for_candidate(candidate_id: int) -> list[Referral]:
    """The candidate's referrals and leads that an admin approved, whatever happened next.

    Items never approved (a proposal still waiting, or one turned down or withdrawn before
    approval) are left out: the candidate never saw them. One query: company and contact
    are eager-loaded. Items waiting for the candidate's answer come first.
    """
    was_shown = Referral.transitions.any(ReferralTransition.to_status == ReferralStatus.APPROVED)
    return list(
        db.session.scalars(
            select(Referral)
            .where(
                Referral.candidate_id == candidate_id,
                or_(
                    Referral.status.in_(SHOWN_STATUSES),
                    and_(Referral.status.not_in(SHOWN_STATUSES), was_shown),
                ),
            )
            .options(joinedload(Referral.company), joinedload(Referral.contact))
            .order_by(
                case((Referral.status == ReferralStatus.APPROVED, 0), else_=1),
                Referral.status_changed_at.desc(),
                Referral.id.desc(),
            )
        )
    )


def offer_for_user(referral_id: int, user: User) -> Referral | None:
    """The offer if it belongs to this signed-in candidate and they have seen it, else None."""
    referral = db.session.scalar(
        select(Referral)
        .join(Referral.candidate)
        .where(
            Referral.id == referral_id,
            Candidate.user_id == user.id,
            Candidate.erased_at.is_(None),
        )
        .options(joinedload(Referral.candidate))
    )
    if referral is None:
        return None
    shown = referral.status in SHOWN_STATUSES or any(
        t.to_status is ReferralStatus.APPROVED for t in referral.transitions
    )
    return referral if shown else None


def answer_offer(
    referral: Referral, *, accept: bool, candidate_user: User, expected_version: int | None
) -> None:
    """The candidate says yes (consent / interest) or no; no reason is asked for a no."""
    if referral.status is not ReferralStatus.APPROVED:
        raise ReferralError(ANSWERED.get(referral.status, "This one is no longer open."))
    transition(
        referral,
        ReferralStatus.CONSENTED if accept else ReferralStatus.DECLINED,
        candidate_user,
        expected_version=expected_version,
    )


# Why a candidate cannot answer again, written to them.
ANSWERED = {
    ReferralStatus.CONSENTED: "You already said yes to this one.",
    ReferralStatus.INTRODUCED: "You already said yes, and the introduction has been made.",
    ReferralStatus.INTERVIEWING: "You already said yes to this one.",
    ReferralStatus.HIRED: "You already said yes to this one.",
    ReferralStatus.DECLINED: "This one was declined, so it needs no answer.",
    ReferralStatus.WITHDRAWN: "Your recruiter withdrew this one, so it needs no answer.",
    ReferralStatus.EXPIRED: "This one expired, so it needs no answer.",
}


def candidate_feedback(candidate: Candidate, feedback_id: int) -> Feedback | None:
    """The scorecard, if it is about this candidate (the proposal form's `feedback` link)."""
    return db.session.scalar(
        select(Feedback)
        .join(Feedback.interview)
        .where(Feedback.id == feedback_id, Interview.candidate_id == candidate.id)
        .options(contains_eager(Feedback.interview))  # the page shows the interview
    )
