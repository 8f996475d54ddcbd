"""Signed, expiring links: invitations, password resets, and the release email's link to
answer the feedback."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITATION = "candidate-invitation"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a salt name, not a secret
FEEDBACK_ANSWER = "feedback-answer"


class TokenError(Exception):
    """The link is unusable; the message says why in words a person understands."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def fingerprint(value: str | None) -> str:
    """A short digest of state that must not change for a link to stay valid (single use)."""
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("This link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise TokenError("This link is not valid. Check that you copied all of it.") from exc
    if not isinstance(data, dict):
        raise TokenError("This link is not valid. Check that you copied all of it.")
    return data
