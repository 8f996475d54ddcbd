from urllib.parse import urlsplit

from tests.factories import link_in, sign_in

GENERIC = "If an account exists for that address, a reset link is on its way."


def test_unknown_and_known_addresses_get_the_same_answer(client, recruiter, outbox):
    unknown = client.post(
        "/forgot-password", data={"email": "nobody@example.com"}, follow_redirects=True
    )
    assert GENERIC in unknown.text
    assert outbox.messages() == []
    known = client.post("/forgot-password", data={"email": recruiter.email}, follow_redirects=True)
    assert GENERIC in known.text
    assert outbox.last()["To"] == recruiter.email


def test_reset_link_sets_a_new_password_once(client, recruiter, outbox):
    client.post("/forgot-password", data={"email": recruiter.email})
    link = urlsplit(link_in(outbox.last())).path
    assert "Choose a new password" in client.get(link).text
    done = client.post(
        link, data={"password": "fresh-passphrase-1", "confirm": "fresh-passphrase-1"}
    )
    assert done.status_code == 302
    assert sign_in(client, recruiter.email, "fresh-passphrase-1").status_code == 302
    client.post("/sign-out")
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.text


def test_invalid_email_format_is_explained(client):
    response = client.post("/forgot-password", data={"email": "nope"})
    assert "Enter an email address like name@example.com." in response.text


def test_expired_reset_link(make_app, client, recruiter, outbox):
    client.post("/forgot-password", data={"email": recruiter.email})
    link = urlsplit(link_in(outbox.last())).path
    response = make_app(PASSWORD_RESET_MAX_AGE=-1).test_client().get(link)
    assert response.status_code == 400 and "expired" in response.text
