from portal.extensions import db
from portal.models import AuditEvent, Role, User
from tests import factories
from tests.factories import sign_in


def test_recruiter_and_candidate_cannot_enter_admin_pages(client, recruiter):
    sign_in(client, recruiter.email)
    assert client.get("/admin/users").status_code == 403
    client.post("/sign-out")
    cand = factories.candidate(with_account=True)
    sign_in(client, cand.email)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/candidates/").status_code == 403
    page = client.get("/candidates/")
    assert "This is not yours to see" in page.text


def test_admin_creates_a_recruiter_who_gets_a_link_to_set_a_password(client, admin, outbox):
    sign_in(client, admin.email)
    response = client.post(
        "/admin/users/new",
        data={"name": "New Rec", "email": "New.Rec@example.com", "role": "recruiter"},
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new.rec@example.com"))
    assert user.role is Role.RECRUITER and user.password_hash is None
    assert outbox.last()["To"] == "new.rec@example.com"
    assert outbox.last()["Subject"] == "Set your BetterOff password"
    assert (
        db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user_created"))
        is not None
    )


def test_admin_cannot_create_a_duplicate_or_a_candidate_account(client, admin, recruiter):
    sign_in(client, admin.email)
    dup = client.post(
        "/admin/users/new", data={"name": "Dup", "email": recruiter.email, "role": "recruiter"}
    )
    assert "already exists" in dup.text and 'value="Dup"' in dup.text
    cand = client.post(
        "/admin/users/new", data={"name": "C", "email": "c@example.com", "role": "candidate"}
    )
    assert "Not a valid choice" in cand.text


def test_admin_changes_role_and_deactivates_with_audit(client, admin, recruiter):
    sign_in(client, admin.email)
    client.post(f"/admin/users/{recruiter.id}", data={"name": recruiter.name, "role": "admin"})
    db.session.refresh(recruiter)
    assert recruiter.role is Role.ADMIN and recruiter.active is False
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user_updated"))
    assert event.details["changes"]["role"] == ["recruiter", "admin"]


def test_admin_cannot_demote_themselves(client, admin):
    sign_in(client, admin.email)
    response = client.post(
        f"/admin/users/{admin.id}", data={"name": admin.name, "role": "recruiter", "active": "y"}
    )
    assert "cannot change your own role" in response.text


def test_unknown_ids_are_404(client, admin):
    sign_in(client, admin.email)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/candidates/999999").status_code == 404
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "We could not find that page" in page.text
