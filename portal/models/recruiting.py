"""Companies, their contacts and positions, candidates and their interviews."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow
from portal.models.users import User

if TYPE_CHECKING:
    from portal.models.feedback import Feedback
    from portal.models.scorecards import PositionStageTemplate, ScorecardTemplate


class CompanyKind(enum.StrEnum):
    CLIENT = "client"  # a hiring company whose roles we interview for
    PARTNER = "partner"  # a company that referrals and leads point to

    @property
    def label(self) -> str:
        return {"client": "Hiring client", "partner": "Partner"}[self.value]


class Stage(enum.StrEnum):
    """Steps of the selection process, in order."""

    APPLICATION = "application"
    FIRST = "first"
    SECOND = "second"
    FINAL = "final"
    OFFER = "offer"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def order(self) -> int:
        return list(Stage).index(self)


STAGE_LABELS = {
    Stage.APPLICATION: "Application",
    Stage.FIRST: "First interview",
    Stage.SECOND: "Second interview",
    Stage.FINAL: "Final interview",
    Stage.OFFER: "Offer",
}


class InterviewFormat(enum.StrEnum):
    ONSITE = "onsite"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"onsite": "On site", "video": "Video call", "phone": "Phone"}[self.value]


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    kind: Mapped[CompanyKind] = mapped_column(enum_column(CompanyKind), index=True)
    website: Mapped[str | None] = mapped_column(sa.String(255))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when another system (an ATS through the API, a CSV import) owns this record: its
    # id there, unique per source, so pushing the same record again updates it.
    external_source: Mapped[str | None] = mapped_column(sa.String(40))
    external_id: Mapped[str | None] = mapped_column(sa.String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    positions: Mapped[list[Position]] = relationship(back_populates="company")
    contacts: Mapped[list[PartnerContact]] = relationship(back_populates="company")

    __table_args__ = (sa.UniqueConstraint("external_source", "external_id"),)


class PartnerContact(Base):
    """A named person at a partner company that a referral introduces a candidate to."""

    __tablename__ = "partner_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role_title: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    # Recruiters may suggest a contact; it is usable once an admin confirms it.
    confirmed: Mapped[bool] = mapped_column(default=True)
    suggested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship(back_populates="contacts")
    suggested_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("company_id", "email"),)


class Position(Base):
    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    location: Mapped[str | None] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    is_open: Mapped[bool] = mapped_column(default=True)
    # The scorecard its interviews use (None: the six engagement dimensions, weighed alike),
    # unless a stage has one of its own (stage_templates).
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("scorecard_templates.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when another system (an ATS through the API, a CSV import) owns this record: its
    # id there, unique per source, so pushing the same record again updates it.
    external_source: Mapped[str | None] = mapped_column(sa.String(40))
    external_id: Mapped[str | None] = mapped_column(sa.String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    company: Mapped[Company] = relationship(back_populates="positions")
    interviews: Mapped[list[Interview]] = relationship(back_populates="position")
    template: Mapped[ScorecardTemplate | None] = relationship()
    stage_templates: Mapped[list[PositionStageTemplate]] = relationship(
        cascade="all, delete-orphan", order_by="PositionStageTemplate.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("company_id", "title"),
        sa.UniqueConstraint("external_source", "external_id"),
    )


class Candidate(Base):
    """A person in the selection process; gets a User once they accept their invitation."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    headline: Mapped[str | None] = mapped_column(sa.String(160))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    invited_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Indexed for the "not erased" check every list makes (few rows are ever erased).
    erased_at: Mapped[datetime | None] = mapped_column(index=True)
    # Set when another system (an ATS through the API, a CSV import) owns this record: its
    # id there, unique per source, so pushing the same record again updates it.
    external_source: Mapped[str | None] = mapped_column(sa.String(40))
    external_id: Mapped[str | None] = mapped_column(sa.String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="candidate", order_by="Interview.scheduled_at"
    )

    __table_args__ = (sa.UniqueConstraint("external_source", "external_id"),)


class Interview(Base):
    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"))
    position_id: Mapped[int] = mapped_column(sa.ForeignKey("positions.id"), index=True)
    # The panel's lead (the recruiter by default): writes the panel's feedback from the debrief.
    interviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), index=True)
    format: Mapped[InterviewFormat] = mapped_column(enum_column(InterviewFormat))
    scheduled_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60, server_default="60")
    location: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when another system (an ATS through the API, a CSV import) owns this record: its
    # id there, unique per source, so pushing the same record again updates it.
    external_source: Mapped[str | None] = mapped_column(sa.String(40))
    external_id: Mapped[str | None] = mapped_column(sa.String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    candidate: Mapped[Candidate] = relationship(back_populates="interviews")
    position: Mapped[Position] = relationship(back_populates="interviews")
    interviewer: Mapped[User] = relationship()
    feedback: Mapped[list[Feedback]] = relationship(back_populates="interview")
    panel: Mapped[list[PanelMember]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="PanelMember.id"
    )

    @property
    def lead(self) -> User:
        return self.interviewer

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    __table_args__ = (
        sa.Index("ix_interviews_candidate_scheduled", "candidate_id", "scheduled_at"),
        sa.Index("ix_interviews_interviewer_scheduled", "interviewer_id", "scheduled_at"),
        sa.UniqueConstraint("external_source", "external_id"),
    )


class PanelMember(Base):
    """One interviewer on an interview's panel; the lead (Interview.interviewer) is one too."""

    __tablename__ = "panel_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="panel")
    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("interview_id", "user_id"),
        # "Awaiting feedback" and the reminders: the interviews a person sits on.
        sa.Index("ix_panel_members_user", "user_id", "interview_id"),
    )


# PostgreSQL-only indexes for the recruiting lists (see docs/scale.md for the plans they serve).
# Searches are `lower(column) LIKE lower('%term%')`; a pg_trgm GIN index on lower(column) answers
# them without reading the table. SQLite has neither pg_trgm nor a way for Alembic to compare
# expression indexes, so there these are skipped (`ddl_if`) and searches scan, which is fine at
# the sizes a single-host SQLite deployment holds.
sa.event.listen(
    Base.metadata,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


def trigram_index(name: str, column: sa.ColumnElement[str]) -> sa.Index:
    """A GIN index of the trigrams of lower(column), created on PostgreSQL only."""
    term = sa.func.lower(column).label("term")
    return sa.Index(
        name, term, postgresql_using="gin", postgresql_ops={"term": "gin_trgm_ops"}
    ).ddl_if(dialect="postgresql")


trigram_index("ix_candidates_name_trgm", Candidate.name)
trigram_index("ix_candidates_email_trgm", Candidate.email)
trigram_index("ix_positions_title_trgm", Position.title)
trigram_index("ix_companies_name_trgm", Company.name)
# The candidate list's default order, read straight from the index (no sort of every row).
sa.Index("ix_candidates_lower_name", sa.func.lower(Candidate.name), Candidate.id).ddl_if(
    dialect="postgresql"
)
