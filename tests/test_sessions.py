"""Sessions end on the server: a copied cookie is worth nothing once its session has ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import UserSession, utcnow
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in


def cookies_of(client: FlaskClient) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def copy_of(app, client: FlaskClient) -> FlaskClient:
    """Another browser holding copies of `client`'s cookies, taken now."""
    thief = app.test_client()
    for name, value in cookies_of(client).items():
        thief.set_cookie(name, value)
    return thief


def signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def maya(app):
    return factories.candidate("Maya Chen", "maya@example.com", with_account=True)


def test_a_cookie_copied_before_sign_out_no_longer_opens_the_portal(app, client, maya):
    sign_in(client, "maya@example.com")
    thief = copy_of(app, client)
    assert signed_in(thief)  # the copy works while the session is open

    client.post("/sign-out")

    assert not signed_in(client)
    response = thief.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert thief.get("/my/data-export").status_code == 302


def test_a_copied_remember_me_cookie_is_worthless_after_sign_out(app, client, maya):
    client.post(
        "/sign-in",
        data={"email": "maya@example.com", "password": factories.PASSWORD, "remember": "y"},
    )
    copied = cookies_of(client)["remember_token"]
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert signed_in(thief)  # the remember cookie alone opens a session while it is valid

    client.post("/sign-out")

    later = app.test_client()
    later.set_cookie("remember_token", copied)
    assert not signed_in(later)


def test_signing_out_one_device_leaves_the_others_signed_in(app, maya):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "maya@example.com")
    sign_in(phone, "maya@example.com")

    laptop.post("/sign-out")

    assert not signed_in(laptop)
    assert signed_in(phone)


def test_sign_out_everywhere_ends_every_session_of_the_account(app, recruiter):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, recruiter.email)
    sign_in(phone, recruiter.email)
    stolen = copy_of(app, phone)
    page = laptop.get("/account")
    assert page.status_code == 200
    assert page.text.count("This device") == 1
    assert "Sign out everywhere" in page.text

    response = laptop.post("/account/sessions/end-all")

    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    for browser in (laptop, phone, stolen):
        assert not signed_in(browser)
    assert sign_in(laptop, recruiter.email).status_code == 302  # a new sign-in works
    assert signed_in(laptop)


def test_a_password_change_keeps_this_session_and_ends_the_others(app, recruiter):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, recruiter.email)
    sign_in(phone, recruiter.email)
    new = "a brand new passphrase 42"

    laptop.post(
        "/account/password",
        data={"current": factories.PASSWORD, "password": new, "confirm": new},
    )

    assert signed_in(laptop)
    assert not signed_in(phone)


def test_an_idle_session_ends(app, client, recruiter):
    sign_in(client, recruiter.email)
    row = db.session.query(UserSession).filter_by(user_id=recruiter.id).one()
    idle = app.config["SESSION_IDLE_MINUTES"]
    row.last_seen_at = utcnow() - timedelta(minutes=idle - 1)
    commit()
    assert signed_in(client)  # and this request counts as use

    row.last_seen_at = utcnow() - timedelta(minutes=idle + 1)
    commit()

    assert not signed_in(client)


def test_a_session_ends_after_its_absolute_lifetime_however_busy(make_app):
    app = make_app(SESSION_LIFETIME_HOURS=1)
    with app.app_context():
        factories.user(role="recruiter", email="r@example.com", name="Rae Cruiter")
        client = app.test_client()
        sign_in(client, "r@example.com")
        row = db.session.query(UserSession).one()
        row.created_at = utcnow() - timedelta(minutes=61)
        row.last_seen_at = utcnow()
        commit()

        assert not signed_in(client)


def test_deactivating_an_account_ends_its_sessions(app, client, admin, recruiter):
    victim = app.test_client()
    sign_in(victim, recruiter.email)
    sign_in(client, admin.email)

    client.post(
        f"/admin/users/{recruiter.id}",
        data={"name": recruiter.name, "role": "recruiter", "active": ""},
    )

    assert not signed_in(victim)


def test_old_style_cookies_from_before_server_sessions_are_refused(app, client, recruiter):
    with client.session_transaction() as session:
        session["_user_id"] = f"{recruiter.id}:1"  # what a cookie held before this change
        session["_fresh"] = True

    assert not signed_in(client)
