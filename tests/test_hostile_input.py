"""A hostile visitor, per role, against the demo data: no server error, no markup reflected.

For each role (admin, recruiter, candidate) this signs in as the demo login and
1. asks every GET endpoint of the URL map with real ids and with hostile ones, and the list
   pages with hostile query strings and headers;
2. collects every form found by browsing those pages, and has Hypothesis fill them (with the
   page's valid CSRF token) with hostile values mixed with valid ones, POSTing each.
Every answer must be below 500, and hostile markup must never come back unescaped.

Bounded for `make test` (HOSTILE_EXAMPLES per role, default 60, examples derandomised);
`HOSTILE_EXAMPLES=2000 pytest tests/test_hostile_input.py` or benchmarks/hostile.py runs longer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.demo import DEMO_PASSWORD, seed_demo
from portal.unit_of_work import commit
from tests.hostile import (
    HOSTILE_HEADERS,
    HOSTILE_IDS,
    TEXT,
    FoundForm,
    forms_in,
    hostile_values,
    reflected_markup,
)

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "60"))
LOGINS = {
    "anonymous": None,
    "admin": "admin@example.com",
    "recruiter": "recruiter@example.com",
    "candidate": "candidate@example.com",
}
# Forms that end the walker's own session or change who it is: sent once with hostile values
# at the end would be pointless; they are exercised by tests of their own.
SKIP_ACTIONS = re.compile(r"^/(sign-out|account/sessions)")
QUERY_KEYS = (
    "page", "q", "stage", "state", "status", "kind", "recruiter", "owner", "company", "sort",
    "date_from", "date_to", "action", "actor", "object_type", "object_id", "candidate", "to",
    "next", "overdue", "role",
)  # fmt: skip


class Walker:
    """A signed-in visitor that records every answer it gets."""

    def __init__(self, app: Flask, email: str | None) -> None:
        self.app = app
        self.email = email
        self.client: FlaskClient = app.test_client()
        self.sent = 0
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/sign-in")
        if self.email is None:  # an anonymous visitor: the public pages' forms
            self.token = _csrf(page.get_data(as_text=True))
            return
        token = _csrf(page.get_data(as_text=True))
        self.client.post(
            "/sign-in", data={"email": self.email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        # Signing in starts a fresh session: tokens from before no longer match it.
        self.token = _csrf(self.client.get("/").get_data(as_text=True))

    def ask(self, method: str, url: str, **kwargs):
        response = self.client.open(url, method=method, **kwargs)
        self.sent += 1
        where = f"{method} {url[:200]} {str(kwargs.get('data', ''))[:300]!r}"
        assert response.status_code < 500, f"{response.status_code} for {where}"
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            assert not reflected_markup(body), f"markup reflected unescaped for {where}"
        location = response.headers.get("Location", "")
        if self.email and response.status_code == 302 and "/sign-in" in location:
            self.sign_in()  # a form that signed the walker out: carry on signed in
        return response


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else ""


def get_rules(app: Flask) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and "GET" in (rule.methods or ())
    ]


def build(rule, value: str) -> str:
    """The rule's path with every argument replaced by `value`."""
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", value, rule.rule)


@pytest.fixture
def demo_app(make_app) -> Iterator[Flask]:
    app = make_app(WTF_CSRF_ENABLED=True)  # real forms, real tokens
    with app.app_context():
        seed_demo()
        commit()
    yield app


@pytest.mark.parametrize("role", sorted(LOGINS))
def test_a_hostile_visitor_gets_no_server_error_and_no_reflected_markup(demo_app, role):
    walker = Walker(demo_app, LOGINS[role])
    forms: dict[tuple, FoundForm] = {}

    # 1. Every GET endpoint, with real ids (collecting the forms) and hostile ones.
    for rule in get_rules(demo_app):
        if not rule.arguments:
            urls = [rule.rule]
        else:
            urls = [build(rule, str(n)) for n in (1, 2, 3, 5, 8)]
            urls += [build(rule, value) for value in HOSTILE_IDS]
        for url in urls:
            response = walker.ask("GET", url)
            if response.status_code == 200 and response.mimetype == "text/html":
                for form in forms_in(response.get_data(as_text=True), url):
                    if not SKIP_ACTIONS.match(form.action):
                        forms.setdefault(form.signature(), form)

    # Query strings and headers on every page without arguments (the lists among them).
    plain = [rule.rule for rule in get_rules(demo_app) if not rule.arguments]
    for url in plain:
        for value in ("", " ", "2147483648", "-1", "\u202e\u200b", '"><b>x</b>', "x" * 5000):
            walker.ask("GET", url, query_string={key: value for key in QUERY_KEYS})
        for headers in HOSTILE_HEADERS:
            walker.ask("GET", url, headers=headers)

    assert forms, "browsing found no forms"
    ordered = sorted(forms.values(), key=FoundForm.signature)

    # Bodies no browser sends: undecodable bytes, JSON, an empty multipart, repeated fields.
    for form in ordered:
        if form.method != "post":
            continue
        token = {"csrf_token": walker.token}
        walker.ask(
            "POST",
            form.action,
            data=b"\xff\xfe\x00garbage=%ZZ&&==",
            content_type="application/x-www-form-urlencoded",
        )
        walker.ask(
            "POST", form.action, json={**token, **{k: [1, {"a": None}] for k in form.fields}}
        )
        walker.ask("POST", form.action, data=b"--x--", content_type="multipart/form-data")
        walker.ask(
            "POST", form.action, data={**token, **{k: ["1", "2", "<b>"] for k in form.fields}}
        )

    # 2. Hypothesis fills the forms.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize="HOSTILE_EXAMPLES" not in os.environ,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def fill(data):
        form = data.draw(st.sampled_from(ordered), label="form")
        values: dict[str, list[str]] = {}
        for name, options in form.fields.items():
            if name == "csrf_token":
                values[name] = [walker.token]
                continue
            valid = st.sampled_from(options) if options else st.sampled_from(TEXT)
            choice = data.draw(st.one_of(valid, hostile_values()), label=name)
            values[name] = [choice]
            if form.kinds.get(name) == "checkbox" and data.draw(st.booleans()):
                values[name].append(data.draw(hostile_values(long=False)))
        if form.method == "post":
            walker.ask("POST", form.action, data=values)
        else:
            walker.ask("GET", form.action, query_string=values)

    fill()
    print(f"{role}: {walker.sent} hostile requests, {len(forms)} distinct forms, no 5xx")
