"""Released means frozen: weights, the overall score and the template version are stored with the
released revision; a scorecard keeps the template version it was started with."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from portal.feedback import services
from portal.scorecards import services as templates
from portal.scorecards.definition import Definition
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in
from tests.test_migrations import empty_database_url  # noqa: F401 - fixture

ALL_ONE = {d.value: 1.0 for d in services.Dimension}


def test_editing_a_templates_weights_moves_no_score_already_started(client, admin, recruiter):
    position = factories.position("Data Analyst", weights={"presence": 1})
    template = position.template
    scores = {d: s for d, s in zip(services.Dimension, [5, 1, 1, 1, 1, 1], strict=True)}
    released = factories.feedback(
        factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position),
        recruiter,
        "released",
        scores=scores,
    )
    draft = factories.feedback(
        factories.interview(factories.candidate("Jonas Weber"), recruiter, position_=position),
        recruiter,
        "draft",
        scores=scores,
    )
    assert services.overall_score(released) == 1.67  # all weights 1: (5 + 5 × 1) / 6
    assert released.revisions[-1].weights == ALL_ONE and released.revisions[-1].score == 1.67
    sign_in(client, admin.email)

    data = {f"weight_{d.value}": "1" for d in services.Dimension}
    data |= {"name": template.name, "weight_presence": "5", "weight_composure": "0"}
    assert client.post(f"/scorecard-templates/{template.id}/edit", data=data).status_code == 302

    db.session.expire_all()
    assert template.current.number == 2
    assert template.current.spec.weights == {"presence": 5.0, "composure": 0.0}
    assert services.overall_score(released) == 1.67  # released: frozen
    assert services.overall_score(draft) == 1.67  # started on version 1: keeps it
    later = factories.feedback(
        factories.interview(factories.candidate("Lena Fischer"), recruiter, position_=position),
        recruiter,
        "draft",
        scores=scores,
    )
    assert services.overall_score(later) == 3.22  # version 2: (5×5 + 4×1) / 9, composure out
    assert "1.67" in client.get(f"/feedback/{released.id}").text


def test_an_amendment_is_scored_with_the_scorecards_own_version(admin, recruiter):
    position = factories.position("Data Analyst", weights={"presence": 0})
    feedback = factories.feedback(
        factories.interview(factories.candidate("Maya Chen"), recruiter, position_=position),
        recruiter,
        "released",
    )
    template = position.template
    templates.save_template(template, Definition.parse({}), actor=admin, name=template.name)
    commit()
    assert template.current.number == 2  # presence counts again from version 2

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
    assert (first.weights, first.score) == ({**ALL_ONE, "presence": 0.0}, 4.0)
    assert (second.weights, second.score) == ({**ALL_ONE, "presence": 0.0}, 4.0)
    assert first.template_version_id == second.template_version_id == template.versions[0].id


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
