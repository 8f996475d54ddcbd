"""Migration 0009: every position's weights become a template of its own, and back."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from portal.feedback import services
from portal.models import Feedback, Position
from tests.test_migrations import empty_database_url  # noqa: F401 - fixture


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def test_positions_become_templates_and_come_back_with_nothing_lost(
    empty_database_url,  # noqa: F811
    make_app,
):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0008")
        now = datetime(2026, 11, 1, 10, 0)
        rows = {
            "users": [dict(id=1, email="r@example.com", name="R", role="recruiter", active=True,
                           session_version=1, digest_enabled=True, created_at=now)],
            "companies": [dict(id=1, name="Acme", kind="client", active=True, created_at=now),
                          dict(id=2, name="Beta", kind="client", active=True, created_at=now)],
            "positions": [
                dict(id=1, company_id=1, title="Analyst", is_open=True,
                     rubric_weights=json.dumps({"presence": 3, "composure": 0}), created_at=now),
                dict(id=2, company_id=2, title="Analyst", is_open=True,
                     rubric_weights=json.dumps({}), created_at=now),
            ],
            "candidates": [dict(id=1, name="Maya", email="m@example.com", created_at=now,
                                last_activity_at=now)],
            "interviews": [dict(id=1, candidate_id=1, position_id=1, interviewer_id=1,
                                stage="first", format="video", scheduled_at=now,
                                duration_minutes=60, created_at=now)],
            "panel_members": [dict(id=1, interview_id=1, user_id=1, added_at=now)],
            "feedback": [dict(id=1, interview_id=1, author_id=1, kind="member", state="released",
                              lock_version=1, revision=1, created_at=now, updated_at=now)],
            "ratings": [dict(id=n + 1, feedback_id=1, dimension=d, score=s) for n, (d, s) in
                        enumerate([("presence", 5), ("exchange", 1), ("listening", 1),
                                   ("questions", 1), ("preparation", 1), ("composure", 1)])],
            "feedback_revisions": [dict(id=1, feedback_id=1, number=1, released_at=now,
                                        content=json.dumps({"ratings": []}),
                                        weights=json.dumps({"presence": 3, "composure": 0}),
                                        score=3.5)],
        }  # fmt: skip
        with db.engine.begin() as conn:
            for table, values in rows.items():
                for row in values:
                    columns = ", ".join(row)
                    marks = ", ".join(f":{c}" for c in row)
                    conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), row)

        upgrade(revision="0009")
        with db.engine.connect() as conn:
            names = dict(conn.execute(sa.text("SELECT id, name FROM scorecard_templates")).all())
            linked = dict(conn.execute(sa.text("SELECT id, template_id FROM positions")).all())
            definitions = {
                t: _json(d)
                for t, d in conn.execute(
                    sa.text("SELECT template_id, definition FROM template_versions")
                ).all()
            }
            fb_version, rev_version = conn.execute(
                sa.text(
                    "SELECT f.template_version_id, r.template_version_id FROM feedback f "
                    "JOIN feedback_revisions r ON r.feedback_id = f.id"
                )
            ).one()
        # Two positions called Analyst at two companies: two templates, two names.
        assert sorted(names.values()) == ["Analyst · Acme (migrated)", "Analyst · Beta (migrated)"]
        assert definitions[linked[1]] == {
            "weights": {"presence": 3.0, "composure": 0.0},
            "skills": [],
            "questions": [],
        }
        assert definitions[linked[2]]["weights"] == {}
        assert fb_version is not None and fb_version == rev_version
        # The app (whose models are at the head revision) reads the migrated data: the frozen
        # score stands, the weights apply.
        upgrade()
        db.session.remove()
        feedback = db.session.get(Feedback, 1)
        assert services.overall_score(feedback) == 3.5
        assert services.scorecard_definition(feedback).weights == {
            "presence": 3.0,
            "composure": 0.0,
        }
        assert db.session.get(Position, 1).template.current.number == 1
        db.session.remove()

        downgrade(revision="0008")
        with db.engine.connect() as conn:
            weights = {
                i: _json(w)
                for i, w in conn.execute(sa.text("SELECT id, rubric_weights FROM positions")).all()
            }
            tables = set(sa.inspect(conn).get_table_names())
            kept = conn.execute(sa.text("SELECT score FROM feedback_revisions")).scalar()
        assert weights == {1: {"presence": 3, "composure": 0}, 2: {}}
        assert "scorecard_templates" not in tables and "skill_ratings" not in tables
        assert kept == 3.5
        upgrade()
        db.engine.dispose()
