"""Companies, positions with their scorecard templates, and scheduling interviews."""

from datetime import timedelta

from portal import cache as stamps
from portal.extensions import db
from portal.models import AuditEvent, Company, Dimension, Interview, Position, Stage, utcnow
from tests import factories
from tests.factories import sign_in


def test_recruiter_adds_company_and_position_with_a_template(client, recruiter):
    sign_in(client, recruiter.email)
    created = client.post(
        "/companies/new", data={"name": "Northwind", "kind": "client", "active": "y"}
    )
    assert created.status_code == 302
    company = db.session.scalar(db.select(Company))
    template = factories.template("Analytics", weights={"exchange": 3, "composure": 0})
    form = client.get(f"/companies/{company.id}/positions/new").text
    assert "Engagement dimensions only" in form and ">Analytics</option>" in form
    response = client.post(
        f"/companies/{company.id}/positions/new",
        data={"title": "Data Analyst", "is_open": "y", "template_id": str(template.id)},
    )
    assert response.status_code == 302
    position = db.session.scalar(db.select(Position))
    assert position.template == template
    page = client.get(f"/companies/{company.id}").text
    assert ">Analytics</a>" in page
    library = client.get(f"/scorecard-templates/{template.id}").text
    assert "Two-way information exchange <strong>×3</strong>" in library
    assert "Composure and attitude <strong>×0</strong>" in library


def test_company_and_position_bad_input(client, recruiter):
    sign_in(client, recruiter.email)
    factories.company("Northwind")
    dup = client.post(
        "/companies/new", data={"name": "northwind", "kind": "client", "website": "not a url"}
    )
    assert "Enter a full address such as https://example.com." in dup.text
    dup = client.post("/companies/new", data={"name": "northwind", "kind": "client"})
    assert "already exists" in dup.text and 'value="northwind"' in dup.text
    company = db.session.scalar(db.select(Company))
    bad = client.post(
        f"/companies/{company.id}/positions/new",
        data={"title": "", "template_id": "two", "template_first": "2147483648"},
    )
    assert "Enter the job title." in bad.text
    assert 'id="template_id-error">Not a valid choice.' in bad.text
    assert 'id="template_first-error">Not a valid choice.' in bad.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Position)) == 0


def test_schedule_an_interview_and_edit_it(client, recruiter, other_recruiter):
    sign_in(client, recruiter.email)
    cand = factories.candidate("Maya Chen")
    position = factories.position("Data Analyst")
    response = client.post(
        "/interviews/new",
        data={
            "candidate_id": cand.id,
            "position_id": position.id,
            "interviewer_id": other_recruiter.id,
            "stage": "first",
            "format": "video",
            "scheduled_at": "2026-12-01T14:30",
            "location": "Video",
        },
    )
    assert response.status_code == 302
    interview = db.session.scalar(db.select(Interview))
    assert interview.interviewer_id == other_recruiter.id and interview.scheduled_at.hour == 14
    edit = client.post(
        f"/interviews/{interview.id}/edit",
        data={
            "candidate_id": cand.id,
            "position_id": position.id,
            "interviewer_id": other_recruiter.id,
            "stage": "second",
            "format": "onsite",
            "scheduled_at": "2026-12-08T09:00",
        },
    )
    assert edit.status_code == 302
    db.session.refresh(interview)
    assert interview.stage is Stage.SECOND
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.like("interview_%"))
        )
        == 2
    )


def test_interview_form_bad_input_keeps_what_was_typed(client, recruiter):
    sign_in(client, recruiter.email)
    cand = factories.candidate("Maya Chen")
    position = factories.position("Data Analyst")
    response = client.post(
        "/interviews/new",
        data={
            "candidate_id": cand.id,
            "position_id": position.id,
            "interviewer_id": recruiter.id,
            "stage": "ninth",
            "format": "video",
            "scheduled_at": "next tuesday",
            "location": "Room 4",
        },
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.text
    assert "Enter the date and time like 2026-12-31 14:30." in response.text
    assert 'value="Room 4"' in response.text and 'value="next tuesday"' in response.text
    unknown = client.post(
        "/interviews/new",
        data={
            "candidate_id": 99999,
            "position_id": position.id,
            "interviewer_id": recruiter.id,
            "stage": "first",
            "format": "video",
            "scheduled_at": "2026-12-01T10:00",
        },
    )
    assert unknown.status_code == 200 and "Not a valid choice" in unknown.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Interview)) == 0


def test_dashboard_shows_work_waiting_and_averages(client, recruiter):
    cand = factories.candidate("Maya Chen")
    waiting = factories.interview(cand, recruiter, Stage.FIRST)
    other = factories.interview(factories.candidate("Jonas Weber"), recruiter, Stage.FIRST)
    factories.feedback(other, recruiter, "submitted")
    sign_in(client, recruiter.email)
    page = client.get("/").text
    assert "Interviews awaiting feedback" in page
    awaiting_section = page.split("Interviews awaiting feedback")[1].split("Your drafts")[0]
    assert "Maya Chen" in awaiting_section and "Jonas Weber" not in awaiting_section
    assert "Submitted, ready to release" in page
    assert "Presence and focus 4.0" in page  # the chart's text alternative carries the numbers
    assert waiting.id


def test_dashboard_averages_follow_a_newly_submitted_scorecard(client, recruiter):
    first = factories.interview(factories.candidate("Maya Chen"), recruiter, Stage.FIRST)
    factories.feedback(first, recruiter, "submitted")
    sign_in(client, recruiter.email)
    assert "Presence and focus 4.0" in client.get("/").text  # now held in the cache
    second = factories.interview(factories.candidate("Jonas Weber"), recruiter, Stage.FIRST)
    scores = {d: 2 for d in Dimension}
    factories.feedback(second, recruiter, "submitted", scores=scores)
    page = client.get("/").text
    assert "Presence and focus 3.0" in page and "Presence and focus 4.0" not in page


def test_saving_drafts_keeps_the_cached_dashboard_averages(client, recruiter):
    first = factories.interview(factories.candidate("Maya Chen"), recruiter, Stage.FIRST)
    factories.feedback(first, recruiter, "submitted")
    sign_in(client, recruiter.email)
    client.get("/")
    scores = stamps.from_database([stamps.SCORES])
    second = factories.interview(factories.candidate("Jonas Weber"), recruiter, Stage.FIRST)
    factories.feedback(second, recruiter, "draft", scores={d: 1 for d in Dimension})
    assert stamps.from_database([stamps.SCORES]) == scores  # drafts are not in the averages
    assert "Presence and focus 4.0" in client.get("/").text


def test_dashboard_looks_back_a_quarter_for_interviews_awaiting_feedback(client, recruiter):
    recent = factories.candidate("Maya Chen")
    factories.interview(recent, recruiter, Stage.FIRST, when=utcnow() - timedelta(days=80))
    old = factories.candidate("Jonas Weber")
    factories.interview(old, recruiter, Stage.FIRST, when=utcnow() - timedelta(days=100))
    sign_in(client, recruiter.email)
    page = client.get("/").text
    awaiting_section = page.split("Interviews awaiting feedback")[1].split("Your drafts")[0]
    assert "Maya Chen" in awaiting_section and "Jonas Weber" not in awaiting_section
