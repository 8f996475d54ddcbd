"""Who follows an item up and when: owners and follow-up dates (flush, never commit)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import STAFF, Referral, User, utcnow
from portal.permissions import can_assign_owner, can_follow_up
from portal.referrals.pipeline import ConflictError, ReferralError, flush_or_conflict


def staff_choices() -> list[User]:
    """Active admins and recruiters, who can own a referral's follow-up."""
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(STAFF), User.active.is_(True)).order_by(User.name)
        )
    )


def assign_owner(
    referral: Referral, owner: User | None, *, actor: User, expected_version: int | None
) -> None:
    """An admin hands the follow-up to a staff member (or to nobody)."""
    if not can_assign_owner(actor, referral):
        raise ReferralError("Only an admin assigns owners.")
    if owner is not None and (not owner.is_staff or not owner.active):
        raise ReferralError("The owner must be an active recruiter or admin.")
    if expected_version is not None and expected_version != referral.lock_version:
        raise ConflictError(referral.id)
    previous = referral.owner_id
    new = owner.id if owner is not None else None
    if previous == new:
        return
    referral.owner = owner
    flush_or_conflict(referral)
    audit.record("referral_owner_assigned", referral, actor=actor, owner_id=new, previous=previous)


def set_follow_up(
    referral: Referral, on: date | None, *, actor: User, expected_version: int | None
) -> None:
    """Set or clear the date someone should next look at an open item."""
    if not can_follow_up(actor, referral):
        raise ReferralError("Only an admin, the owner or the proposer sets the follow-up date.")
    if not referral.status.is_open:
        raise ReferralError(f"This {referral.kind.value} is closed; it needs no follow-up.")
    if expected_version is not None and expected_version != referral.lock_version:
        raise ConflictError(referral.id)
    if referral.follow_up_on == on:
        return
    referral.follow_up_on = on
    flush_or_conflict(referral)
    audit.record("referral_follow_up_set", referral, actor=actor, on=on.isoformat() if on else None)


def is_overdue(referral: Referral, today: date | None = None) -> bool:
    return (
        referral.status.is_open
        and referral.follow_up_on is not None
        and referral.follow_up_on < (today or utcnow().date())
    )
