from urllib.parse import urlsplit

from portal.extensions import db
from portal.models import Candidate, Role
from tests import factories
from tests.factories import body, link_in, sign_in


def add_candidate(client, **data):
    form = {"name": "Maya Chen", "email": "maya@example.com", "send_invitation": "y"} | data
    return client.post("/candidates/new", data=form)


def path_of(link: str) -> str:
    return urlsplit(link).path


def test_recruiter_adds_candidate_and_invitation_is_emailed(client, recruiter, outbox):
    sign_in(client, recruiter.email)
    response = add_candidate(client)
    assert response.status_code == 302
    message = outbox.last()
    assert message["To"] == "maya@example.com"
    assert "invitation" in message["Subject"].lower()
    assert "7 days" in body(message)
    link = link_in(message)
    assert "/invitation/" in link


def test_candidate_accepts_invitation_and_lands_in_the_portal(app, client, recruiter, outbox):
    sign_in(client, recruiter.email)
    add_candidate(client)
    client.post("/sign-out")
    link = path_of(link_in(outbox.last()))
    page = client.get(link)
    assert "Welcome, Maya Chen" in page.text
    response = client.post(
        link, data={"password": "my-own-passphrase", "confirm": "my-own-passphrase"}
    )
    assert response.status_code == 302
    assert "Hello, Maya" in client.get("/").text
    candidate = db.session.scalar(db.select(Candidate).where(Candidate.email == "maya@example.com"))
    assert candidate.user is not None and candidate.user.role is Role.CANDIDATE
    # The link works once.
    client.post("/sign-out")
    reused = client.get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.text


def test_weak_or_mismatched_password_keeps_the_form(client, recruiter, outbox):
    sign_in(client, recruiter.email)
    add_candidate(client)
    client.post("/sign-out")
    link = path_of(link_in(outbox.last()))
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 200 and "at least 10 characters" in short.text
    mismatch = client.post(
        link, data={"password": "long-enough-pass", "confirm": "other-long-pass"}
    )
    assert "The two passwords do not match." in mismatch.text


def test_tampered_and_expired_links_get_a_clear_message(make_app, client, recruiter, outbox):
    sign_in(client, recruiter.email)
    add_candidate(client)
    client.post("/sign-out")
    link = path_of(link_in(outbox.last()))
    tampered = client.get(link[:-3] + "abc")
    assert tampered.status_code == 400 and "not valid" in tampered.text
    expired = make_app(INVITATION_MAX_AGE=-1).test_client().get(link)
    assert expired.status_code == 400 and "expired" in expired.text


def test_duplicate_candidate_email_is_refused_with_form_kept(client, recruiter):
    sign_in(client, recruiter.email)
    add_candidate(client)
    again = add_candidate(client, name="Another Maya", phone="+44 20 7946 0000")
    assert again.status_code == 200
    assert "already exists" in again.text
    assert 'value="Another Maya"' in again.text and "+44 20 7946 0000" in again.text


def test_candidate_form_missing_fields_and_bad_email(client, recruiter):
    sign_in(client, recruiter.email)
    response = client.post("/candidates/new", data={"name": "", "email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter the candidate&#39;s name." in response.text
    assert "Enter an email address like name@example.com." in response.text
    assert 'value="not-an-email"' in response.text


def test_resend_invitation_and_refuse_once_joined(client, recruiter, outbox):
    cand = factories.candidate(name="Jo", email="jo@example.com")
    sign_in(client, recruiter.email)
    client.post(f"/candidates/{cand.id}/invite")
    assert outbox.last()["To"] == "jo@example.com"
    joined = factories.candidate(name="Kim", email="kim@example.com", with_account=True)
    response = client.post(f"/candidates/{joined.id}/invite", follow_redirects=True)
    assert "already accepted" in response.text
