from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, enum_column, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    CANDIDATE = "candidate"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# The recruiting team: who works on candidates (portal.permissions reads this too).
STAFF = frozenset({Role.ADMIN, Role.RECRUITER})


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored lower-case, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes, on deactivation, erasure and "sign out everywhere":
    # every session started under the old value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The daily digest of overdue scorecards and complete panels (staff may turn it off).
    digest_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The recruiting team a staff member works in (a label admins set, e.g. "Engineering
    # hiring"): the "Better off" measure groups by it.
    team: Mapped[str | None] = mapped_column(sa.String(80), index=True)

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    # The token of the server-side session this object was loaded for (portal.auth.sessions);
    # Flask-Login keeps it in the session cookie and the remember-me cookie.
    session_token = None  # str when loaded for a request; not a column

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def is_candidate(self) -> bool:
        return self.role is Role.CANDIDATE

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class UserSession(Base):
    """A signed-in session, held on the server so that signing out ends it for every copy of
    its cookie. The cookie carries a random token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The user's session_version when it started: bumping the version ends every session.
    version: Mapped[int]
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    origin: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship()

    __table_args__ = (sa.Index("ix_user_sessions_user", "user_id", "ended_at"),)


class DigestSend(Base):
    """A day's reminder digest, sent to one person: at most one a day, however often
    `flask reminders send` runs."""

    __tablename__ = "digest_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    overdue: Mapped[int] = mapped_column(default=0)  # scorecards it reminded of
    complete: Mapped[int] = mapped_column(default=0)  # complete panels it announced
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "day"),)
