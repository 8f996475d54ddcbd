"""Admin > Release check: admins choose the jurisdiction packs; every screen follows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import release_check
from portal.extensions import db
from portal.models import AuditEvent, Setting
from tests import factories
from tests.factories import scorecard_form, sign_in

TATTOOS = "Your tattoos were distracting during the presentation."


@pytest.fixture
def interview(app, recruiter):
    cand = factories.candidate(name="Maya Chen", email="maya@example.com", with_account=True)
    return factories.interview(cand, recruiter)


def test_the_page_lists_every_pack_with_its_grounds_and_laws(client, admin):
    sign_in(client, admin.email)
    page = client.get("/admin/release-check")
    assert page.status_code == 200
    for pack in release_check.all_packs():
        assert pack.name in page.text
    assert "Equality Act 2010, s.7 (gender reassignment)" in page.text
    assert "USERRA" in page.text and "CROWN Acts" in page.text
    assert "Always applies" in page.text
    # Nothing chosen yet: every pack applies, and the boxes say so.
    assert page.text.count("checked") == len(release_check.choosable_packs())


def test_an_admin_chooses_packs_and_the_check_follows(client, admin):
    sign_in(client, admin.email)
    assert release_check.findings({"strengths": TATTOOS})
    saved = client.post("/admin/release-check", data={"packs": ["uk", "eu"]}, follow_redirects=True)
    assert "now applies: United Kingdom, European Union" in saved.text
    assert release_check.chosen_packs() == ("uk", "eu")
    assert release_check.findings({"strengths": TATTOOS}) == []
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "release_check_packs_changed")
    )
    assert event is not None and event.actor_id == admin.id
    page = client.get("/admin/release-check")
    assert page.text.count("checked") == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one pack"),
        ({"packs": ["mars"]}, "not a valid choice"),
        ({"packs": ["uk", "<script>alert(1)</script>"]}, "not a valid choice"),
    ],
)
def test_a_bad_choice_is_refused_and_nothing_changes(client, admin, data, message):
    sign_in(client, admin.email)
    page = client.post("/admin/release-check", data=data)
    assert page.status_code == 200
    assert message in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert db.session.get(Setting, release_check.PACKS_KEY) is None
    assert len(release_check.chosen_packs()) == len(release_check.choosable_packs())


def test_a_recruiter_cannot_change_the_packs(client, recruiter):
    sign_in(client, recruiter.email)
    assert client.get("/admin/release-check").status_code == 403
    assert client.post("/admin/release-check", data={"packs": ["uk"]}).status_code == 403
    assert db.session.get(Setting, release_check.PACKS_KEY) is None


def test_the_release_page_names_the_ground_and_the_law(client, recruiter, admin, interview):
    release_check.choose_packs(["uk"], actor=admin)
    db.session.commit()
    sign_in(client, recruiter.email)
    edit_url = client.post(f"/interviews/{interview.id}/scorecard").headers["Location"]
    client.post(
        edit_url,
        data=scorecard_form(
            lock_version="1",
            submit="1",
            improvements="You seemed a little old for such a fast-moving team. " + TATTOOS,
        ),
    )
    page = client.get(edit_url.replace("/edit", "/release"))
    assert "Release check: 1 thing to review" in page.text
    assert "United Kingdom — Equality Act 2010, s.5 (age)" in page.text
    assert "tattoos" not in page.text.split("Release check:")[1].split("</section>")[0]
