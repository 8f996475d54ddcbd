"""Health endpoints for load balancers and process supervisors.

`/healthz` answers as long as the process serves requests (a liveness probe: restart me if
it fails). `/readyz` also checks what a request needs: the database, and Redis when jobs and
rate limits go through it (a readiness probe: send me traffic only while it answers 200).
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.permissions import public

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)

# A load balancer waits a few seconds for an answer; a check must fail well before that.
REDIS_TIMEOUT_SECONDS = 1.0
NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/healthz")
@public
def healthz():
    """The process is up (no dependencies checked)."""
    return {"status": "ok"}, 200, NO_STORE


@bp.route("/readyz")
@public
def readyz():
    """200 when the database (and Redis, if configured) answer; 503 with what failed."""
    checks = {"database": _check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis(current_app.config["REDIS_URL"])
    ready = all(result == "ok" for result in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return body, 200 if ready else 503, NO_STORE


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        # Details go to the log, not to an unauthenticated caller.
        log.exception("readiness: database check failed")
        return "unreachable"  # the 503 makes the unit of work roll back
    return "ok"


def _check_redis(url: str) -> str:
    from redis import Redis, RedisError  # optional "redis" extra, present when REDIS_URL is

    client = current_app.extensions.get("ops_redis")
    if client is None:
        client = Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        current_app.extensions["ops_redis"] = client
    try:
        client.ping()
    except (RedisError, OSError):
        log.exception("readiness: redis check failed")
        return "unreachable"
    return "ok"
