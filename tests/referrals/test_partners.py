"""The partner directory: admins keep companies and contacts; recruiters suggest contacts."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Company, CompanyKind, PartnerContact
from portal.referrals import partners
from tests import factories
from tests.factories import sign_in
from tests.referrals import factories as rf


def test_admin_adds_a_partner_and_a_contact(client, admin):
    sign_in(client, admin.email)
    assert "No partner companies yet." in client.get("/admin/partners").text
    response = client.post(
        "/admin/partners/new",
        data={"name": "Lumen Energy", "website": "https://lumen.example", "active": "y"},
    )
    company = db.session.scalar(db.select(Company).where(Company.name == "Lumen Energy"))
    assert company.kind is CompanyKind.PARTNER and company.active
    assert response.location.endswith(f"/admin/partners/{company.id}")
    response = client.post(
        f"/admin/partners/{company.id}/contacts/new",
        data={"name": "Priya Raman", "role_title": "Talent Partner", "email": "Priya@Lumen.example",
              "notes": "Hires analysts", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    contact = db.session.scalar(db.select(PartnerContact))
    assert contact.confirmed and contact.active and contact.email == "priya@lumen.example"
    page = client.get(f"/admin/partners/{company.id}").text
    assert "Priya Raman" in page and "Can be picked" in page
    listing = client.get("/admin/partners").text
    assert "Lumen Energy" in listing and "1 can be picked" in listing


def test_partner_and_contact_forms_explain_problems_and_keep_input(client, admin, cast):
    sign_in(client, admin.email)
    page = client.post("/admin/partners/new", data={"name": "Bluepeak Software", "notes": "kept"})
    assert "A company with this name already exists." in page.text and "kept" in page.text
    page = client.post(
        f"/admin/partners/{cast.company.id}/contacts/new",
        data={"name": "Dup Person", "email": cast.contact.email.upper()},
    )
    assert "already has a contact with the email" in page.text and 'value="Dup Person"' in page.text
    page = client.post(
        f"/admin/partners/{cast.company.id}/contacts/new",
        data={"name": "", "email": "not-an-email"},
    )
    assert "Enter the contact&#39;s name." in page.text
    assert "Enter an email address like name@example.com." in page.text


def test_a_hiring_client_is_not_a_partner_here(client, admin):
    client_company = factories.company("Northwind Analytics")
    sign_in(client, admin.email)
    assert client.get(f"/admin/partners/{client_company.id}").status_code == 404
    assert client.get(f"/admin/partners/{client_company.id}/edit").status_code == 404
    assert client.get(f"/admin/partners/{client_company.id}/contacts/new").status_code == 404


def test_admin_edits_and_deactivates_a_contact(client, admin, cast):
    sign_in(client, admin.email)
    response = client.post(
        f"/admin/partners/contacts/{cast.contact.id}/edit",
        data={"name": "Dana W.", "email": cast.contact.email, "role_title": "VP Data"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    contact = db.session.get(PartnerContact, cast.contact.id)
    assert contact.name == "Dana W." and contact.active is False  # unticked box
    assert partners.pickable_contacts() == []


def test_a_suggestion_waits_for_an_admin_then_becomes_pickable(client, admin, cast):
    sign_in(client, cast.proposer.email)
    client.post(
        "/referrals/contacts/suggest",
        data={"company_id": str(cast.company.id), "name": "Sue Suggested", "email": "sue@b.example",
              "notes": "Met at PyCon"},
    )  # fmt: skip
    suggested = db.session.scalar(
        db.select(PartnerContact).where(PartnerContact.name == "Sue Suggested")
    )
    url = f"/referrals/new?candidate={cast.candidate.id}"
    assert "Sue Suggested — Bluepeak Software" not in client.get(url).text
    client.post("/sign-out")
    sign_in(client, admin.email)
    listing = client.get("/admin/partners").text
    assert "Contacts suggested by recruiters" in listing and "Met at PyCon" in listing
    assert "Rita Recruiter" in listing
    client.post(f"/admin/partners/contacts/{suggested.id}/confirm")
    db.session.expire_all()
    assert db.session.get(PartnerContact, suggested.id).confirmed
    assert "Contacts suggested by recruiters" not in client.get("/admin/partners").text
    client.post("/sign-out")
    sign_in(client, cast.proposer.email)
    assert "Sue Suggested — Bluepeak Software" in client.get(url).text
    assert db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "partner_contact_confirmed")
    )


def test_turning_a_suggestion_down_needs_a_tick(client, admin, cast):
    suggested = rf.contact(cast.company, "Sue Suggested", confirmed=False)
    sign_in(client, admin.email)
    page = client.post(f"/admin/partners/contacts/{suggested.id}/reject", follow_redirects=True)
    assert "Tick the box to confirm that you are turning Sue Suggested down." in page.text
    assert db.session.get(PartnerContact, suggested.id).active
    page = client.post(
        f"/admin/partners/contacts/{suggested.id}/reject", data={"sure": "y"}, follow_redirects=True
    )
    assert "Sue Suggested was turned down" in page.text
    db.session.expire_all()
    assert not db.session.get(PartnerContact, suggested.id).active


def test_recruiters_cannot_confirm_or_edit_contacts(client, cast):
    suggested = rf.contact(cast.company, "Sue Suggested", confirmed=False)
    sign_in(client, cast.proposer.email)
    assert client.post(f"/admin/partners/contacts/{suggested.id}/confirm").status_code == 403
    assert client.get(f"/admin/partners/contacts/{suggested.id}/edit").status_code == 403
    assert not db.session.get(PartnerContact, suggested.id).confirmed
    with pytest.raises(partners.ContactError, match="Only an admin"):
        partners.confirm_contact(suggested, actor=cast.proposer)


def test_suggestions_go_to_active_partners_only(cast):
    inactive = rf.partner("Gone Ltd", active=False)
    data = partners.ContactInput(name="X", email="x@example.com")
    with pytest.raises(partners.ContactError, match="active partner company"):
        partners.suggest_contact(inactive, data, actor=cast.proposer)
    client_company = factories.company("Client Co")
    with pytest.raises(partners.ContactError, match="active partner company"):
        partners.suggest_contact(client_company, data, actor=cast.proposer)
