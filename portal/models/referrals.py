"""Referrals and leads: the tracked, consent-based pipeline behind the second gain."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow
from portal.models.feedback import Feedback
from portal.models.recruiting import Candidate, Company, PartnerContact
from portal.models.users import User


class ReferralKind(enum.StrEnum):
    REFERRAL = "referral"  # a warm introduction to a named contact
    LEAD = "lead"  # a pointer: an opening, a competitor that is hiring, a market

    @property
    def label(self) -> str:
        return self.value.capitalize()


class LeadKind(enum.StrEnum):
    OPENING = "opening"
    COMPETITOR = "competitor"
    MARKET = "market"

    @property
    def label(self) -> str:
        return {
            "opening": "An opening",
            "competitor": "A competitor that is hiring",
            "market": "An emerging market",
        }[self.value]


class ReferralStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    CONSENTED = "consented"
    INTRODUCED = "introduced"
    INTERVIEWING = "interviewing"
    HIRED = "hired"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {
        ReferralStatus.HIRED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
        ReferralStatus.EXPIRED,
    }
)
# The statuses in which the candidate has been shown an item (an admin approved it) and it
# still stands: their portal, reports and data export list these, in pipeline order.
VISIBLE_STATUSES = (
    ReferralStatus.APPROVED,
    ReferralStatus.CONSENTED,
    ReferralStatus.INTRODUCED,
    ReferralStatus.INTERVIEWING,
    ReferralStatus.HIRED,
)


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"))
    kind: Mapped[ReferralKind] = mapped_column(enum_column(ReferralKind))
    lead_kind: Mapped[LeadKind | None] = mapped_column(enum_column(LeadKind))
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus), default=ReferralStatus.PROPOSED
    )
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_contacts.id"))
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    role_title: Mapped[str | None] = mapped_column(sa.String(160))
    market: Mapped[str | None] = mapped_column(sa.String(160))
    note_to_candidate: Mapped[str] = mapped_column(sa.Text)
    feedback_id: Mapped[int | None] = mapped_column(sa.ForeignKey("feedback.id"))
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    follow_up_on: Mapped[date | None] = mapped_column(index=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    candidate: Mapped[Candidate] = relationship()
    contact: Mapped[PartnerContact | None] = relationship()
    company: Mapped[Company | None] = relationship()
    feedback: Mapped[Feedback | None] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    transitions: Mapped[list[ReferralTransition]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralTransition.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        sa.Index("ix_referrals_status_changed", "status", "status_changed_at"),
        sa.Index("ix_referrals_candidate_status", "candidate_id", "status"),
    )


class ReferralTransition(Base):
    __tablename__ = "referral_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ReferralStatus | None] = mapped_column(enum_column(ReferralStatus))
    to_status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class Party(enum.StrEnum):
    """The capacities in which someone acts on a referral (portal.permissions.parties_of)."""

    ADMIN = "admin"
    OWNER = "owner"
    PROPOSER = "proposer"
    CANDIDATE = "candidate"
    SYSTEM = "system"

    @property
    def phrase(self) -> str:
        return {
            "admin": "an admin",
            "owner": "the owner",
            "proposer": "the recruiter who proposed it",
            "candidate": "the candidate (in their portal)",
            "system": "the scheduled expiry",
        }[self.value]
