"""Sign-in protection, CSRF, headers, hostile input and escaping."""

import html
import io
import re

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Feedback
from tests import factories
from tests.factories import PASSWORD, scorecard_form, sign_in

HOSTILE = "<script>alert('x')</script>\"'&<b>"


@pytest.fixture
def guarded(make_app):
    """An app with CSRF and rate limits on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True)


def csrf_token(client, url: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', client.get(url).text)
    assert tag, f"no CSRF token on {url}"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def test_forms_without_a_csrf_token_are_refused(guarded):
    with guarded.app_context():
        factories.user(role="recruiter", email="csrf@example.com")
    client = guarded.test_client()
    refused = client.post("/sign-in", data={"email": "csrf@example.com", "password": PASSWORD})
    assert refused.status_code == 400 and "This form has expired" in refused.text
    token = csrf_token(client, "/sign-in")
    ok = client.post(
        "/sign-in", data={"email": "csrf@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302
    # Plain POST endpoints without a WTForms form are protected too.
    assert client.post("/sign-out").status_code == 400
    assert client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")}).status_code == 302


def test_sign_in_is_throttled_per_address_and_account(guarded):
    client = guarded.test_client()
    statuses = []
    for _ in range(12):
        token = csrf_token(client, "/sign-in")
        statuses.append(
            client.post(
                "/sign-in",
                data={"email": "x@example.com", "password": "bad-password-1", "csrf_token": token},
            ).status_code
        )
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429
    page = client.post(
        "/sign-in",
        data={
            "email": "x@example.com",
            "password": "bad",
            "csrf_token": csrf_token(client, "/sign-in"),
        },
    )
    assert page.status_code == 429 and "Too many attempts" in page.text
    # Another address trying the same account is throttled by the per-account limit.
    other = guarded.test_client()
    token = csrf_token(other, "/sign-in")
    blocked = other.post(
        "/sign-in",
        data={"email": "x@example.com", "password": "bad-password-1", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert blocked.status_code == 429
    # A different account from that other address is still let through to try.
    token = csrf_token(other, "/sign-in")
    allowed = other.post(
        "/sign-in",
        data={"email": "y@example.com", "password": "bad-password-1", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert allowed.status_code == 200


def test_password_reset_is_throttled(guarded):
    client = guarded.test_client()
    codes = []
    for _ in range(7):
        token = csrf_token(client, "/forgot-password")
        codes.append(
            client.post(
                "/forgot-password", data={"email": "a@example.com", "csrf_token": token}
            ).status_code
        )
    assert 429 in codes


def test_security_headers_on_every_html_response(client, recruiter):
    for url in ["/sign-in", "/forgot-password", "/no-such-page"]:
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
    sign_in(client, recruiter.email)
    page = client.get("/")
    assert "Content-Security-Policy" in page.headers and page.headers["Cache-Control"].startswith(
        "private"
    )
    # No inline styles or scripts: only scripts served by the app, by URL.
    assert not re.search(r"\sstyle=", page.text)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page.text)


def test_session_cookie_flags(client, recruiter):
    response = sign_in(client, recruiter.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hostile_text_is_escaped_in_pages_and_pdfs(client, recruiter):
    cand = factories.candidate(HOSTILE[:60] + " Name", "hostile@example.com", with_account=True)
    interview = factories.interview(cand, recruiter)
    fb = factories.feedback(interview, recruiter, "draft")
    sign_in(client, recruiter.email)
    data = scorecard_form(
        lock_version=str(fb.lock_version),
        submit="1",
        **{
            k: HOSTILE
            for k in [
                "next_step",
                "strengths",
                "improvements",
                "insight_plans",
                "insight_competitors",
                "insight_markets",
                "insight_role_fit",
                "private_notes",
                "example_presence",
            ]
        },
        practice_suggestions=f"{HOSTILE}\nSecond suggestion here.",
    )
    assert client.post(f"/feedback/{fb.id}/edit", data=data).status_code == 302
    keys = [
        html.unescape(k)
        for k in re.findall(
            r'name="acknowledge" value="([^"]+)"', client.get(f"/feedback/{fb.id}/release").text
        )
    ]
    released = client.post(f"/feedback/{fb.id}/release", data={"acknowledge": keys})
    assert released.status_code == 302, released.text
    db.session.expire_all()
    assert db.session.get(Feedback, fb.id).state.value == "released"
    for url in [
        f"/feedback/{fb.id}",
        f"/feedback/{fb.id}/edit",
        f"/candidates/{cand.id}",
        "/candidates/",
        f"/interviews/{interview.id}",
        "/",
    ]:
        page = client.get(url).text
        assert "<script>alert" not in page, url
    client.post("/sign-out")
    sign_in(client, cand.email)
    for url in ["/", f"/my/feedback/{fb.id}"]:
        page = client.get(url).text
        assert "<script>alert" not in page and "&lt;script&gt;" in page, url
    pdf = client.get(f"/reports/feedback/{fb.id}.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "<script>alert('x')</script>" in text  # shown as the literal text the recruiter typed


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/candidates/-1", None),
        ("get", "/candidates/abc", None),
        ("get", "/feedback/99999999999999999999", None),
        ("get", "/interviews/?stage=%00&sort=%27;drop", None),
        ("get", "/static/../portal/config.py", None),
        ("get", "/static/%2e%2e/portal/config.py", None),
        ("get", "/reports/feedback/..%2f..%2fetc%2fpasswd.pdf", None),
        ("post", "/candidates/new", {"name": ["a", "b"], "email": "x@example.com"}),
        ("post", "/companies/new", {"name": "X", "kind": "galactic"}),
        (
            "post",
            "/interviews/new",
            {"candidate_id": "one", "position_id": "-5", "scheduled_at": "x" * 500},
        ),
    ],
)
def test_malformed_requests_get_a_4xx_or_a_form_never_a_500(client, recruiter, method, url, data):
    sign_in(client, recruiter.email)
    response = getattr(client, method)(url, data=data)
    assert response.status_code < 500
    assert "Traceback" not in response.text


def test_huge_bodies_are_refused_with_413(client, recruiter):
    sign_in(client, recruiter.email)
    response = client.post("/candidates/new", data={"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413 and "That was too large" in response.text
