"""Caches keyed by version stamps (portal/cache.py): with every cache warm, a change committed
by another session shows on the very next request, and a revoked session is refused on it."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from portal import cache
from portal.auth import sessions
from portal.extensions import db
from portal.feedback import services
from portal.models import Company, Stage, User
from portal.privacy import services as privacy
from portal.unit_of_work import commit
from tests import factories
from tests.factories import scorecard_input, sign_in

HIT = "X-BetterOff-Cache"


def warm(client: FlaskClient, url: str):
    """Ask until the answer comes from the cache: the second time, or the third when the
    minute that pages are also keyed by turned in between."""
    first = client.get(url)
    assert first.status_code == 200, url
    return from_cache(client, url)


def from_cache(client: FlaskClient, url: str):
    """The page, which must be served from the cache (asked again once if the minute turned)."""
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 200, url
        if answer.headers.get(HIT) == "hit":
            return answer
    raise AssertionError(f"{url} was not served from the cache")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def maya(app, recruiter):
    cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    interview = factories.interview(cand, recruiter, Stage.FIRST)
    fb = factories.feedback(interview, recruiter, "released", strengths="FIRST-WORDING of it.")
    return cand, fb


def amend(fb, recruiter, strengths: str) -> None:
    """A recruiter amends released feedback in a session of their own, and commits."""
    services.amend_feedback(
        db.session.get(type(fb), fb.id),
        scorecard_input(strengths=strengths),
        actor=db.session.get(User, recruiter.id),
        expected_version=fb.lock_version,
        reason="Corrected.",
        acknowledged=set(),
    )
    commit()


# --- freshness, page by page ---------------------------------------------------------------


def test_the_portal_landing_shows_a_new_release_on_the_next_request(client, maya, recruiter):
    cand, _ = maya
    sign_in(client, cand.email)
    assert "/my/feedback/" in warm(client, "/").text
    second = factories.interview(cand, recruiter, Stage.SECOND)
    factories.feedback(second, recruiter, "released")  # commits
    page = client.get("/")
    assert page.headers[HIT] == "miss"
    assert f"/my/feedback/{second.feedback[0].id}" in page.text


def test_the_portal_landing_shows_a_renamed_company(client, maya, recruiter):
    cand, fb = maya
    sign_in(client, cand.email)
    company_name = fb.interview.position.company.name
    assert company_name in warm(client, "/").text
    company = db.session.get(Company, fb.interview.position.company_id)
    company.name = "Renamed Industries"
    commit()
    page = client.get("/").text
    assert "Renamed Industries" in page and company_name not in page


def test_the_feedback_page_shows_an_amendment_on_the_next_request(client, maya, recruiter):
    cand, fb = maya
    sign_in(client, cand.email)
    assert "FIRST-WORDING" in warm(client, f"/my/feedback/{fb.id}").text
    amend(fb, recruiter, "SECOND-WORDING after the amendment.")
    page = client.get(f"/my/feedback/{fb.id}").text
    assert "SECOND-WORDING" in page and "FIRST-WORDING" not in page


def test_the_download_is_the_amended_report_on_the_next_request(client, maya, recruiter):
    cand, fb = maya
    sign_in(client, cand.email)
    url = f"/reports/feedback/{fb.id}.pdf"
    first = client.get(url)  # rendered and stored: a new report row bumps the stamps
    kept = warm(client, url)
    assert kept.data == first.data
    amend(fb, recruiter, "AMENDED-PDF wording of the strengths.")
    fresh = client.get(url)
    assert fresh.status_code == 200 and fresh.headers[HIT] == "miss"
    assert fresh.headers["ETag"] != first.headers["ETag"]
    assert "AMENDED-PDF" in pdf_text(fresh.data)


def test_each_download_is_logged_even_when_kept(client, maya):
    from portal.models import AuditEvent

    cand, fb = maya
    sign_in(client, cand.email)
    for _ in range(3):
        assert client.get(f"/reports/feedback/{fb.id}.pdf").status_code == 200
    logged = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "report_downloaded")
    ).all()
    assert len(logged) == 3 and {e.actor_id for e in logged} == {cand.user_id}


def test_the_dashboard_shows_another_recruiters_scorecard(client, recruiter, other_recruiter):
    cand = factories.candidate("Jonas Weber")
    mine = factories.interview(cand, recruiter, Stage.FIRST)
    sign_in(client, recruiter.email)
    before = warm(client, "/").text
    assert "Jonas Weber" in before.split("Interviews awaiting feedback")[1].split("Your drafts")[0]
    # The recruiter's own draft, saved from another session, moves it to "Your drafts".
    factories.feedback(mine, recruiter, "draft")
    after = client.get("/").text
    awaiting = after.split("Interviews awaiting feedback")[1].split("Your drafts")[0]
    assert "Jonas Weber" not in awaiting


def test_the_candidate_list_shows_a_new_candidate(client, recruiter):
    factories.candidate("Maya Chen")
    sign_in(client, recruiter.email)
    assert "Zora Quist" not in warm(client, "/candidates/").text
    assert "Zora Quist" not in warm(client, "/candidates/?q=quist").text
    factories.candidate("Zora Quist")
    assert "Zora Quist" in client.get("/candidates/").text
    assert "Zora Quist" in client.get("/candidates/?q=quist").text


def test_pages_are_kept_per_person(client, app, recruiter, maya):
    cand, _ = maya
    jonas = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    sign_in(client, cand.email)
    warm(client, "/")
    other = app.test_client()
    sign_in(other, jonas.email)
    page = other.get("/")
    assert page.headers[HIT] == "miss" and "Maya Chen" not in page.text


def test_a_flash_message_is_never_kept_or_lost(client, maya):
    cand, _ = maya
    sign_in(client, cand.email)
    warm(client, "/")
    with client.session_transaction() as browser:
        browser["_flashes"] = [("info", "FLASHED-ONCE notice")]
    shown = client.get("/")
    assert "FLASHED-ONCE" in shown.text and shown.headers.get(HIT) is None
    again = client.get("/")
    assert "FLASHED-ONCE" not in again.text


def test_a_kept_page_carries_this_sessions_csrf_token(client, app, maya):
    cand, _ = maya
    sign_in(client, cand.email)
    other = app.test_client()
    sign_in(other, cand.email)  # a second device: its own session and token
    warm(client, "/")
    page = from_cache(other, "/")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed_out = other.post("/sign-out", data={"csrf_token": token})
    assert signed_out.status_code == 302
    assert other.get("/").status_code == 302  # that device is signed out
    assert client.get("/").status_code == 200  # the first one is not


def test_pages_are_not_kept_when_the_cache_is_off(make_app, recruiter):
    app = make_app(CACHE_PAGES=False)
    with app.app_context():
        factories.user(role="recruiter", email="rita@example.com", name="Rita")
    client = app.test_client()
    sign_in(client, "rita@example.com")
    client.get("/candidates/")
    assert client.get("/candidates/").headers.get(HIT) is None


# --- revocation, with the session and its pages cached -------------------------------------


def test_sign_out_everywhere_refuses_the_next_request(client, app, maya):
    cand, _ = maya
    sign_in(client, cand.email)
    warm(client, "/")
    sessions.end_all(db.session.get(User, cand.user_id))  # from another session
    commit()
    refused = client.get("/")
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]


def test_deactivation_refuses_the_next_request(client, recruiter):
    sign_in(client, recruiter.email)
    warm(client, "/candidates/")
    db.session.get(User, recruiter.id).active = False
    commit()
    assert client.get("/candidates/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_password_change_ends_the_other_sessions(client, app, maya):
    cand, _ = maya
    sign_in(client, cand.email)
    warm(client, "/")
    other = app.test_client()
    sign_in(other, cand.email)
    form = other.get("/account/password")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    changed = other.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": factories.PASSWORD,
            "password": "a-brand-new-passphrase-9",
            "confirm": "a-brand-new-passphrase-9",
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 302


def test_a_copied_cookie_is_refused_after_sign_out_though_its_page_was_kept(client, app, maya):
    cand, _ = maya
    sign_in(client, cand.email)
    warm(client, "/")
    copy = app.test_client()
    for cookie in client._cookies.values():
        copy.set_cookie(cookie.key, cookie.value)
    from_cache(copy, "/")
    client.post("/sign-out")
    assert copy.get("/").status_code == 302
    assert copy.get(f"/my/feedback/{maya[1].id}").status_code == 302
    assert copy.get(f"/reports/feedback/{maya[1].id}.pdf").status_code == 302


def test_erasure_drops_every_kept_copy_in_this_process(client, app, admin, maya):
    cand, fb = maya
    sign_in(client, cand.email)
    warm(client, "/")
    warm(client, f"/my/feedback/{fb.id}")
    store = app.extensions["betteroff_cache"]
    assert len(store.pages) >= 2
    privacy.erase_candidate(db.session.get(type(cand), cand.id), actor=admin)
    commit()
    staff = app.test_client()
    sign_in(staff, admin.email)
    staff.get("/candidates/")  # any cached page's request sees the purge
    kept = [v.body for v, _ in store.pages._items.values() if isinstance(v, cache.Page)]
    assert not any(b"Maya Chen" in body or b"FIRST-WORDING" in body for body in kept)
    assert client.get("/").status_code == 302


# --- every host: two app processes sharing PostgreSQL/SQLite and Redis ----------------------


def test_a_change_on_one_host_shows_on_another_at_once(make_app, redis_url):
    host_a = make_app(REDIS_URL=redis_url)
    host_b = make_app(REDIS_URL=redis_url)
    with host_a.app_context():
        recruiter = factories.user(role="recruiter", email="rita@example.com", name="Rita")
        cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
        fb = factories.feedback(factories.interview(cand, recruiter), recruiter, "released")
        ids = (cand.user_id, fb.id)
    browser = host_a.test_client()
    sign_in(browser, "maya@example.com")
    warm(browser, f"/my/feedback/{ids[1]}")
    with host_b.app_context():
        feedback = db.session.get(type(fb), ids[1])
        services.amend_feedback(
            feedback,
            scorecard_input(strengths="HOST-B amended these words."),
            actor=db.session.scalar(db.select(User).where(User.email == "rita@example.com")),
            expected_version=feedback.lock_version,
            reason="Corrected.",
            acknowledged=set(),
        )
        commit()
    assert "HOST-B amended" in browser.get(f"/my/feedback/{ids[1]}").text
    warm(browser, f"/my/feedback/{ids[1]}")
    with host_b.app_context():
        sessions.end_all(db.session.get(User, ids[0]))
        commit()
    assert browser.get(f"/my/feedback/{ids[1]}").status_code == 302


def test_stamps_survive_redis_losing_them(make_app, redis_url):
    import redis

    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        factories.user(role="recruiter", email="rita@example.com", name="Rita")
    client = app.test_client()
    sign_in(client, "rita@example.com")
    warm(client, "/candidates/")
    redis.Redis.from_url(redis_url).flushdb()  # evicted, or Redis restarted empty
    from_cache(client, "/candidates/")  # the stamps read again from the database, unchanged
    with app.app_context():
        factories.candidate("Zora Quist")
    assert "Zora Quist" in client.get("/candidates/").text


def test_a_stamp_is_bumped_once_per_commit_and_only_then(app, recruiter):
    before = cache.from_database([cache.ALL])[cache.ALL]
    cand = factories.candidate("Maya Chen")  # commits
    after = cache.from_database([cache.ALL, cache.candidate_stamp(cand.id)])
    assert after[cache.ALL] == before + 1 if before else after[cache.ALL] > 0
    db.session.get(type(cand), cand.id).name = "Maya Chen-Li"
    db.session.rollback()
    assert cache.from_database([cache.ALL]) == {cache.ALL: after[cache.ALL]}


# --- what a kept page costs --------------------------------------------------------------------


def test_a_cached_page_costs_one_statement_or_none(make_app, redis_url, maya):
    """Without Redis a kept page reads its stamps (one small statement; on SQLite not even
    through the pool); with Redis it sends no statement at all, and a kept download only its
    log row."""
    from tests.querycount import count_queries

    cand, fb = maya
    plain = make_app()
    client = plain.test_client()
    sign_in(client, cand.email)
    warm(client, "/")
    with plain.app_context(), count_queries() as statements:
        assert from_cache(client, "/").status_code == 200
    assert len(statements) <= 1, statements

    shared = make_app(REDIS_URL=redis_url)
    client = shared.test_client()
    sign_in(client, cand.email)
    warm(client, "/")
    warm(client, f"/my/feedback/{fb.id}")
    with shared.app_context(), count_queries() as statements:
        assert from_cache(client, "/").status_code == 200
        assert from_cache(client, f"/my/feedback/{fb.id}").status_code == 200
    assert statements == []
    url = f"/reports/feedback/{fb.id}.pdf"
    jobs_done = plain.test_client()  # without Redis the report renders in the request
    sign_in(jobs_done, cand.email)
    warm(jobs_done, url)
    with plain.app_context(), count_queries() as statements:
        assert from_cache(jobs_done, url).status_code == 200
    inserts = [s for s in statements if s.lstrip().startswith("INSERT")]
    assert len(inserts) == 1 and "INSERT INTO audit_events" in inserts[0], statements
    others = [s for s in statements if s not in inserts]
    assert all("FROM cache_versions" in s or s.startswith("SET LOCAL") for s in others)
