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

With CACHE_SESSIONS (portal/cache.py), a session checked against the database is remembered in
this process with the user's version stamp, read in the same statement. While that stamp has
not moved and the session was seen within the minute, the next request reads only the stamp
(one Redis key, or one small row) and attaches the remembered user without a query. Everything
that ends a session bumps the stamp: signing out here (below), `end_all` and deactivation
(they change the user's row), erasure (portal/privacy).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from portal import cache
from portal.audit import origin_address
from portal.extensions import db
from portal.models import CacheVersion, Candidate, User, UserSession, utcnow

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


@dataclass(frozen=True)
class Snapshot:
    """A session as last checked against the database, and its user's row then."""

    stamp: int
    user: dict[str, Any]
    candidate_id: int | None
    created_at: datetime
    last_seen_at: datetime
    remember: bool


def load(token: str) -> User | None:
    """Flask-Login's user loader: the user of a current session, else None (signed out)."""
    if not token or len(token) > 100:
        return None
    digest, now = _hash(token), utcnow()
    if cache.sessions_enabled():
        user = _remembered(digest, token, now)
        if user is not None:
            return user
    candidate_id = (
        select(Candidate.id).where(Candidate.user_id == User.id).limit(1).scalar_subquery()
    )
    found = db.session.execute(
        select(UserSession, User, CacheVersion.value, candidate_id)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(CacheVersion, CacheVersion.name == cache.user_stamp_sql(User.id))
        .where(UserSession.token_hash == digest)
    ).first()
    if found is None:
        return None
    row, user, stamp, candidate = found
    if not is_current(row, user, now):
        return None
    last_seen = row.last_seen_at
    if now - last_seen >= TOUCH_EVERY:
        db.session.execute(
            update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
        )
        last_seen = now
    if cache.sessions_enabled():
        columns = {attr.key: getattr(user, attr.key) for attr in sa.inspect(User).column_attrs}
        snapshot = Snapshot(stamp or 0, columns, candidate, row.created_at, last_seen, row.remember)
        cache.session_snapshots().put(digest, snapshot, 1024)
    return _signed_in(user, token, candidate)


def _remembered(digest: str, token: str, now: datetime) -> User | None:
    """The user of a session checked within the minute whose user's stamp has not moved."""
    snapshots = cache.session_snapshots()
    snapshot: Snapshot | None = snapshots.get(digest)
    if snapshot is None:
        return None
    # The candidate's stamp comes along in the same read: their pages are keyed by it too.
    mine = cache.user_stamp(snapshot.user["id"])
    held = cache.held([mine, cache.candidate_stamp(snapshot.candidate_id)])
    if held[mine] != snapshot.stamp:
        snapshots.discard(digest)
        return None
    _, lifetime = _limits(snapshot.remember)
    if (
        now - snapshot.last_seen_at >= TOUCH_EVERY
        or now - snapshot.created_at > lifetime
        or not snapshot.user["active"]
    ):
        return None  # checked (and touched) against the database instead
    identity = db.session.identity_map.get(identity_key(User, snapshot.user["id"]))
    if identity is None:
        identity = User(**snapshot.user)
        make_transient_to_detached(identity)  # as if just loaded: no history, no query
        db.session.add(identity)
    return _signed_in(identity, token, snapshot.candidate_id)


def _signed_in(user: User, token: str, candidate_id: int | None) -> User:
    user.session_token = token
    g.session_who = cache.Who(user.id, user.is_staff, candidate_id)
    return user


def who() -> cache.Who | None:
    """Whose request this is, for naming cache stamps (None when nobody is signed in, or the
    session started during this request)."""
    if not current_user.is_authenticated:
        return None
    return g.get("session_who")


def sign_out(user: User) -> None:
    """End this session on the server, then forget it in the browser."""
    cache.bump(cache.user_stamp(user.id))  # remembered copies of it are checked again
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
