"""The shared input rules (portal/forms.py, portal/text.py), each against the finding it fixes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import AuditEvent, Candidate, ReferralKind, ReferralStatus
from portal.text import clean_name, clean_text, has_visible
from tests import factories
from tests.factories import sign_in
from tests.referrals import factories as rf

HUGE = "99999999999999999999999"
INVISIBLE_NAME = "\u202e\u200b\ufeff"


@pytest.fixture
def cast(app, admin, recruiter, other_recruiter):
    return rf.make_cast(admin, recruiter, other_recruiter)


# --- text rules ---------------------------------------------------------------------------------


@given(st.text())
def test_clean_text_leaves_no_control_or_invisible_formatting(value):
    cleaned = clean_text(value, multiline=True)
    assert cleaned == cleaned.strip()
    assert not any(c in cleaned for c in "\x00\x1b\u202e\u202a\u2066\u200b\ufeff")
    assert cleaned == "" or has_visible(cleaned)


@given(st.text())
def test_cleaning_twice_changes_nothing(value):
    assert clean_text(clean_text(value)) == clean_text(value)
    assert clean_name(clean_name(value)) == clean_name(value)


def test_names_are_normalised_trimmed_and_free_of_bidi_controls():
    decomposed = "Zoe\u0308 \u202eNilsson\u202c  \u200e"  # e + combining diaeresis
    assert clean_name(decomposed) == "Zoë Nilsson"
    assert clean_name(" Anna\tMaria \n Lind ") == "Anna Maria Lind"


def test_joiners_that_scripts_need_stay():
    assert clean_text("می\u200cخواهم") == "می\u200cخواهم"  # Persian: zero-width non-joiner
    assert clean_text("👩\u200d💻") == "👩\u200d💻"  # an emoji sequence


# --- names that are only invisible characters ---------------------------------------------------


def test_a_candidate_named_only_with_invisible_characters_is_refused(client, recruiter):
    sign_in(client, recruiter.email)

    response = client.post(
        "/candidates/new", data={"name": INVISIBLE_NAME, "email": "ghost@example.com"}
    )

    assert response.status_code == 200
    assert "Enter the candidate&#39;s name." in response.text
    assert 'value="ghost@example.com"' in response.text  # what was typed is still there
    assert db.session.query(Candidate).filter_by(email="ghost@example.com").count() == 0


def test_a_name_with_a_right_to_left_override_is_stored_without_it(client, recruiter):
    sign_in(client, recruiter.email)

    client.post(
        "/candidates/new", data={"name": "Maya \u202eChen\u200b", "email": "maya2@example.com"}
    )

    candidate = db.session.query(Candidate).filter_by(email="maya2@example.com").one()
    assert candidate.name == "Maya Chen"


def test_optional_text_with_nothing_visible_is_refused_with_a_message(client, recruiter):
    sign_in(client, recruiter.email)

    response = client.post(
        "/candidates/new",
        data={"name": "Ann Lee", "email": "ann@example.com", "headline": "\u200b\u2066 \u2069"},
    )

    assert "Use visible characters" in response.text
    assert db.session.query(Candidate).filter_by(email="ann@example.com").count() == 0


# --- choices that are not choices ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/candidates/?stage=%20",
        "/interviews/?stage=%20&state=%20",
        "/interviews/?state=nonsense&stage=ninth",
        "/admin/referrals?status=%20&kind=%20",
        "/admin/referrals/board?status=bogus&kind=%20&owner=%20",
        "/admin/users?role=%20",
        "/admin/jobs?status=%20",
        "/companies/?kind=%20",
    ],
)
def test_filter_selects_with_unexpected_values_answer_the_page(client, admin, url):
    sign_in(client, admin.email)

    assert client.get(url).status_code == 200


def test_a_blank_enum_in_a_form_is_a_message_not_a_crash(client, admin):
    company = factories.company("Northwind Analytics")
    sign_in(client, admin.email)

    response = client.post(f"/companies/{company.id}/edit", data={"name": "Northwind", "kind": " "})

    assert response.status_code == 200
    assert "Choose a kind." in response.text


# --- numbers too large for the database -------------------------------------------------------


def test_the_audit_log_filters_refuse_huge_ids_and_impossible_dates(client, admin):
    sign_in(client, admin.email)

    response = client.get(f"/admin/audit?object_id={HUGE}&date_to=9999-12-31&page={HUGE}")

    assert response.status_code == 200
    assert "Enter a whole number of sensible size." in response.text
    assert "Enter a date between 1900 and 2199" in response.text


def test_bulk_actions_ignore_ids_too_large_for_the_database(client, cast):
    referral = rf.propose(cast)
    sign_in(client, cast.admin.email)

    response = client.post(
        "/admin/referrals/bulk",
        data={"selected": [f"{HUGE}:1", f"{referral.id}:{HUGE}"], "action": "approve"},
    )

    assert response.status_code == 200
    assert "0 of 1 approved" in response.text or "1 of 1 approved" in response.text


@pytest.mark.parametrize("version", [None, HUGE, "-3", "abc", "", " 1 "])
def test_a_missing_or_mangled_lock_version_is_a_conflict_never_a_crash(client, cast, version):
    referral = rf.propose(cast)
    sign_in(client, cast.admin.email)

    data = {} if version is None else {"lock_version": version}
    response = client.post(f"/referrals/{referral.id}/move?to=approved", data=data)

    assert response.status_code in (200, 302)
    db.session.refresh(referral)
    if version is None or version.strip() != "1":
        assert referral.status is ReferralStatus.PROPOSED  # never saved over a version unseen


def test_a_proposal_with_huge_ids_is_the_form_again(client, cast):
    sign_in(client, cast.proposer.email)

    response = client.post(
        f"/referrals/new?candidate={cast.candidate.id}",
        data={
            "kind": ReferralKind.REFERRAL.value,
            "contact_id": HUGE,
            "note_to_candidate": "A note",
            "lock_version": HUGE,
        },
    )

    assert response.status_code == 200
    assert "Not a valid choice" in response.text or "Invalid Choice" in response.text


def test_a_huge_candidate_id_in_the_query_string_is_not_found(client, recruiter):
    sign_in(client, recruiter.email)

    assert client.get(f"/referrals/new?candidate={HUGE}").status_code == 404
    assert client.get(f"/interviews/new?candidate={HUGE}").status_code == 404


def test_nothing_is_audited_for_refused_input(client, recruiter):
    sign_in(client, recruiter.email)
    before = db.session.query(AuditEvent).count()

    client.post("/candidates/new", data={"name": INVISIBLE_NAME, "email": "x@example.com"})

    assert db.session.query(AuditEvent).count() == before


def test_a_forged_forwarded_address_behind_a_proxy_is_not_stored(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    with app.app_context():
        factories.user(role="recruiter", email="r@example.com", name="Rae Cruiter")
        client = app.test_client()
        response = client.post(
            "/sign-in",
            data={"email": "r@example.com", "password": factories.PASSWORD},
            headers={"X-Forwarded-For": "not-an-address-" + "x" * 200},
        )
        assert response.status_code == 302
        event = db.session.query(AuditEvent).filter_by(action="sign_in").one()
        assert event.origin is None
        client.get("/", headers={"X-Forwarded-For": "203.0.113.9"})
        client.post("/sign-out", headers={"X-Forwarded-For": "203.0.113.9"})
        assert db.session.query(AuditEvent).filter_by(action="sign_out").one().origin == (
            "203.0.113.9"
        )
