"""Every text a candidate reads passes the release check; an amendment's reason reaches them."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Referral, ReleaseAcknowledgement
from portal.release_check import screening
from tests import factories
from tests.factories import scorecard_form, sign_in
from tests.referrals import factories as rf

RISKY_NOTE = "You would fit in well with our young team, given your age."
REASON = "Your examples were mixed up with another interview; the strengths now match yours."


@pytest.fixture
def cast(app, admin, recruiter, other_recruiter):
    return rf.make_cast(admin, recruiter, other_recruiter)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


# --- referral and lead notes ------------------------------------------------------------------


def propose(client, cast, note, **extra):
    return client.post(
        f"/referrals/new?candidate={cast.candidate.id}",
        data={
            "kind": "referral",
            "contact_id": str(cast.contact.id),
            "referral_role": "Senior Data Analyst",
            "note_to_candidate": note,
            **extra,
        },
    )


def test_a_referral_note_with_risky_wording_is_held_with_the_text_kept(client, cast):
    sign_in(client, cast.proposer.email)

    response = propose(client, cast, RISKY_NOTE)

    assert response.status_code == 200
    assert "Release check" in response.text and "Note to the candidate" in response.text
    assert "young team, given your age." in response.text  # what was typed is still there
    assert db.session.query(Referral).count() == 0


def test_a_kept_finding_in_a_referral_note_is_recorded_with_who_kept_it(client, cast):
    sign_in(client, cast.proposer.email)
    keys = [
        screening.finding_key(f) for f in screening.screen_fields({"note_to_candidate": RISKY_NOTE})
    ]
    assert keys

    response = propose(client, cast, RISKY_NOTE, acknowledge=keys)

    assert response.status_code == 302
    referral = db.session.query(Referral).one()
    kept = db.session.query(ReleaseAcknowledgement).filter_by(referral_id=referral.id).all()
    assert kept and {k.acknowledged_by_id for k in kept} == {cast.proposer.id}


def test_a_clean_referral_note_goes_straight_through(client, cast):
    sign_in(client, cast.proposer.email)

    response = propose(client, cast, "Your questions about forecasting stood out to me.")

    assert response.status_code == 302
    assert db.session.query(ReleaseAcknowledgement).count() == 0


# --- amendment reasons ------------------------------------------------------------------------


@pytest.fixture
def released(app, recruiter):
    maya = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    feedback = factories.feedback(factories.interview(maya, recruiter), recruiter, "released")
    return maya, feedback


def amend(client, feedback, reason, **extra):
    return client.post(
        f"/feedback/{feedback.id}/edit",
        data=scorecard_form(
            lock_version=str(feedback.lock_version),
            strengths="You explained the forecasting model clearly, with its limits.",
            amendment_reason=reason,
            **extra,
        ),
    )


def test_an_amendment_reason_with_risky_wording_is_held(client, recruiter, released):
    _, feedback = released
    sign_in(client, recruiter.email)

    response = amend(client, feedback, "Changed because she is pregnant and may leave.")

    assert response.status_code == 200
    assert "Reason for the amendment" in response.text and "Release check" in response.text
    db.session.refresh(feedback)
    assert feedback.revision == 1


def test_the_candidate_sees_why_feedback_changed_in_portal_pdf_and_email(
    app, client, recruiter, released, outbox
):
    maya, feedback = released
    sign_in(client, recruiter.email)
    assert amend(client, feedback, REASON).status_code == 302
    client.post("/sign-out")

    sign_in(client, maya.email)
    page = client.get(f"/my/feedback/{feedback.id}").text
    pdf = client.get(f"/reports/feedback/{feedback.id}.pdf")
    journey = client.get(f"/reports/candidates/{maya.id}/journey.pdf")

    assert "Your recruiter corrected this feedback on" in page and REASON in page
    assert pdf.mimetype == "application/pdf"
    assert "what changed" in pdf_text(pdf.data).lower() and REASON in pdf_text(pdf.data)
    assert REASON in pdf_text(journey.data)
    message = outbox.last()
    assert message["Subject"] == "Your interview feedback was updated"
    assert REASON in factories.body(message)


def test_first_releases_say_nothing_about_changes(client, released):
    maya, feedback = released
    sign_in(client, maya.email)

    assert "corrected this feedback" not in client.get(f"/my/feedback/{feedback.id}").text
    assert (
        "corrected on"
        not in pdf_text(client.get(f"/reports/feedback/{feedback.id}.pdf").data).lower()
    )
