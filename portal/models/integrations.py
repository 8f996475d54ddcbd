"""What connects BetterOff to the systems a team already runs: API tokens, webhook endpoints
and their deliveries, CSV imports and the column mappings they remember."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow
from portal.models.users import User


class ApiScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


class ApiToken(Base):
    """A bearer token that acts as its user, within its scopes, until it expires or is revoked.

    Only a SHA-256 hash of the secret is stored (tokens are 256 random bits, so a slow hash
    would buy nothing); `prefix` is the public part ("bo_" and 8 characters) that lists and
    audit entries show so a token can be recognised without being revealed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Space-separated ApiScope values.
    scopes: Mapped[str] = mapped_column(sa.String(40))
    # Whose ids `external_id` holds for what this token creates (e.g. "greenhouse").
    source: Mapped[str] = mapped_column(sa.String(40), default="api")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def scope_set(self) -> frozenset[ApiScope]:
        return frozenset(ApiScope(s) for s in self.scopes.split())

    def usable(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.user.active
        )


class WebhookEvent(enum.StrEnum):
    FEEDBACK_RELEASED = "feedback.released"
    FEEDBACK_AMENDED = "feedback.amended"
    REFERRAL_TRANSITIONED = "referral.transitioned"
    CANDIDATE_ERASED = "candidate.erased"
    INTERVIEW_CREATED = "interview.created"

    @property
    def label(self) -> str:
        return {
            "feedback.released": "Feedback released to a candidate",
            "feedback.amended": "Released feedback amended",
            "referral.transitioned": "A referral or lead moved",
            "candidate.erased": "A candidate was erased",
            "interview.created": "An interview was scheduled",
        }[self.value]


class WebhookEndpoint(Base):
    """A URL an admin registered to hear of some events, signed with its secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str | None] = mapped_column(sa.String(200))
    # WebhookEvent values.
    events: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # "whsec_" + base64 of the key, as Standard Webhooks writes secrets.
    secret: Mapped[str] = mapped_column(sa.String(100))
    # After a rotation the old secret signs too, until previous_secret_until.
    previous_secret: Mapped[str | None] = mapped_column(sa.String(100))
    previous_secret_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True
    )


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # not yet tried, or failed and to be tried again
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed; an admin may redeliver


class WebhookDelivery(Base):
    """One event for one endpoint, and how its attempts went."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(sa.String(40))
    # The webhook-id header: the same for every attempt, so receivers can drop repeats.
    message_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Whose data the payload holds, so erasure can find every copy.
    candidate_id: Mapped[int | None] = mapped_column(index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    response_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")


class ImportKind(enum.StrEnum):
    CANDIDATES = "candidates"
    INTERVIEWS = "interviews"

    @property
    def label(self) -> str:
        return {"candidates": "Candidates", "interviews": "Interviews"}[self.value]


class ImportMapping(Base):
    """Which CSV column holds which field, remembered per source and kind."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind))
    # field name -> CSV header
    columns: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("source", "kind"),)


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"  # waiting for its mapping and the go-ahead
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportRun(Base):
    """One uploaded CSV file, from preview to the report of rows refused."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind))
    source: Mapped[str] = mapped_column(sa.String(40))
    filename: Mapped[str] = mapped_column(sa.String(255))
    # Where the upload waits (under the instance folder); removed once imported.
    stored_path: Mapped[str | None] = mapped_column(sa.String(500))
    columns: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus), default=ImportStatus.UPLOADED, index=True
    )
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    refused_count: Mapped[int] = mapped_column(default=0)
    # [{"row": n, "external_id": ..., "problems": [...]}] for the refused rows.
    refused: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()
