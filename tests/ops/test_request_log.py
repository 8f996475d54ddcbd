"""One JSON line per request, with a request id shared with the proxy and the response."""

from __future__ import annotations

import json
import logging

import pytest

from portal.ops.requestlog import LOGGER_NAME
from tests.factories import sign_in


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append(json.loads(record.getMessage()))


@pytest.fixture
def request_log(app):
    handler = Lines()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield handler.entries
    logger.removeHandler(handler)


def test_each_request_is_one_json_line_with_a_fresh_request_id(client, request_log):
    first = client.get("/healthz")
    second = client.get("/sign-in")
    assert [e["path"] for e in request_log] == ["/healthz", "/sign-in"]
    entry = request_log[0]
    assert entry["method"] == "GET" and entry["status"] == 200 and entry["user_id"] is None
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["request_id"] == first.headers["X-Request-ID"]
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_request_id_from_the_proxy_is_kept(client, request_log):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c:1"})
    assert response.headers["X-Request-ID"] == "lb-7f3a9c:1"
    assert request_log[-1]["request_id"] == "lb-7f3a9c:1"


@pytest.mark.parametrize("given", ["has spaces", "x" * 200, "line\\nbreak", "<script>"])
def test_a_request_id_that_is_not_an_id_is_replaced(client, request_log, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] != given
    assert request_log[-1]["request_id"] == response.headers["X-Request-ID"]


def test_the_signed_in_user_is_named_and_searches_are_not_logged(client, recruiter, request_log):
    sign_in(client, recruiter.email)
    client.get("/candidates/?q=maya.chen@example.com")
    entry = request_log[-1]
    assert entry["path"] == "/candidates/" and entry["user_id"] == recruiter.id
    assert "maya" not in json.dumps(request_log)


def test_errors_are_logged_with_their_status(client, recruiter, request_log):
    sign_in(client, recruiter.email)
    client.get("/candidates/999999")
    assert request_log[-1]["status"] == 404


def test_behind_a_trusted_proxy_the_client_address_is_logged(make_app, request_log):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert request_log[-1]["remote_addr"] == "203.0.113.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client, request_log):
    client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert request_log[-1]["remote_addr"] == "127.0.0.1"
