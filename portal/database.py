"""Database helpers the services share."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from portal.extensions import db


def flush_unique(error: Exception) -> None:
    """Flush inside a savepoint; a unique constraint that refuses the row raises `error` (a
    domain error with a message to show) instead of failing the request. The services check
    for duplicates first, for a friendly message; this catches what a check cannot see, such
    as a concurrent insert or case rules that differ between engines."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise error from exc
