"""Generated PDF reports, their downloads, and background jobs visible to admins."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow
from portal.models.recruiting import Candidate, Interview


class ReportKind(enum.StrEnum):
    INTERVIEW = "interview"
    JOURNEY = "journey"


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"))
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    interview_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interviews.id"))
    # Hash of everything the PDF is made from; also the file's name under REPORTS_DIR.
    input_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    covers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    interview: Mapped[Interview | None] = relationship()

    __table_args__ = (sa.Index("ix_reports_candidate_kind", "candidate_id", "kind"),)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"  # e.g. mail to a candidate who was erased before it went out


class Job(Base):
    """A unit of background work (report render, mail) and its outcome, for admins to see."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus), default=JobStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who is running it ("host:pid") since when: a worker killed mid-job leaves the job
    # RUNNING, and portal.jobs.recover_abandoned() finds it by these.
    started_at: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(sa.String(120))
    finished_at: Mapped[datetime | None]
    # Not before this time (a retry with backoff); None: as soon as it is committed.
    run_after: Mapped[datetime | None]
