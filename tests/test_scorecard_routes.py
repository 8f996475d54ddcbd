"""The scorecard in the browser's terms: forms, roles, bad input, release, conflicts."""

import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Feedback, FeedbackState
from tests import factories
from tests.factories import body, scorecard_form, sign_in


@pytest.fixture
def interview(app, recruiter):
    cand = factories.candidate(name="Maya Chen", email="maya@example.com", with_account=True)
    return factories.interview(cand, recruiter)


def start(client, interview) -> str:
    response = client.post(f"/interviews/{interview.id}/scorecard")
    assert response.status_code == 302
    return response.headers["Location"]


def test_recruiter_goes_from_interview_to_released_feedback(client, recruiter, interview, outbox):
    sign_in(client, recruiter.email)
    page = client.get(f"/interviews/{interview.id}")
    assert "Write your scorecard" in page.text
    edit_url = start(client, interview)
    form = client.get(edit_url)
    assert "Presence and focus" in form.text and "Private — recruiting side only" in form.text
    # The anchors for 1, 3 and 5 are shown beside the scale.
    assert "Fully attentive throughout" in form.text
    saved = client.post(edit_url, data=scorecard_form(lock_version="1", submit="1"))
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/release")
    release = client.get(saved.headers["Location"])
    assert "Release check: nothing to review" in release.text
    assert (
        "PRIVATE-NOTE-7731" not in release.text
    )  # the preview shows only what the candidate reads
    done = client.post(saved.headers["Location"], follow_redirects=True)
    assert "Feedback released to Maya Chen" in done.text
    fb = db.session.scalar(db.select(Feedback))
    assert fb.state is FeedbackState.RELEASED
    message = outbox.last()
    assert message["To"] == "maya@example.com" and "feedback is ready" in message["Subject"]
    assert "/sign-in" in body(message) or "http" in body(message)
    assert "PRIVATE-NOTE-7731" not in body(message)


def test_release_check_finding_is_shown_then_acknowledged(client, recruiter, interview):
    sign_in(client, recruiter.email)
    edit_url = start(client, interview)
    client.post(
        edit_url,
        data=scorecard_form(
            lock_version="1", submit="1", improvements="Not a culture fit for our team."
        ),
    )
    release_url = edit_url.replace("/edit", "/release")
    page = client.get(release_url)
    assert "Release check:" in page.text and "culture fit" in page.text.lower()
    assert "Why it matters" in page.text and "Try instead" in page.text
    refused = client.post(release_url)
    assert "Edit the text, or confirm" in refused.text
    assert db.session.scalar(db.select(Feedback.state)) is FeedbackState.SUBMITTED
    keys = [v for v in _checkbox_values(page.text)]
    assert keys
    released = client.post(release_url, data={"acknowledge": keys}, follow_redirects=True)
    assert "Feedback released" in released.text


def _checkbox_values(html: str) -> list[str]:
    return [unescape(v) for v in re.findall(r'name="acknowledge" value="([^"]+)"', html)]


def test_bad_input_gets_a_message_per_field_and_keeps_the_text(client, recruiter, interview):
    sign_in(client, recruiter.email)
    edit_url = start(client, interview)
    bad = scorecard_form(
        lock_version="1",
        score_presence="6",
        next_step_on="31/12/2026",
        strengths="x" * 4001,
        insight_plans="They plan a new office in Leeds.",
    )
    response = client.post(edit_url, data=bad)
    assert response.status_code == 200
    assert "Not a valid choice" in response.text
    assert "Enter the date like 2026-12-31." in response.text
    assert "Keep this under 4000 characters" in response.text
    assert "They plan a new office in Leeds." in response.text  # what was typed is still there
    assert 'value="31/12/2026"' in response.text
    assert db.session.scalar(db.select(Feedback.insight_plans)) is None  # nothing half-saved


def test_submitting_incomplete_scorecard_keeps_the_draft_and_names_what_is_missing(
    client, recruiter, interview
):
    sign_in(client, recruiter.email)
    edit_url = start(client, interview)
    response = client.post(
        edit_url,
        data=scorecard_form(lock_version="1", submit="1", decision=None, score_listening=None),
    )
    assert response.status_code == 200
    assert "choose a next-round decision" in response.text.lower()
    assert "Rate every engagement dimension." in response.text
    fb = db.session.scalar(db.select(Feedback))
    assert fb.state is FeedbackState.DRAFT and fb.strengths.startswith("You walked")


def test_second_editor_gets_a_conflict_with_their_text_kept(app, recruiter, admin, interview):
    fb = factories.feedback(interview, recruiter, "draft")
    a, b = app.test_client(), app.test_client()
    sign_in(a, recruiter.email)
    sign_in(b, admin.email)
    url = f"/feedback/{fb.id}/edit"
    version = str(fb.lock_version)
    assert (
        a.post(
            url, data=scorecard_form(lock_version=version, strengths="Recruiter's version.")
        ).status_code
        == 302
    )
    second = b.post(
        url, data=scorecard_form(lock_version=version, strengths="Admin's own careful version.")
    )
    assert second.status_code == 200
    assert "Someone else saved this scorecard" in second.text
    assert "Admin&#39;s own careful version." in second.text
    assert "Recruiter&#39;s version." in second.text  # the saved version is shown for comparison
    db.session.expire_all()
    assert db.session.get(Feedback, fb.id).strengths == "Recruiter's version."


def test_amending_released_feedback_needs_a_reason_and_tells_the_candidate(
    client, recruiter, interview, outbox
):
    fb = factories.feedback(interview, recruiter, "released")
    sign_in(client, recruiter.email)
    url = f"/feedback/{fb.id}/edit"
    form = client.get(url)
    assert "Reason for the amendment" in form.text
    no_reason = client.post(
        url, data=scorecard_form(lock_version=str(fb.lock_version), strengths="Fixed.")
    )
    assert "Say why you are amending" in no_reason.text and "Fixed." in no_reason.text
    incomplete = client.post(
        url,
        data=scorecard_form(
            lock_version=str(fb.lock_version), strengths="", amendment_reason="Shorter."
        ),
    )
    # Nothing was saved, and the page says so (a draft would have been kept).
    assert "The amendment was not released" in incomplete.text
    assert "Your changes are saved" not in incomplete.text
    done = client.post(
        url,
        data=scorecard_form(
            lock_version=str(fb.lock_version),
            strengths="Fixed.",
            amendment_reason="Typo in the strengths.",
        ),
    )
    assert done.status_code == 302
    detail = client.get(f"/feedback/{fb.id}")
    assert "Revision 2" in detail.text and "Typo in the strengths." in detail.text
    assert "updated" in outbox.last()["Subject"]


def test_recruiter_cannot_edit_another_recruiters_feedback(
    client, other_recruiter, recruiter, interview
):
    fb = factories.feedback(interview, recruiter, "submitted")
    sign_in(client, other_recruiter.email)
    assert client.get(f"/feedback/{fb.id}").status_code == 200  # colleagues can read
    assert client.get(f"/feedback/{fb.id}/edit").status_code == 403
    assert (
        client.post(f"/feedback/{fb.id}/edit", data=scorecard_form(lock_version="9")).status_code
        == 403
    )
    assert client.post(f"/feedback/{fb.id}/release").status_code == 403
    assert client.post(f"/feedback/{fb.id}/reopen").status_code == 403
    assert db.session.get(Feedback, fb.id).state is FeedbackState.SUBMITTED


def test_admin_can_edit_anyones_feedback(client, admin, recruiter, interview):
    fb = factories.feedback(interview, recruiter, "draft")
    sign_in(client, admin.email)
    assert client.get(f"/feedback/{fb.id}/edit").status_code == 200


def test_candidate_sees_none_of_the_recruiting_pages(client, recruiter, interview):
    fb = factories.feedback(interview, recruiter, "released")
    sign_in(client, interview.candidate.email)
    pages = [
        "/candidates/",
        f"/candidates/{interview.candidate.id}",
        "/interviews/",
        f"/interviews/{interview.id}",
        "/interviews/new",
        f"/feedback/{fb.id}",
        f"/feedback/{fb.id}/edit",
        f"/feedback/{fb.id}/release",
        "/companies/",
        f"/companies/{interview.position.company.id}",
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/interviews/{interview.id}/scorecard").status_code == 403


def test_unknown_ids_are_404(client, recruiter):
    sign_in(client, recruiter.email)
    for url in [
        "/feedback/4242",
        "/feedback/4242/edit",
        "/feedback/4242/release",
        "/interviews/4242",
        "/interviews/4242/edit",
        "/companies/4242",
        "/companies/positions/4242/edit",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/interviews/4242/scorecard").status_code == 404
