"""One JSON line per request, tagged with a request id that follows it through the proxies.

A request id sent by the reverse proxy or load balancer in `X-Request-ID` is kept (so its
access log and ours can be joined); otherwise one is made up. Either way it is returned in the
response's `X-Request-ID` header and written in the log line. The query string is left out of
the log on purpose: searches carry candidates' names and email addresses.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from sqlalchemy import inspect

HEADER = "X-Request-ID"
LOGGER_NAME = "betteroff.requests"
# Ids from outside are honoured only when they look like ids (no log injection, bounded size).
VALID_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")

log = logging.getLogger(LOGGER_NAME)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (gunicorn and test runners replace it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def register(app: Flask) -> None:
    """Tag every request with an id and log it as JSON when it is answered."""
    if not log.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    app.before_request(_start)
    app.after_request(_finish)


def request_id() -> str:
    """This request's id (the caller's X-Request-ID when valid, otherwise a new one)."""
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if VALID_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    rid = request_id()
    response.headers[HEADER] = rid
    started = g.get("request_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else None
    entry = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": "request",
        "request_id": rid,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round(duration_ms, 2) if duration_ms is not None else None,
        "user_id": _user_id(),
        "remote_addr": request.remote_addr,
    }
    log.info(json.dumps(entry, separators=(",", ":")))
    return response


def _user_id() -> int | None:
    # Only a user already loaded for this request: logging must not cost a query.
    # After a commit the user's attributes are expired; its identity key is not.
    user = g.get("_login_user")
    if user is None or getattr(user, "is_anonymous", True):
        return None
    state = inspect(user, raiseerr=False)
    if state is not None and state.identity:
        return state.identity[0]
    return getattr(user, "id", None)
