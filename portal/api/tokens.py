"""API tokens: made by admins, shown once, stored as a hash, recognisable by their prefix.

A token reads `bo_<8 characters>_<43 characters>`: the first part (`prefix`) is public and is
what lists and the audit trail show; the whole token is hashed with SHA-256 for lookup. It
acts as its user — their role and object rules — within its scopes, until it expires or is
revoked, and only while the user is active."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal import audit
from portal.extensions import db
from portal.models import STAFF, ApiScope, ApiToken, User, utcnow
from portal.text import clean_text
from portal.unit_of_work import DomainError

TOKEN_PATTERN = re.compile(r"^bo_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$")
MAX_LIFETIME_DAYS = 3650
SOURCE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# last_used_at is written at most this often per token (each use is audited anyway).
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(DomainError):
    """The message is safe to show next to the form."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User,
    *,
    name: str,
    scopes: set[ApiScope] | list[ApiScope],
    expires_in_days: int | None,
    source: str = "api",
    actor: User | None,
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret, which is never shown again."""
    if user.role not in STAFF or not user.active:
        raise TokenError("API tokens are for active recruiters and admins.", field="user_id")
    scopes = set(scopes)
    if not scopes:
        raise TokenError("Choose at least one scope.", field="scopes")
    if ApiScope.WRITE in scopes:
        scopes.add(ApiScope.READ)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
        raise TokenError(
            f"A token lasts between 1 and {MAX_LIFETIME_DAYS} days.", field="expires_in_days"
        )
    source = (source or "api").strip().lower()
    if not SOURCE_PATTERN.match(source):
        raise TokenError(
            "The source is a short name of lower-case letters, digits, - or _ (e.g. greenhouse).",
            field="source",
        )
    name = clean_text(name or "")
    if not name:
        raise TokenError("Give the token a name that says what uses it.", field="name")
    while True:
        prefix = "bo_" + "".join(
            secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            for _ in range(8)
        )
        if db.session.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
            break
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user,
        name=name[:80],
        prefix=prefix,
        token_hash=hash_token(secret),
        scopes=" ".join(sorted(s.value for s in scopes)),
        source=source,
        created_by_id=actor.id if actor else None,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token_created",
        token,
        actor=actor,
        prefix=prefix,
        user_id=user.id,
        scopes=token.scopes,
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
    )
    return token, secret


def revoke(token: ApiToken, *, actor: User | None) -> None:
    if token.revoked_at is not None:
        raise TokenError("This token was already revoked.")
    token.revoked_at = utcnow()
    audit.record("api_token_revoked", token, actor=actor, prefix=token.prefix)


def find(secret: str) -> ApiToken | None:
    """The token this secret belongs to, whatever its state; None when it is no token."""
    if not TOKEN_PATTERN.match(secret or ""):
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))


def touch(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))


def all_tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .options(joinedload(ApiToken.user))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )
