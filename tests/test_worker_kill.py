"""A worker killed mid-render loses nothing: `kill -9` of a real `flask rq worker` process
while it renders a batch never leaves a broken PDF to be served, and once a worker is back
every report is rendered."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Feedback, Job, JobStatus, Report
from portal.reports.store import TEMP_PREFIX, refresh_for_candidate, report_path
from portal.unit_of_work import commit
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = 6  # two reports each (the interview and the journey): twelve renders


def start_worker(app, *, burst: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        "FLASK_APP": "wsgi:app",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "REPORTS_DIR": app.config["REPORTS_DIR"],
        "OUTBOX_DIR": app.config["OUTBOX_DIR"],
    }
    argv = [sys.executable, "-m", "flask", "rq", "worker"] + (["--burst"] if burst else [])
    # A session of its own: the kill takes the worker and its scheduler process together.
    return subprocess.Popen(  # noqa: S603
        argv,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_all(worker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def counts() -> tuple[int, int]:
    """(reports stored, jobs running) as the database has them now."""
    db.session.rollback()  # see what the worker committed
    reports = db.session.scalar(sa.select(sa.func.count()).select_from(Report))
    running = db.session.scalar(
        sa.select(sa.func.count()).select_from(Job).where(Job.status == JobStatus.RUNNING)
    )
    return reports, running


def assert_every_stored_report_is_whole() -> None:
    for report in db.session.scalars(sa.select(Report)):
        data = report_path(report).read_bytes()
        assert hashlib.sha256(data).hexdigest() == report.content_hash
        assert len(PdfReader(io.BytesIO(data)).pages) >= 1


@pytest.fixture
def batch(make_app, redis_url, tmp_path):
    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        recruiter = factories.user(role="recruiter", email="rq@example.com")
        for n in range(CANDIDATES):
            candidate = factories.candidate(f"Candidate {n}", f"c{n}@example.com")
            factories.feedback(factories.interview(candidate, recruiter), recruiter, "released")
            refresh_for_candidate(candidate.id)  # queued for the workers, not rendered here
        commit()
        assert counts() == (0, 0)
        yield app


@pytest.mark.real_commits
def test_a_worker_killed_mid_render_loses_nothing(batch, client):
    app = batch
    # Kill it in the middle of a render: some done, one running. A kill can still land in the
    # moment between two jobs (nothing in hand); then another worker is started and killed.
    for _attempt in range(3):
        worker = start_worker(app, burst=False)
        try:
            deadline = time.monotonic() + 60
            while True:
                done, running = counts()
                if done >= 2 and running == 1:
                    break
                assert time.monotonic() < deadline, (
                    f"the worker never got going ({done}, {running})"
                )
                assert worker.poll() is None, "the worker died on its own"
                time.sleep(0.02)
            kill_all(worker)  # kill -9, mid-render
        finally:
            kill_all(worker)
        done, running = counts()
        if running == 1:
            break

    assert 0 < done < 2 * CANDIDATES and running == 1  # it died with a job in its hands
    assert_every_stored_report_is_whole()  # nothing half-written is on record

    # Meanwhile the portal serves every report that is done and says "preparing" for the rest.
    factories.user(role="admin", email="watch@example.com", name="Wanda Watch")
    factories.sign_in(client, "watch@example.com")
    answers = set()
    for feedback_id in db.session.scalars(sa.select(Feedback.id)):
        response = client.get(f"/reports/feedback/{feedback_id}.pdf")
        answers.add(response.status_code)
        if response.status_code == 200:
            assert len(PdfReader(io.BytesIO(response.data)).pages) >= 1
        else:
            assert response.status_code == 202 and "being prepared" in response.text.lower()
    assert answers <= {200, 202}

    # A worker comes back: it finds the abandoned job and every report gets rendered.
    again = start_worker(app, burst=True)
    try:
        assert again.wait(timeout=120) == 0
    finally:
        kill_all(again)
    done, running = counts()
    assert (done, running) == (2 * CANDIDATES, 0)
    assert_every_stored_report_is_whole()
    statuses = db.session.scalars(sa.select(Job.status)).all()
    assert set(statuses) == {JobStatus.DONE}
    leftovers = list(Path(app.config["REPORTS_DIR"]).glob(f"*/{TEMP_PREFIX}*"))
    assert leftovers == []  # the killed worker's half-written file, if any, is gone
