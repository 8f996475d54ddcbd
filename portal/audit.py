"""Recording audit events. Events are only ever added, never changed or deleted by the app."""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert, text

from portal.extensions import db
from portal.models import AuditEvent, User, utcnow


def origin_address() -> str | None:
    """The client's address, when it is one: behind TRUSTED_PROXIES it comes from a header,
    and a header can say anything."""
    if not has_request_context() or not request.remote_addr:
        return None
    try:
        return str(ipaddress.ip_address(request.remote_addr.strip()))
    except ValueError:
        return None


def record(
    action: str,
    obj: Any | None = None,
    *,
    actor: User | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        origin=origin_address(),
        details=details,
    )
    db.session.add(event)
    return event


def record_now(action: str, object_type: str, object_id: int, **details: Any) -> None:
    """The same event as `record`, by the signed-in person, as one INSERT sent at once (no
    object to flush): for a log written on a hot path, each report download.

    On PostgreSQL its transaction commits without waiting for the WAL to reach the disk
    (`synchronous_commit = off`, for this transaction only): a crash of the database server
    may lose the last fraction of a second of such events, never anything else, and the
    database stays consistent. That wait was most of a cached download's time."""
    actor = current_user if has_request_context() and current_user.is_authenticated else None
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_ASYNCHRONOUS_COMMIT)
    connection.execute(  # Core, on the request's transaction: no ORM at all
        _INSERT_EVENT,
        {
            "action": action,
            "actor_id": actor.id if actor is not None else None,
            "object_type": object_type,
            "object_id": object_id,
            "origin": origin_address(),
            "details": details,
            "at": utcnow(),
        },
    )


_INSERT_EVENT = insert(AuditEvent.__table__)
_ASYNCHRONOUS_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
