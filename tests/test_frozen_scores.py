"""Released means frozen: weights and the overall score are stored with the released revision."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from portal.feedback import services
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in
from tests.test_migrations import empty_database_url  # noqa: F401 - fixture

WEIGHTS_FORM = {
    "title": "Data Analyst",
    "is_open": "y",
    **{f"weight_{d}": "1" for d in ("exchange", "listening", "questions", "preparation")},
}


def test_changing_a_positions_weights_moves_only_unreleased_scores(client, admin, recruiter):
    position = factories.position("Data Analyst")
    released = factories.feedback(
        factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position),
        recruiter,
        "released",
        scores={d: s for d, s in zip(services.Dimension, [5, 1, 1, 1, 1, 1], strict=True)},
    )
    draft = factories.feedback(
        factories.interview(factories.candidate("Jonas Weber"), recruiter, position_=position),
        recruiter,
        "draft",
        scores={d: s for d, s in zip(services.Dimension, [5, 1, 1, 1, 1, 1], strict=True)},
    )
    assert services.overall_score(released) == 1.67  # all weights 1: (5 + 5 × 1) / 6
    assert released.revisions[-1].weights == {} and released.revisions[-1].score == 1.67
    sign_in(client, admin.email)

    client.post(
        f"/companies/positions/{position.id}/edit",
        data={**WEIGHTS_FORM, "weight_presence": "5", "weight_composure": "0"},
    )

    db.session.expire_all()
    assert position.rubric_weights == {"presence": 5, "composure": 0}
    assert services.overall_score(released) == 1.67  # released months ago: unchanged
    assert services.overall_score(draft) == 3.22  # (5×5 + 4×1) / 9, composure left out
    page = client.get(f"/feedback/{released.id}").text
    assert "1.67" in page


def test_an_amendment_after_a_weight_change_is_scored_with_the_new_weights(admin, recruiter):
    position = factories.position("Data Analyst")
    feedback = factories.feedback(
        factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position),
        recruiter,
        "released",
    )
    position.rubric_weights = {"presence": 0}
    commit()

    services.amend_feedback(
        feedback,
        factories.scorecard_input(
            scores={d: (2 if d.value == "presence" else 4) for d in services.Dimension}
        ),
        actor=recruiter,
        expected_version=feedback.lock_version,
        reason="Presence was rated too high.",
        acknowledged=set(),
    )
    commit()

    first, second = feedback.revisions
    assert (first.weights, first.score) == ({}, 4.0)
    assert (second.weights, second.score) == ({"presence": 0}, 4.0)  # presence left out


def test_the_migration_freezes_existing_releases_with_the_weights_they_showed(
    empty_database_url,  # noqa: F811
    make_app,
):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0004")
        now = datetime(2026, 11, 1, 10, 0)
        rows = {
            "users": dict(id=1, email="r@example.com", name="R", role="recruiter",
                          active=True, session_version=1, created_at=now),
            "companies": dict(id=1, name="Acme", kind="client", active=True, created_at=now),
            "positions": dict(id=1, company_id=1, title="Analyst", is_open=True,
                              rubric_weights=json.dumps({"presence": 3}), created_at=now),
            "candidates": dict(id=1, name="Maya", email="m@example.com", created_at=now,
                               last_activity_at=now),
            "interviews": dict(id=1, candidate_id=1, position_id=1, interviewer_id=1,
                               stage="first", format="video", scheduled_at=now, created_at=now),
            "feedback": dict(id=1, interview_id=1, author_id=1, state="released", lock_version=1,
                             revision=1, created_at=now, updated_at=now),
            "feedback_revisions": dict(id=1, feedback_id=1, number=1, released_at=now,
                                       content=json.dumps({"ratings": [
                                           {"dimension": "presence", "score": 5},
                                           {"dimension": "exchange", "score": 1}]})),
        }  # fmt: skip
        with db.engine.begin() as conn:
            for table, values in rows.items():
                columns = ", ".join(values)
                marks = ", ".join(f":{c}" for c in values)
                conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)

        upgrade(revision="0005")
        with db.engine.connect() as conn:
            weights, score = conn.execute(
                sa.text("SELECT weights, score FROM feedback_revisions WHERE id = 1")
            ).one()
        assert (json.loads(weights) if isinstance(weights, str) else weights) == {"presence": 3}
        assert score == 4.0  # (3 × 5 + 1 × 1) / 4

        downgrade(revision="0004")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("feedback_revisions")}
            kept = conn.execute(sa.text("SELECT count(*) FROM feedback_revisions")).scalar()
        assert "score" not in columns and kept == 1
        upgrade()
        db.engine.dispose()
