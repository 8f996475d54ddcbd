"""CSV import of candidates and interviews, and the upsert services it shares with the API."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.candidates.services import CandidateError, upsert_candidate
from portal.extensions import db
from portal.interviews.services import InterviewError, upsert_interview
from portal.models import (
    AuditEvent,
    Candidate,
    Interview,
    InterviewFormat,
    Stage,
)
from portal.privacy.services import erase_candidate
from portal.unit_of_work import commit
from tests import factories


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


# --- the upsert services ------------------------------------------------------------------


def test_upsert_candidate_creates_updates_and_reports_unchanged(app, admin):
    fields = dict(name=" Maya Chen ", email="Maya@Example.com", phone="", headline="Analyst")
    maya, outcome = upsert_candidate(source="greenhouse", external_id="c-1", actor=admin, **fields)
    commit()
    assert outcome == "created"
    assert (maya.external_source, maya.external_id) == ("greenhouse", "c-1")
    assert (maya.name, maya.email, maya.phone) == ("Maya Chen", "maya@example.com", None)
    assert maya.invited_at is None  # an import invites nobody

    stamp, events = maya.updated_at, audit_count()
    again, outcome = upsert_candidate(source="greenhouse", external_id="c-1", actor=admin, **fields)
    commit()
    assert (again.id, outcome) == (maya.id, "unchanged")
    assert maya.updated_at == stamp and audit_count() == events

    changed = {**fields, "headline": "Senior analyst"}
    _, outcome = upsert_candidate(source="greenhouse", external_id="c-1", actor=admin, **changed)
    commit()
    assert outcome == "updated" and maya.headline == "Senior analyst"
    assert audit_count() == events + 1

    # The same external id from another source is another person.
    _, outcome = upsert_candidate(
        source="lever", external_id="c-1", actor=admin, **{**fields, "email": "m2@example.com"}
    )
    assert outcome == "created"


def test_upsert_candidate_keeps_the_rules_of_create_and_update(app, admin):
    factories.candidate("Taken", "taken@example.com")
    with pytest.raises(CandidateError, match="already exists"):
        upsert_candidate(
            source="gh", external_id="x", name="A", email="taken@example.com", phone=None,
            headline=None, actor=admin,
        )  # fmt: skip
    db.session.rollback()
    upsert_candidate(
        source="gh", external_id="y", name="B", email="b@example.com", phone=None,
        headline=None, actor=admin,
    )  # fmt: skip
    with pytest.raises(CandidateError, match="Another candidate"):
        upsert_candidate(
            source="gh", external_id="y", name="B", email="taken@example.com", phone=None,
            headline=None, actor=admin,
        )  # fmt: skip


def test_an_erased_candidate_is_not_found_again_by_their_external_id(app, admin):
    maya, _ = upsert_candidate(
        source="gh", external_id="c-9", name="Maya", email="maya@example.com", phone=None,
        headline=None, actor=admin,
    )  # fmt: skip
    commit()
    erase_candidate(maya, actor=admin)
    commit()
    fresh, outcome = upsert_candidate(
        source="gh", external_id="c-9", name="Maya", email="maya@example.com", phone=None,
        headline=None, actor=admin,
    )  # fmt: skip
    assert outcome == "created" and fresh.id != maya.id
    assert maya.name == f"Erased candidate #{maya.id}"


def test_upsert_interview_creates_updates_and_reports_unchanged(app, admin, recruiter):
    cand = factories.candidate("Maya Chen", "maya@example.com")
    position = factories.position("Data Analyst")
    fields = dict(
        candidate_id=cand.id,
        position_id=position.id,
        interviewer_id=recruiter.id,
        stage=Stage.FIRST,
        format=InterviewFormat.VIDEO,
        scheduled_at=datetime(2026, 5, 4, 14, 30, 12),
        location=" Room 1 ",
    )
    interview, outcome = upsert_interview(source="gh", external_id="i-1", actor=admin, **fields)
    commit()
    assert outcome == "created"
    assert (interview.external_source, interview.external_id) == ("gh", "i-1")
    assert interview.scheduled_at == datetime(2026, 5, 4, 14, 30)
    assert [m.user_id for m in interview.panel] == [recruiter.id]

    stamp, events = interview.updated_at, audit_count()
    same, outcome = upsert_interview(source="gh", external_id="i-1", actor=admin, **fields)
    commit()
    assert (same.id, outcome) == (interview.id, "unchanged")
    assert interview.updated_at == stamp and audit_count() == events
    _, outcome = upsert_interview(
        source="gh", external_id="i-1", actor=admin, panel_ids=[], **fields
    )
    assert outcome == "unchanged"  # the lead alone is the panel it has

    _, outcome = upsert_interview(
        source="gh", external_id="i-1", actor=admin, **{**fields, "stage": Stage.FINAL}
    )
    commit()
    assert outcome == "updated" and interview.stage is Stage.FINAL
    assert db.session.scalar(select(func.count()).select_from(Interview)) == 1


def test_upsert_interview_keeps_the_rules_of_save_interview(app, admin, recruiter):
    cand = factories.candidate("Maya Chen", "maya@example.com")
    candidate_user = factories.user(role="candidate", email="c@example.com")
    fields = dict(
        candidate_id=cand.id,
        position_id=factories.position().id,
        interviewer_id=candidate_user.id,
        stage=Stage.FIRST,
        format=InterviewFormat.VIDEO,
        scheduled_at=datetime(2026, 5, 4, 14, 30),
        location=None,
    )
    with pytest.raises(InterviewError, match="active recruiter"):
        upsert_interview(source="gh", external_id="i-1", actor=admin, **fields)
    db.session.rollback()
    interview, _ = upsert_interview(
        source="gh", external_id="i-1", actor=admin, **{**fields, "interviewer_id": recruiter.id}
    )
    commit()
    erase_candidate(db.session.get(Candidate, cand.id), actor=admin)
    commit()
    with pytest.raises(InterviewError, match="erased"):
        upsert_interview(
            source="gh",
            external_id="i-1",
            actor=admin,
            **{**fields, "interviewer_id": recruiter.id},
        )
