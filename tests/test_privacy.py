"""A candidate's data export; erasure leaving no personal data anywhere; retention; backups."""

import io
import json
import os
import shutil
import subprocess
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.extensions import db
from portal.models import AuditEvent, Base, Candidate, Feedback, Rating, utcnow
from portal.notifications import notify_feedback_released
from portal.security import AuditLogIsAppendOnly
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in


@pytest.fixture
def two_candidates(app, recruiter, client, outbox):
    maya = factories.candidate("Maya Quintessa", "maya.q@example.com", with_account=True)
    jonas = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    fb = factories.feedback(
        factories.interview(maya, recruiter),
        recruiter,
        "released",
        strengths="Maya Quintessa explained the pipeline well.",
    )
    factories.feedback(
        factories.interview(jonas, recruiter),
        recruiter,
        "released",
        strengths="JONAS-ONLY strengths.",
    )
    # Mail and reports exist for Maya, as they would after a release.
    notify_feedback_released(fb, amended=False)
    commit()
    sign_in(client, maya.email)
    assert client.get(f"/reports/feedback/{fb.id}.pdf").status_code == 200
    assert client.get(f"/reports/candidates/{maya.id}/journey.pdf").status_code == 200
    client.post("/sign-out")
    return maya, jonas


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_candidate_exports_everything_about_them_and_nothing_else(client, two_candidates):
    maya, _ = two_candidates
    sign_in(client, maya.email)
    response = client.get("/my/data-export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "data.json" in names and any(n.startswith("reports/interview-") for n in names)
    assert "reports/journey-journey.pdf" in names
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == "maya.q@example.com"
    assert data["interviews"][0]["released_feedback"][0]["content"]["strengths"].startswith(
        "Maya Quintessa"
    )
    assert any(e["action"] == "sign_in" for e in data["account_activity"])
    everything = archive.read("data.json").decode() + "".join(
        pdf_text(archive.read(n)) for n in names if n.endswith(".pdf")
    )
    assert "JONAS" not in everything and "Jonas Weber" not in everything
    assert "PRIVATE-NOTE-7731" not in everything
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "data_exported"))
    assert event is not None


def all_text_in_database() -> str:
    chunks = []
    conn = db.session.connection()  # the test's transaction on PostgreSQL, so it sees all
    for table in Base.metadata.sorted_tables:
        for row in conn.execute(table.select()):
            chunks.append(table.name + ": " + " ".join(str(v) for v in row))
    return "\n".join(chunks).lower()


def files_text(folder: Path) -> str:
    if not folder.exists():
        return ""
    out = []
    for path in folder.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            out.append(pdf_text(raw) if path.suffix == ".pdf" else raw.decode("utf-8", "replace"))
    return "\n".join(out).lower()


def test_erasure_leaves_no_personal_data_anywhere(app, client, admin, two_candidates):
    maya, jonas = two_candidates
    maya_id = maya.id
    scores_before = db.session.scalar(sa.select(sa.func.sum(Rating.score)))
    feedback_before = db.session.scalar(sa.select(sa.func.count()).select_from(Feedback))
    assert "maya quintessa" in all_text_in_database()
    sign_in(client, admin.email)
    page = client.get(f"/admin/candidates/{maya_id}/erase")
    assert "This cannot be undone" in page.text
    wrong = client.post(f"/admin/candidates/{maya_id}/erase", data={"confirm_name": "Someone Else"})
    assert "nothing was erased" in wrong.text
    done = client.post(
        f"/admin/candidates/{maya_id}/erase",
        data={"confirm_name": "Maya Quintessa"},
        follow_redirects=True,
    )
    assert "Erased candidate #" in done.text
    for needle in ["maya quintessa", "maya.q@example.com", "quintessa"]:
        leaks = [line for line in all_text_in_database().splitlines() if needle in line]
        assert not leaks, leaks
        assert needle not in files_text(Path(app.config["REPORTS_DIR"])), needle
        assert needle not in files_text(Path(app.config["OUTBOX_DIR"])), needle
    # Jonas is untouched, and the statistics stay the same.
    assert "jonas-only" in all_text_in_database()
    assert db.session.scalar(sa.select(sa.func.sum(Rating.score))) == scores_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Feedback)) == feedback_before
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate_erased"))
    assert event.object_id == maya_id and event.actor_id == admin.id
    client.post("/sign-out")
    assert sign_in(client, "maya.q@example.com").status_code == 200  # cannot sign in any more


def test_only_admins_erase(client, recruiter, two_candidates):
    maya, _ = two_candidates
    sign_in(client, recruiter.email)
    assert client.get(f"/admin/candidates/{maya.id}/erase").status_code == 403
    assert (
        client.post(
            f"/admin/candidates/{maya.id}/erase", data={"confirm_name": maya.name}
        ).status_code
        == 403
    )


def test_audit_log_is_append_only(app, recruiter):
    event = db.session.scalar(sa.select(AuditEvent)) or AuditEvent(action="x")
    db.session.add(event)
    commit()
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditLogIsAppendOnly):
        commit()
    db.session.rollback()


def test_admin_browses_and_filters_the_audit_log(client, admin, recruiter):
    sign_in(client, recruiter.email, "wrong-password-here")
    sign_in(client, admin.email)
    page = client.get("/admin/audit?action=sign_in_failed")
    assert "sign_in_failed" in page.text and "rec@example.com" in page.text
    assert "sign_in_failed" not in client.get("/admin/audit?action=user_created").text
    bad = client.get("/admin/audit?object_id=-4&date_from=soon")
    assert bad.status_code == 200 and "Use a positive number." in bad.text


def test_retention_purge_dry_run_then_real(app, recruiter):
    old = factories.candidate("Old Timer", "old@example.com")
    old.created_at = old.last_activity_at = utcnow() - timedelta(days=900)
    recent = factories.candidate("Recent Person", "recent@example.com")
    commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--older-than", "2y", "--dry-run"])
    assert dry.exit_code == 0 and f"would erase: candidate #{old.id}" in dry.output
    assert "Recent Person" not in dry.output and db.session.get(Candidate, old.id).erased_at is None
    real = runner.invoke(args=["privacy", "purge", "--older-than", "2y"])
    assert "1 candidate(s) erased." in real.output
    db.session.expire_all()
    assert db.session.get(Candidate, old.id).erased_at is not None
    assert db.session.get(Candidate, recent.id).erased_at is None
    bad = runner.invoke(args=["privacy", "purge", "--older-than", "soon"])
    assert bad.exit_code != 0 and "like 730d" in bad.output


def row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.real_commits
def test_backup_and_restore_round_trip(app, tmp_path, recruiter, two_candidates):
    before = row_counts()
    assert before["feedback"] == 2
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        runner = app.test_cli_runner()
        result = runner.invoke(args=["backup", str(tmp_path / "backup.sqlite3")])
        assert result.exit_code == 0, result.output
        factories.candidate("Added After Backup", "after@example.com")
        db.session.remove()
        restored = runner.invoke(args=["restore", str(tmp_path / "backup.sqlite3"), "--yes"])
        assert restored.exit_code == 0, restored.output
        assert row_counts() == before
        return
    # PostgreSQL: the documented pg_dump / pg_restore procedure, into a fresh database.
    assert shutil.which("pg_dump"), "pg_dump is needed on PostgreSQL machines"
    dump = tmp_path / "betteroff.dump"
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), libpq], check=True)
    name = f"betteroff_restore_{uuid.uuid4().hex[:8]}"
    admin_engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        target = url.set(drivername="postgresql", database=name).render_as_string(
            hide_password=False
        )
        subprocess.run(["pg_restore", "--no-owner", "--dbname", target, str(dump)], check=True)
        engine = sa.create_engine(url.set(database=name))
        with engine.connect() as conn:
            after = {
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in Base.metadata.sorted_tables
            }
        engine.dispose()
        assert after == before
    finally:
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()
    assert os.path.getsize(dump) > 0
