"""CSV exports for admins: candidates, interviews and scorecard status, streamed and defused."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from portal.candidates.services import upsert_candidate
from portal.extensions import db
from portal.models import AuditEvent
from portal.privacy.services import erase_candidate
from portal.unit_of_work import commit
from tests import factories


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    factories.sign_in(client, admin.email)
    return client


def table(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_candidates_export_defuses_formula_cells_and_is_audited(app, admin_client, admin):
    formula, _ = upsert_candidate(
        source="greenhouse", external_id="=1+1", name='=HYPERLINK("http://x","y")',
        email="f@example.com", phone="+44 20 7946 0000", headline="@SUM(A1)", actor=admin,
    )  # fmt: skip
    commit()
    rows = table(admin_client.get("/admin/exports/candidates.csv"))
    row = next(r for r in rows if r["id"] == str(formula.id))
    assert row["name"] == '\'=HYPERLINK("http://x","y")'
    assert (row["external id"], row["phone"], row["headline"]) == (
        "'=1+1",
        "'+44 20 7946 0000",
        "'@SUM(A1)",
    )
    assert row["external source"] == "greenhouse" and row["has account"] == "no"
    # Stored as typed: only the export is defused.
    assert formula.name.startswith("=")
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "candidates_exported" in actions


def test_erased_candidates_appear_only_anonymised(app, admin_client, admin, recruiter):
    maya = factories.candidate("Maya Chen", "maya@example.com")
    maya.phone, maya.headline = "+44 1", "Analyst"
    interview = factories.interview(maya, recruiter)
    interview.location = "Maya's flat"
    commit()
    erase_candidate(maya, actor=admin)
    commit()
    candidates = admin_client.get("/admin/exports/candidates.csv").get_data(as_text=True)
    interviews = admin_client.get("/admin/exports/interviews.csv").get_data(as_text=True)
    scorecards = admin_client.get("/admin/exports/scorecards.csv").get_data(as_text=True)
    for text in (candidates, interviews, scorecards):
        assert "Maya" not in text and "maya@" not in text and "Analyst" not in text
        assert f"Erased candidate #{maya.id}" in text


def test_interviews_and_scorecard_status_export(app, admin_client, recruiter, other_recruiter):
    cand = factories.candidate("Maya Chen", "maya@example.com")
    interview = factories.interview(cand, recruiter, panel=[other_recruiter])
    mine = factories.feedback(interview, recruiter, "submitted", private_notes="SECRET NOTE")
    commit()
    rows = table(admin_client.get("/admin/exports/interviews.csv"))
    assert [r["id"] for r in rows] == [str(interview.id)]
    assert rows[0]["candidate"] == "Maya Chen" and rows[0]["stage"] == "First interview"
    assert rows[0]["lead interviewer email"] == recruiter.email

    response = admin_client.get("/admin/exports/scorecards.csv")
    rows = table(response)
    assert "SECRET NOTE" not in response.get_data(as_text=True)
    by_member = {r["panel member email"]: r for r in rows}
    assert by_member[recruiter.email]["role"] == "lead"
    assert by_member[recruiter.email]["state"] == "Submitted"
    assert by_member[recruiter.email]["submitted at"] == mine.submitted_at.strftime(
        "%Y-%m-%d %H:%M"
    )
    assert by_member[other_recruiter.email]["scorecard"] == "not started"
    assert by_member[other_recruiter.email]["state"] == ""


@pytest.mark.parametrize("role", ["recruiter", "candidate"])
@pytest.mark.parametrize("what", ["candidates", "interviews", "scorecards"])
def test_only_admins_export(app, role, what):
    person = factories.user(role=role, email=f"{role}@example.com")
    client = app.test_client()
    factories.sign_in(client, person.email)
    assert client.get(f"/admin/exports/{what}.csv").status_code == 403
