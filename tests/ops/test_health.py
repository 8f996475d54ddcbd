"""Health endpoints a load balancer polls: /healthz (alive) and /readyz (can serve)."""

from __future__ import annotations

from pathlib import Path

from portal import create_app
from tests.conftest import base_config

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_checks_redis_when_it_is_configured(make_app, redis_url):
    client = make_app(REDIS_URL=redis_url).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_redis_is_down(make_app):
    client = make_app(REDIS_URL=UNREACHABLE_REDIS).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unreachable"},
    }


def test_readyz_is_503_when_the_database_is_down_and_says_nothing_more(tmp_path: Path):
    # A database server that is not there: nothing listens on the discard port.
    missing = "postgresql+psycopg://betteroff@127.0.0.1:9/betteroff"
    app = create_app({**base_config(tmp_path, missing)})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "unreachable"}}
    assert "127.0.0.1" not in response.text  # no connection details for anonymous callers
