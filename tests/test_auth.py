from portal.extensions import db
from portal.models import AuditEvent, User
from tests import factories
from tests.factories import PASSWORD, sign_in


def test_sign_in_page_is_public_and_everything_else_needs_sign_in(client):
    assert client.get("/sign-in").status_code == 200
    response = client.get("/candidates/")
    assert response.status_code == 302
    assert "/sign-in?next=%2Fcandidates%2F" in response.headers["Location"]


def test_each_role_lands_on_its_own_page(client, admin, recruiter):
    cand = factories.candidate(name="Maya Chen", with_account=True)
    for who, expected in [
        (admin.email, "Welcome, Ada"),
        (recruiter.email, "Welcome, Rita"),
        (cand.email, "Hello, Maya"),
    ]:
        response = sign_in(client, who)
        assert response.status_code == 302
        page = client.get(response.headers["Location"])
        assert expected in page.text
        client.post("/sign-out")


def test_wrong_password_and_unknown_email_get_the_same_clear_message(client, recruiter):
    wrong = sign_in(client, recruiter.email, "not-the-password")
    unknown = sign_in(client, "nobody@example.com", "whatever-it-is")
    message = "That email and password do not match an active account."
    assert wrong.status_code == unknown.status_code == 200
    assert message in wrong.text and message in unknown.text
    assert 'value="nobody@example.com"' in unknown.text  # what was typed is kept
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert actions.count("sign_in_failed") == 2


def test_missing_fields_are_named(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 200
    assert "Enter your email address." in response.text
    assert "Enter your password." in response.text


def test_email_is_case_insensitive(client, recruiter):
    response = sign_in(client, "  REC@Example.COM ")
    assert response.status_code == 302


def test_deactivated_account_cannot_sign_in(client):
    user = factories.user(role="recruiter", email="gone@example.com", active=False)
    response = sign_in(client, user.email)
    assert "do not match an active account" in response.text


def test_next_redirect_only_follows_same_site_paths(client, recruiter):
    ok = client.post(
        "/sign-in", data={"email": recruiter.email, "password": PASSWORD, "next": "/candidates/"}
    )
    assert ok.headers["Location"] == "/candidates/"
    client.post("/sign-out")
    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ]:
        response = client.post(
            "/sign-in", data={"email": recruiter.email, "password": PASSWORD, "next": evil}
        )
        assert response.headers["Location"] == "/", evil
        client.post("/sign-out")


def test_sign_out_needs_post_and_ends_the_session(client, recruiter):
    sign_in(client, recruiter.email)
    assert client.get("/sign-out").status_code == 405
    client.post("/sign-out")
    assert client.get("/").status_code == 302


def test_changing_password_signs_out_other_devices(app, recruiter):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, recruiter.email)
    sign_in(phone, recruiter.email)
    response = laptop.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a-brand-new-passphrase",
            "confirm": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200  # this device stays signed in
    assert phone.get("/").status_code == 302  # the other one is signed out
    assert sign_in(app.test_client(), recruiter.email, "a-brand-new-passphrase").status_code == 302


def test_change_password_refuses_wrong_current_and_weak_new(client, recruiter):
    sign_in(client, recruiter.email)
    wrong = client.post(
        "/account/password", data={"current": "nope", "password": "x" * 12, "confirm": "x" * 12}
    )
    assert "Your current password is not correct." in wrong.text
    weak = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "password123", "confirm": "password123"},
    )
    assert "too common" in weak.text


def test_hash_is_upgraded_on_sign_in_when_parameters_change(make_app):
    app = make_app()
    with app.app_context():
        user = factories.user(role="recruiter", email="old@example.com")
        old_hash = user.password_hash
    stronger = make_app(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=16)
    assert sign_in(stronger.test_client(), "old@example.com").status_code == 302
    with stronger.app_context():
        new_hash = db.session.scalar(
            db.select(User.password_hash).where(User.email == "old@example.com")
        )
    assert new_hash != old_hash and "m=16,t=2" in new_hash
