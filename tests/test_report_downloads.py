"""Downloading reports: only one's own, cached by inputs, logged, rebuilt when inputs change."""

import io
import os
import re

import pytest
from pypdf import PdfReader

from portal import jobs
from portal.extensions import db
from portal.feedback import services
from portal.models import AuditEvent, Feedback, Job, JobStatus, Report, User
from portal.reports import store
from portal.unit_of_work import commit
from tests import factories
from tests.factories import scorecard_input, sign_in


@pytest.fixture
def maya(app, recruiter):
    cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    first = factories.interview(cand, recruiter)
    fb = factories.feedback(first, recruiter, "released")
    return cand, fb


@pytest.fixture
def jonas(app, recruiter):
    cand = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    fb = factories.feedback(
        factories.interview(cand, recruiter),
        recruiter,
        "released",
        strengths="JONAS-ONLY strengths text.",
    )
    return cand, fb


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_candidate_downloads_both_reports_from_the_portal(client, maya):
    cand, fb = maya
    sign_in(client, cand.email)
    home = client.get("/").text
    assert f"/reports/feedback/{fb.id}.pdf" in home
    assert f"/reports/candidates/{cand.id}/journey.pdf" in home
    interview = client.get(f"/reports/feedback/{fb.id}.pdf")
    assert interview.status_code == 200 and interview.mimetype == "application/pdf"
    assert "attachment" in interview.headers["Content-Disposition"]
    assert "Maya Chen" in interview.headers["Content-Disposition"]
    assert interview.headers["ETag"]
    text = pdf_text(interview.data)
    assert "Maya Chen" in text and "PRIVATE-NOTE-7731" not in text
    journey = client.get(f"/reports/candidates/{cand.id}/journey.pdf")
    assert journey.status_code == 200 and "Maya Chen" in pdf_text(journey.data)


def test_cached_report_is_reused_and_revalidated(client, maya):
    cand, fb = maya
    sign_in(client, cand.email)
    first = client.get(f"/reports/feedback/{fb.id}.pdf")
    report = db.session.scalar(db.select(Report))
    path = os.path.join(
        client.application.config["REPORTS_DIR"], report.input_hash[:2], report.input_hash + ".pdf"
    )
    mtime = os.stat(path).st_mtime_ns
    second = client.get(f"/reports/feedback/{fb.id}.pdf")
    assert second.data == first.data and os.stat(path).st_mtime_ns == mtime
    assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 1
    not_modified = client.get(
        f"/reports/feedback/{fb.id}.pdf", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert not_modified.status_code == 304
    logged = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "report_downloaded")
    ).all()
    assert len(logged) == 3  # the download log: every answer, the 304 too
    assert {e.actor_id for e in logged} == {cand.user_id}
    assert {e.object_id for e in logged} == {report.id}


def test_amendment_makes_a_new_report(client, maya, recruiter):
    cand, fb = maya
    sign_in(client, cand.email)
    before = client.get(f"/reports/feedback/{fb.id}.pdf")
    services.amend_feedback(
        fb,
        scorecard_input(strengths="AMENDED strengths wording."),
        actor=recruiter,
        expected_version=fb.lock_version,
        reason="Corrected.",
        acknowledged=set(),
    )
    commit()
    after = client.get(f"/reports/feedback/{fb.id}.pdf")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "AMENDED strengths wording." in pdf_text(after.data)
    assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 2


def test_a_later_release_leaves_earlier_interview_reports_as_they_are(client, maya, recruiter):
    cand, fb = maya
    sign_in(client, cand.email)
    first = client.get(f"/reports/feedback/{fb.id}.pdf")
    journey = client.get(f"/reports/candidates/{cand.id}/journey.pdf")
    later = factories.interview(db.session.get(type(cand), cand.id), recruiter)
    factories.feedback(later, recruiter, "released")
    # The first interview's report is the same stored file, not rendered again; the journey
    # now covers both interviews.
    again = client.get(f"/reports/feedback/{fb.id}.pdf")
    assert again.headers["ETag"] == first.headers["ETag"]
    stored = db.session.scalars(db.select(Report).where(Report.interview_id == fb.interview_id))
    assert len(stored.all()) == 1
    journey_now = client.get(f"/reports/candidates/{cand.id}/journey.pdf")
    assert journey_now.headers["ETag"] != journey.headers["ETag"]


def test_portal_says_when_an_amended_scorecard_was_updated(client, maya, recruiter):
    cand, fb = maya
    sign_in(client, cand.email)
    assert "· updated" not in client.get("/").text
    services.amend_feedback(
        fb,
        scorecard_input(strengths="Clearer wording."),
        actor=recruiter,
        expected_version=fb.lock_version,
        reason="Clearer.",
        acknowledged=set(),
    )
    commit()
    home = client.get("/").text
    assert f"· updated {fb.revisions[-1].released_at.day}" in home


def test_one_candidate_can_never_fetch_anothers_report(client, maya, jonas):
    (maya_c, maya_fb), (jonas_c, jonas_fb) = maya, jonas
    sign_in(client, jonas_c.email)
    client.get(f"/reports/feedback/{jonas_fb.id}.pdf")  # puts Jonas's report in the cache
    client.post("/sign-out")
    sign_in(client, maya_c.email)
    assert client.get(f"/reports/feedback/{jonas_fb.id}.pdf").status_code == 403
    assert client.get(f"/reports/candidates/{jonas_c.id}/journey.pdf").status_code == 403
    report = db.session.scalar(db.select(Report))
    for url in [
        f"/reports/{report.input_hash}.pdf",
        f"/reports/{report.input_hash}",
        f"/static/../instance/reports/{report.input_hash[:2]}/{report.input_hash}.pdf",
        f"/reports/feedback/{report.input_hash}.pdf",
        "/reports/feedback/-1.pdf",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"JONAS-ONLY" not in response.data
    own = client.get(f"/reports/feedback/{maya_fb.id}.pdf")
    assert "JONAS-ONLY" not in pdf_text(own.data)


def test_unreleased_feedback_has_no_report(client, recruiter, maya):
    cand, _ = maya
    draft = factories.feedback(factories.interview(cand, recruiter), recruiter, "submitted")
    sign_in(client, cand.email)
    assert client.get(f"/reports/feedback/{draft.id}.pdf").status_code == 403
    client.post("/sign-out")
    sign_in(client, recruiter.email)
    page = client.get(f"/reports/feedback/{draft.id}.pdf")
    assert page.status_code == 404 and "released feedback only" in page.text


def test_journey_without_released_feedback_explains_itself(client):
    cand = factories.candidate("New Person", "new@example.com", with_account=True)
    sign_in(client, cand.email)
    page = client.get(f"/reports/candidates/{cand.id}/journey.pdf")
    assert page.status_code == 404 and "There is no report to download yet" in page.text
    assert "No reports yet" in client.get("/").text


def test_recruiters_download_any_candidates_report(client, recruiter, maya):
    cand, fb = maya
    sign_in(client, recruiter.email)
    assert client.get(f"/reports/feedback/{fb.id}.pdf").status_code == 200


@pytest.mark.real_commits
def test_reports_build_renders_missing_and_stale_reports(app, maya, jonas, recruiter):
    feedback_id, recruiter_id = maya[1].id, recruiter.id
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reports", "build", "--workers", "2"])
    assert first.exit_code == 0, first.output
    assert "Rendered 4 report(s)" in first.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 4
    again = runner.invoke(args=["reports", "build"])
    assert "Every report is up to date." in again.output
    fb = db.session.get(Feedback, feedback_id)
    services.amend_feedback(
        fb,
        scorecard_input(strengths="Changed."),
        actor=db.session.get(User, recruiter_id),
        expected_version=fb.lock_version,
        reason="x",
        acknowledged=set(),
    )
    commit()
    stale = runner.invoke(args=["reports", "build", "--workers", "1"])
    assert "Rendered 2 report(s)" in stale.output  # Maya's interview report and her journey
    tmp_files = [
        p for p in os.popen(f"find {app.config['REPORTS_DIR']} -name '.tmp-*'").read().split() if p
    ]
    assert tmp_files == []


def test_reports_build_all_renders_up_to_date_reports_again(app, maya):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reports", "build", "--workers", "1"]).exit_code == 0
    paths = [
        os.path.join(app.config["REPORTS_DIR"], r.input_hash[:2], r.input_hash + ".pdf")
        for r in db.session.scalars(db.select(Report))
    ]
    before = {p: os.stat(p).st_mtime_ns for p in paths}
    rebuilt = runner.invoke(args=["reports", "build", "--all", "--workers", "1"])
    assert rebuilt.exit_code == 0 and "Rendered 2 report(s)" in rebuilt.output
    assert all(os.stat(p).st_mtime_ns != before[p] for p in paths)


def test_reports_build_failures_are_retried_and_shown_to_admins(app, maya, monkeypatch):
    def broken(_data):
        raise RuntimeError("font file unreadable")

    monkeypatch.setattr(store, "render_pdf", broken)  # a render that fails every time
    result = app.test_cli_runner().invoke(args=["reports", "build", "--workers", "1"])
    assert result.exit_code == 1 and "see Admin > Jobs" in result.output
    failed = db.session.scalars(db.select(Job).where(Job.status == JobStatus.FAILED)).all()
    assert len(failed) == 2 and all(j.attempts == jobs.MAX_ATTEMPTS for j in failed)
    assert all("font file unreadable" in j.last_error for j in failed)


def test_feedback_page_in_the_portal_shows_the_four_gains(client, maya):
    cand, fb = maya
    sign_in(client, cand.email)
    page = client.get(f"/my/feedback/{fb.id}").text
    for heading in [
        "1. Next round",
        "2. Referrals and leads",
        "3. Interview skills",
        "4. Company insight",
    ]:
        assert heading in page
    assert "PRIVATE-NOTE-7731" not in page
    assert re.search(r"Invited", page)
