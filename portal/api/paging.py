"""Cursor pagination in the order of last change: a client that syncs keeps the last page's
`next_cursor` (or the newest `updated_at` it saw, for `updated_since`) and asks again later.

The cursor is opaque to clients: base64url of the last item's (updated_at, id). Keyset
paging costs the same at any depth and never skips or repeats a row that did not change."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import abort
from sqlalchemy import Select, and_, or_

from portal.extensions import db
from portal.forms import INT_MAX


class BadCursor(Exception):
    pass


def encode(moment: datetime, ident: int) -> str:
    raw = json.dumps([moment.isoformat(), ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, ident = json.loads(raw)
        if not isinstance(ident, int) or isinstance(ident, bool) or not isinstance(moment, str):
            raise ValueError
        when = datetime.fromisoformat(moment)
        if not 1 <= ident <= INT_MAX or when.tzinfo is not None:
            raise ValueError
        return when, ident
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadCursor from None


def page(
    query: Select,
    model: Any,
    args: dict[str, Any],
    keep: Callable[[Any], bool] | None = None,
) -> dict[str, Any]:
    """One page of `query` (rows of `model`) by the list arguments: limit, cursor,
    updated_since, external_id. 422 for a cursor this API did not make. `keep` drops rows
    the caller may not see (a page may then hold fewer than `limit`; the cursor goes on)."""
    if args.get("external_id") is not None:
        from portal.api.auth import current_token

        token = current_token()
        query = query.where(
            model.external_source == (token.source if token else None),
            model.external_id == args["external_id"],
        )
    if args.get("updated_since") is not None:
        query = query.where(model.updated_at >= args["updated_since"])
    if args.get("cursor"):
        try:
            moment, ident = decode(args["cursor"])
        except BadCursor:
            abort(422, description="This cursor was not made by this API; start without one.")
        query = query.where(
            or_(model.updated_at > moment, and_(model.updated_at == moment, model.id > ident))
        )
    limit = args["limit"]
    rows = list(db.session.scalars(query.order_by(model.updated_at, model.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "data": [row for row in rows if keep is None or keep(row)],
        "next_cursor": encode(rows[-1].updated_at, rows[-1].id) if more else None,
    }
