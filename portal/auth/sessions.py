"""Sessions held on the server, so that signing out really ends them.

Flask's session cookie is signed, not secret, and a copy of it stays valid for as long as it is
accepted. So a sign-in creates a `UserSession` row and puts a random token in the cookie
(Flask-Login's user id, so the remember-me cookie carries it too); every request looks the
token up (`load`), and a session ends — for every copy of its cookie — when:

- the person signs out (that session), or chooses "sign out everywhere" (all of theirs);
- the password changes, the account is deactivated or the candidate erased (the user's
  `session_version` is bumped: sessions started under the old one are refused);
- it has been idle for longer than SESSION_IDLE_MINUTES (default 120), or is older than
  SESSION_LIFETIME_HOURS (default 12). "Keep me signed in" sessions last REMEMBER_ME_DAYS
  (default 30) from sign-in, idle or not.

`last_seen_at` is written at most once a minute per session; the request's unit of work
commits it with whatever else the request did.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from portal.audit import origin_address
from portal.extensions import db
from portal.models import User, UserSession, utcnow

TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(remembered: bool) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetime of a session."""
    cfg = current_app.config
    if remembered:
        lifetime = timedelta(days=cfg["REMEMBER_ME_DAYS"])
        return lifetime, lifetime
    return (
        timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
        timedelta(hours=cfg["SESSION_LIFETIME_HOURS"]),
    )


def is_current(row: UserSession, user: User, now: datetime) -> bool:
    idle, lifetime = _limits(row.remember)
    return (
        row.ended_at is None
        and row.version == user.session_version
        and user.active
        and now - row.last_seen_at <= idle
        and now - row.created_at <= lifetime
    )


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a fresh session for `user` (a new cookie and a new server-side row)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    agent = request.user_agent.string[:200] if has_request_context() else None
    db.session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user.id,
            version=user.session_version,
            remember=remember,
            origin=origin_address(),
            user_agent=agent or None,
        )
    )
    db.session.flush()
    user.session_token = token
    login_user(user, remember=remember, duration=timedelta(days=_remember_days()))


def _remember_days() -> int:
    return current_app.config["REMEMBER_ME_DAYS"]


def load(token: str) -> User | None:
    """Flask-Login's user loader: the user of a current session, else None (signed out)."""
    if not token or len(token) > 100:
        return None
    found = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if not is_current(row, user, now):
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        db.session.execute(
            update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
        )
    user.session_token = token
    return user


def sign_out(user: User) -> None:
    """End this session on the server, then forget it in the browser."""
    if user.session_token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _hash(user.session_token))
            .values(ended_at=utcnow())
        )
    logout_user()
    session.clear()


def end_all(user: User) -> None:
    """End every session of `user` (used by sign out everywhere, password change, erasure)."""
    user.session_version += 1
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def open_sessions(user: User) -> list[UserSession]:
    """The user's sessions that would still be accepted, newest first."""
    now = utcnow()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [r for r in rows if is_current(r, user, now)]


def current_session_hash(user: User) -> str | None:
    return _hash(user.session_token) if user.session_token else None
