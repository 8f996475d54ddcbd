"""The candidate's say on released feedback: their answer (which of the four gains they got,
how useful it was, a comment) and threads (a question, or a request to correct a fact) with
the feedback's author or the panel's lead.

Both are personal data: the candidate's export holds them, erasure deletes them.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow
from portal.models.feedback import Feedback
from portal.models.recruiting import Candidate
from portal.models.users import User


class Gain(enum.StrEnum):
    """The four ways an interview leaves a candidate better off, in the report's order (its
    titles are these labels)."""

    NEXT_ROUND = "next_round"
    REFERRAL = "referral"
    SKILLS = "skills"
    INSIGHT = "insight"

    @property
    def label(self) -> str:
        return {
            "next_round": "A next interview",
            "referral": "A referral or lead",
            "skills": "Better interview skills",
            "insight": "Company insight",
        }[self.value]

    @property
    def question(self) -> str:
        """How the candidate is asked about it, in their words."""
        return {
            "next_round": "Did you get an invitation to a next interview?",
            "referral": "Did you get a referral or a lead?",
            "skills": "Did the feedback help you improve your interview skills?",
            "insight": "Did you gain insight into the company?",
        }[self.value]


class GainAnswer(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CandidateAnswer(Base):
    """One per released feedback: what its candidate says they got from it."""

    __tablename__ = "candidate_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feedback.id", ondelete="CASCADE"), unique=True
    )
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    next_round: Mapped[GainAnswer] = mapped_column(enum_column(GainAnswer))
    referral: Mapped[GainAnswer] = mapped_column(enum_column(GainAnswer))
    skills: Mapped[GainAnswer] = mapped_column(enum_column(GainAnswer))
    insight: Mapped[GainAnswer] = mapped_column(enum_column(GainAnswer))
    usefulness: Mapped[int]
    # For the recruiter, in the candidate's words (optional).
    comment: Mapped[str | None] = mapped_column(sa.Text)
    # The feedback revision the candidate had read when they last answered.
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    feedback: Mapped[Feedback] = relationship()
    candidate: Mapped[Candidate] = relationship()

    __table_args__ = (
        sa.CheckConstraint("usefulness >= 1 AND usefulness <= 5", name="usefulness_range"),
    )

    def gain(self, gain: Gain) -> GainAnswer:
        return getattr(self, gain.value)


class ThreadKind(enum.StrEnum):
    QUESTION = "question"
    CORRECTION = "correction"

    @property
    def label(self) -> str:
        return {"question": "Question", "correction": "Correction request"}[self.value]


class ThreadState(enum.StrEnum):
    """open: waiting for the recruiter; replied: the recruiter answered and left it open for
    the candidate; resolved: closed by a reply or by an amendment of the feedback."""

    OPEN = "open"
    REPLIED = "replied"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return {
            "open": "Waiting for the recruiter",
            "replied": "Replied",
            "resolved": "Resolved",
        }[self.value]


class Resolution(enum.StrEnum):
    REPLY = "reply"  # answered, or (a correction) explained why nothing changes
    AMENDMENT = "amendment"  # the feedback was amended; the revision says what changed


class FeedbackThread(Base):
    __tablename__ = "feedback_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    kind: Mapped[ThreadKind] = mapped_column(enum_column(ThreadKind))
    state: Mapped[ThreadState] = mapped_column(
        enum_column(ThreadState), default=ThreadState.OPEN, index=True
    )
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # While open: since when the candidate has waited, and when a reply is due (after the
    # configured number of working days); flagged once to admins when it is overdue.
    waiting_since: Mapped[datetime | None]
    reply_due_at: Mapped[datetime | None] = mapped_column(index=True)
    overdue_flagged_at: Mapped[datetime | None]
    resolution: Mapped[Resolution | None] = mapped_column(enum_column(Resolution))
    resolved_revision: Mapped[int | None]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    feedback: Mapped[Feedback] = relationship()
    candidate: Mapped[Candidate] = relationship()
    resolved_by: Mapped[User | None] = relationship()
    messages: Mapped[list[ThreadMessage]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="ThreadMessage.id"
    )

    __table_args__ = (sa.Index("ix_feedback_threads_state_due", "state", "reply_due_at"),)

    @property
    def is_resolved(self) -> bool:
        return self.state is ThreadState.RESOLVED

    @property
    def outcome(self) -> str | None:
        """How it was resolved, as the candidate reads it."""
        if self.state is not ThreadState.RESOLVED:
            return None
        if self.resolution is Resolution.AMENDMENT:
            return f"Resolved: your feedback was corrected (version {self.resolved_revision})."
        if self.kind is ThreadKind.CORRECTION:
            return "Resolved: your recruiter explained why the feedback stays as it is."
        return "Resolved: your recruiter answered."


class ThreadMessage(Base):
    __tablename__ = "thread_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feedback_threads.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    from_candidate: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[FeedbackThread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()
