"""The scorecard: one per interview and author, with released revisions kept for ever."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow
from portal.models.recruiting import Interview
from portal.models.scorecards import QuestionAnswer, SkillRating, TemplateVersion
from portal.models.users import User
from portal.rubric import Dimension


class FeedbackState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RELEASED = "released"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# A scorecard counts (in the debrief, the averages, calibration) once it is submitted.
SUBMITTED_STATES = (FeedbackState.SUBMITTED, FeedbackState.RELEASED)


class Decision(enum.StrEnum):
    INVITE = "invite"
    HOLD = "hold"
    DECLINE = "decline"

    @property
    def label(self) -> str:
        return {
            "invite": "Invite to the next interview",
            "hold": "On hold",
            "decline": "Not moving forward",
        }[self.value]


class FeedbackKind(enum.StrEnum):
    """A panel member's own scorecard, or the panel's one voice to the candidate (written by
    the lead from the debrief). In a panel of one the member's scorecard is what is released."""

    MEMBER = "member"
    PANEL = "panel"

    @property
    def label(self) -> str:
        return {"member": "Scorecard", "panel": "Panel feedback"}[self.value]


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(sa.ForeignKey("interviews.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The template version the scorecard was started with, kept for good (None: engagement only).
    template_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("template_versions.id"), index=True
    )
    kind: Mapped[FeedbackKind] = mapped_column(
        enum_column(FeedbackKind), default=FeedbackKind.MEMBER, server_default="member"
    )
    state: Mapped[FeedbackState] = mapped_column(
        enum_column(FeedbackState), default=FeedbackState.DRAFT, index=True
    )
    # Optimistic locking: a save based on an older lock_version is refused.
    lock_version: Mapped[int] = mapped_column(default=1)
    # Number of released revisions (0 until first release; amendments add one each).
    revision: Mapped[int] = mapped_column(default=0)

    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision))
    next_step: Mapped[str | None] = mapped_column(sa.Text)
    next_step_on: Mapped[date | None]

    strengths: Mapped[str | None] = mapped_column(sa.Text)
    improvements: Mapped[str | None] = mapped_column(sa.Text)
    practice_suggestions: Mapped[str | None] = mapped_column(sa.Text)

    insight_plans: Mapped[str | None] = mapped_column(sa.Text)
    insight_competitors: Mapped[str | None] = mapped_column(sa.Text)
    insight_markets: Mapped[str | None] = mapped_column(sa.Text)
    insight_role_fit: Mapped[str | None] = mapped_column(sa.Text)

    # Never shown to the candidate, never in a report or export meant for them.
    private_notes: Mapped[str | None] = mapped_column(sa.Text)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    submitted_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None] = mapped_column(index=True)

    interview: Mapped[Interview] = relationship(back_populates="feedback")
    author: Mapped[User] = relationship()
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="Rating.id"
    )
    revisions: Mapped[list[FeedbackRevision]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackRevision.number"
    )
    template_version: Mapped[TemplateVersion | None] = relationship()
    skill_ratings: Mapped[list[SkillRating]] = relationship(
        cascade="all, delete-orphan", order_by="SkillRating.id"
    )
    answers: Mapped[list[QuestionAnswer]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionAnswer.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        sa.UniqueConstraint("interview_id", "author_id", "kind"),
        # One panel voice per interview, however many interviewed.
        sa.Index(
            "uq_feedback_one_panel_voice",
            "interview_id",
            unique=True,
            sqlite_where=sa.text("kind = 'panel'"),
            postgresql_where=sa.text("kind = 'panel'"),
        ),
        sa.Index("ix_feedback_author_state", "author_id", "state"),
        # The dashboard's "my drafts / submitted / released" lists: newest first, eight rows.
        sa.Index("ix_feedback_author_state_updated", "author_id", "state", "updated_at"),
        sa.Index("ix_feedback_author_state_released", "author_id", "state", "released_at"),
    )


class Rating(Base):
    """One engagement dimension of a scorecard: a 1-5 rating and the behaviour observed."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id", ondelete="CASCADE"))
    dimension: Mapped[Dimension] = mapped_column(enum_column(Dimension))
    score: Mapped[int | None]
    example: Mapped[str | None] = mapped_column(sa.Text)
    # Panel feedback only: why the lead moved this rating away from the panel's median.
    # Internal, like private notes: never shown to the candidate.
    adjustment_reason: Mapped[str | None] = mapped_column(sa.Text)

    feedback: Mapped[Feedback] = relationship(back_populates="ratings")

    __table_args__ = (
        sa.UniqueConstraint("feedback_id", "dimension"),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_range"),
    )


class FeedbackRevision(Base):
    """An immutable snapshot of the candidate-visible scorecard at release or amendment."""

    __tablename__ = "feedback_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id", ondelete="CASCADE"))
    number: Mapped[int]
    # Candidate-visible content only; private notes are never copied here.
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # Frozen at release: the position's weights then, and the overall score they gave, so a
    # later change of weights never moves what was released.
    weights: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    score: Mapped[float | None] = mapped_column(sa.Float)
    template_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("template_versions.id"))
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="revisions")
    released_by: Mapped[User | None] = relationship()
    template_version: Mapped[TemplateVersion | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("feedback_id", "number"),)


class ReleaseAcknowledgement(Base):
    """A release-check finding the author chose to keep, recorded with who and when: in a
    scorecard revision (feedback_id, revision) or in a referral's note (referral_id)."""

    __tablename__ = "release_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int]  # the scorecard revision; 0 for a referral's note
    field: Mapped[str] = mapped_column(sa.String(60))
    category: Mapped[str] = mapped_column(sa.String(60))
    matched_text: Mapped[str] = mapped_column(sa.String(200))
    acknowledged_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)
