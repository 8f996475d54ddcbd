"""The referral and lead pipeline as one state machine.

Every status change goes through `transition()`, which checks the move against
`ALLOWED_TRANSITIONS`: the pair (from, to), the kinds it applies to, and the parties that
may make it. Parties are relationships to the referral, not only roles: an admin, the
staff member who owns the follow-up, the recruiter who proposed it, the candidate it is
for (in their portal), or the system (scheduled expiry, no person).

Referrals (a warm introduction to a named contact):

    proposed -> approved -> consented -> introduced -> interviewing -> hired

Leads (a pointer to an opening, a competitor that is hiring, or a market) have nobody to
introduce: once approved they are shown to the candidate at once, the candidate says
whether they are interested ("consented") or not ("declined"), and an interested
candidate who enters that company's process moves straight to interviewing.

    proposed -> approved -> consented (interested) -> interviewing -> hired

From the open states: declined (the candidate, from approved; an admin, from any open
state, e.g. turning a proposal down), withdrawn (the proposer, the owner or an admin),
expired (the scheduled job or an admin). Closed states are final.

Consent first: "introduced" can only follow "consented", so nothing about the candidate
reaches a contact before the candidate has said yes in the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from portal import audit, events
from portal.extensions import db
from portal.models import (
    CLOSED_STATUSES,
    Party,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    User,
    utcnow,
)
from portal.permissions import parties_of
from portal.referrals.vocabulary import CLOSING_MOVES, MOVE_LABELS
from portal.unit_of_work import DomainError

__all__ = ["CLOSING_MOVES", "MOVE_LABELS"]

S = ReferralStatus
OPEN_STATUSES = tuple(s for s in ReferralStatus if s.is_open)
NOTE_LIMIT = 1000


class ReferralError(DomainError):
    """A pipeline rule refused the action; the message is safe to show."""


class TransitionRefused(ReferralError):
    """The move is not in the allowed-transitions table for this kind and party."""


class ConflictError(ReferralError):
    """Someone else changed the referral after this person loaded it."""

    def __init__(self, referral_id: int | None = None):
        self.referral_id = referral_id
        super().__init__(
            "Someone else changed this referral while you were looking at it, so your change "
            "was not saved. Check its current state below and try again if it still applies."
        )


BOTH_KINDS = frozenset(ReferralKind)
REFERRAL_ONLY = frozenset({ReferralKind.REFERRAL})
LEAD_ONLY = frozenset({ReferralKind.LEAD})


@dataclass(frozen=True)
class Rule:
    parties: frozenset[Party]
    kinds: frozenset[ReferralKind] = BOTH_KINDS


def _rule(*parties: Party, kinds: frozenset[ReferralKind] = BOTH_KINDS) -> Rule:
    return Rule(frozenset(parties), kinds)


P = Party
ALLOWED_TRANSITIONS: dict[tuple[ReferralStatus, ReferralStatus], Rule] = {
    (S.PROPOSED, S.APPROVED): _rule(P.ADMIN),
    (S.APPROVED, S.CONSENTED): _rule(P.CANDIDATE),
    (S.CONSENTED, S.INTRODUCED): _rule(P.ADMIN, P.OWNER, kinds=REFERRAL_ONLY),
    (S.INTRODUCED, S.INTERVIEWING): _rule(P.ADMIN, P.OWNER, kinds=REFERRAL_ONLY),
    (S.CONSENTED, S.INTERVIEWING): _rule(P.ADMIN, P.OWNER, kinds=LEAD_ONLY),
    (S.INTERVIEWING, S.HIRED): _rule(P.ADMIN, P.OWNER),
    (S.APPROVED, S.DECLINED): _rule(P.CANDIDATE, P.ADMIN),
    **{(s, S.DECLINED): _rule(P.ADMIN) for s in OPEN_STATUSES if s is not S.APPROVED},
    **{(s, S.WITHDRAWN): _rule(P.ADMIN, P.PROPOSER, P.OWNER) for s in OPEN_STATUSES},
    **{(s, S.EXPIRED): _rule(P.ADMIN, P.SYSTEM) for s in OPEN_STATUSES},
}


def parse_status(value: object) -> ReferralStatus:
    """A status from a form or the command line; unknown values are a clear error."""
    if isinstance(value, ReferralStatus):
        return value
    try:
        return ReferralStatus(str(value).strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in ReferralStatus)
        raise ReferralError(f"'{str(value)[:40]}' is not a status. Use one of: {known}.") from None


def refusal(referral: Referral, to_status: ReferralStatus, actor: User | None) -> str | None:
    """Why this move is not allowed, in words a person can act on; None when it is."""
    current, noun = referral.status, referral.kind.value
    if to_status is current:
        return f"This {noun} is already {current.value}."
    if current in CLOSED_STATUSES:
        return (
            f"This {noun} is {current.value}, which is final: it cannot become {to_status.value}."
        )
    if referral.candidate.erased_at is not None and to_status not in CLOSED_STATUSES:
        return (
            f"The candidate's data was erased, so this {noun} can only be closed "
            "(withdrawn or expired), never moved on."
        )
    if referral.kind is ReferralKind.LEAD and to_status is S.INTRODUCED:
        return (
            "A lead has no contact to introduce, so it skips 'introduced': once the "
            "candidate is interested and in that company's process, mark it as interviewing."
        )
    rule = ALLOWED_TRANSITIONS.get((current, to_status))
    if rule is None or referral.kind not in rule.kinds:
        return f"A {noun} cannot go from {current.value} to {to_status.value}. " + _next_steps(
            referral.kind, current
        )
    if not rule.parties & parties_of(actor, referral):
        who = _either([p.phrase for p in sorted(rule.parties, key=list(Party).index)])
        return f"Only {who} can move a {noun} from {current.value} to {to_status.value}."
    return None


def _next_steps(kind: ReferralKind, current: ReferralStatus) -> str:
    targets = [
        to.value
        for (frm, to), rule in ALLOWED_TRANSITIONS.items()
        if frm is current and kind in rule.kinds
    ]
    return f"From {current.value} it can go to {_either(targets)}." if targets else ""


def _either(words: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


def moves_for(referral: Referral, actor: User | None) -> list[ReferralStatus]:
    """The statuses this person may move the referral to now, in pipeline order."""
    return [s for s in ReferralStatus if refusal(referral, s, actor) is None]


def transition(
    referral: Referral,
    to_status: ReferralStatus | str,
    actor: User | None,
    note: str | None = None,
    expected_version: int | None = None,
    *,
    email_contact: bool = False,
) -> ReferralTransition:
    """Move a referral or lead to a new status, if the table allows it for this party.

    Records the transition (who, when, optional note), updates status_changed_at and
    writes an audit event and the `referral_transitioned` event (whose subscriber mails the
    people concerned, and the contact the introduction when `email_contact`).
    `expected_version` is the lock_version the person saw; a different one, or a concurrent
    write found at flush, raises ConflictError. Flushes, never commits.
    """
    target = parse_status(to_status)
    if expected_version is not None and expected_version != referral.lock_version:
        raise ConflictError(referral.id)
    reason = refusal(referral, target, actor)
    if reason is not None:
        raise TransitionRefused(reason)
    note = (note or "").replace("\r\n", "\n").strip() or None
    if note is not None and len(note) > NOTE_LIMIT:
        raise ReferralError(f"Keep the note under {NOTE_LIMIT} characters.")
    now = utcnow()
    previous = referral.status
    # No autoflush: a stale row must surface in flush_or_conflict, not halfway through.
    with db.session.no_autoflush:
        referral.status = target
        referral.status_changed_at = now
        record = ReferralTransition(
            referral=referral,  # through the backref: the history need not be loaded
            from_status=previous,
            to_status=target,
            actor_id=actor.id if actor is not None else None,
            note=note,
            at=now,
        )
        db.session.add(record)
    flush_or_conflict(referral)
    audit.record(
        f"referral_{target.value}",
        referral,
        actor=actor,
        from_status=previous.value,
        to_status=target.value,
        note=bool(note),
    )
    events.referral_transitioned.send(
        referral, from_status=previous, to_status=target, actor=actor, email_contact=email_contact
    )
    return record


def flush_or_conflict(referral: Referral) -> None:
    """Flush; a row that changed under us (version mismatch) becomes a ConflictError."""
    referral_id = referral.id  # read now: after a failed flush the session needs a rollback
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError(referral_id) from exc


def expiry_cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def stale_referrals(days: int, now: datetime | None = None) -> list[Referral]:
    """Open items whose status has not changed for `days` days, oldest change first."""
    return list(
        db.session.scalars(
            select(Referral)
            .where(
                Referral.status.in_(OPEN_STATUSES),
                Referral.status_changed_at < expiry_cutoff(days, now),
            )
            .options(joinedload(Referral.candidate), joinedload(Referral.company))
            .order_by(Referral.status_changed_at, Referral.id)
        )
    )


def expiry_note(days: int) -> str:
    return f"No change for {days} days."
