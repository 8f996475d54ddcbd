"""Background jobs: inline without Redis; real RQ workers with it; failures retried and shown."""

import io
import zipfile

import pytest
from rq import SimpleWorker

from portal import jobs
from portal.extensions import db
from portal.models import Job, JobStatus, Report
from portal.unit_of_work import commit
from tests import factories
from tests.factories import scorecard_form, sign_in


@jobs.handler("test_explode")
def _explode(payload):
    raise RuntimeError(f"boom {payload['n']}")


def work_queue(app) -> None:
    queue = jobs.redis_queue(app.config["REDIS_URL"])
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def released_via_route(app, client, recruiter):
    cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    interview = factories.interview(cand, recruiter)
    sign_in(client, recruiter.email)
    edit = client.post(f"/interviews/{interview.id}/scorecard").headers["Location"]
    client.post(edit, data=scorecard_form(lock_version="1", submit="1"))
    return client.post(edit.replace("/edit", "/release")), cand


def test_failing_job_inline_is_retried_recorded_and_does_not_break_the_request(app):
    job = jobs.enqueue("test_explode", {"n": 1})
    commit()
    assert job.status is JobStatus.FAILED and job.attempts == jobs.MAX_ATTEMPTS
    assert "boom 1" in job.last_error


def test_release_without_redis_renders_reports_inline(make_app, outbox):
    app = make_app(RENDER_REPORTS_ON_RELEASE=True)
    client = app.test_client()
    with app.app_context():
        recruiter = factories.user(role="recruiter", email="rec@example.com")
        response, cand = released_via_route(app, client, recruiter)
        assert response.status_code == 302
        assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 2
    assert outbox.last()["To"] == "maya@example.com"


@pytest.mark.real_commits
def test_with_redis_a_real_worker_renders_reports_and_sends_mail(make_app, outbox, redis_url):
    app = make_app(REDIS_URL=redis_url, JOB_RETRY_INTERVALS=[0, 0], RENDER_REPORTS_ON_RELEASE=True)
    with app.app_context():
        rec = factories.user(role="recruiter", email="rq@example.com")
        client = app.test_client()
        response, cand = released_via_route(app, client, rec)
        assert response.status_code == 302
        # The web request rendered nothing and sent nothing itself: both wait for a worker.
        assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 0
        assert not list(outbox.path.glob("*.eml"))
        kinds = sorted(db.session.scalars(db.select(Job.kind)))
        assert kinds == ["render_report", "render_report", "send_mail"]
        # A download while the report is being prepared answers at once instead of rendering.
        client.post("/sign-out")
        sign_in(client, cand.email)
        waiting = client.get(f"/reports/candidates/{cand.id}/journey.pdf")
        assert waiting.status_code == 202 and "being prepared" in waiting.text
        # Asking again while it is being prepared does not queue the work again.
        assert client.get(f"/reports/candidates/{cand.id}/journey.pdf").status_code == 202
        assert sorted(db.session.scalars(db.select(Job.kind))) == kinds
    work_queue(app)
    with app.app_context():
        assert set(db.session.scalars(db.select(Job.status))) == {JobStatus.DONE}
        assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 2
        ready = client.get(f"/reports/candidates/{cand.id}/journey.pdf")
        assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert outbox.last()["To"] == "maya@example.com"


def test_with_redis_a_failing_job_is_retried_then_shown_to_admins(make_app, redis_url):
    app = make_app(REDIS_URL=redis_url, JOB_RETRY_INTERVALS=[0, 0])
    with app.app_context():
        factories.user(role="admin", email="ops@example.com")
        job = jobs.enqueue("test_explode", {"n": 7})
        commit()
        job_id = job.id
    work_queue(app)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.FAILED and job.attempts == jobs.MAX_ATTEMPTS
        assert "boom 7" in job.last_error
        client = app.test_client()
        sign_in(client, "ops@example.com")
        page = client.get("/admin/jobs?status=failed")
        assert "boom 7" in page.text and "Retry" in page.text
        assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 302
        db.session.expire_all()
        assert db.session.get(Job, job_id).status is JobStatus.QUEUED


@pytest.mark.real_commits
def test_with_redis_the_data_export_leaves_rendering_to_the_worker(make_app, redis_url):
    app = make_app(REDIS_URL=redis_url, JOB_RETRY_INTERVALS=[0, 0])
    with app.app_context():
        rec = factories.user(role="recruiter", email="rq@example.com")
        client = app.test_client()
        _, cand = released_via_route(app, client, rec)
        feedback_id = cand.interviews[0].feedback[0].id
        client.post("/sign-out")
        sign_in(client, cand.email)
        first = zipfile.ZipFile(io.BytesIO(client.get("/my/data-export").data))
        # Nothing rendered in the web request: the archive says what is still coming.
        assert not [n for n in first.namelist() if n.startswith("reports/")]
        assert "2 of your reports were still being prepared" in first.read("README.txt").decode()
    work_queue(app)
    with app.app_context():
        again = zipfile.ZipFile(io.BytesIO(client.get("/my/data-export").data))
        assert sorted(n for n in again.namelist() if n.startswith("reports/")) == [
            f"reports/interview-{feedback_id}.pdf",
            "reports/journey-journey.pdf",
        ]
        assert "still being prepared" not in again.read("README.txt").decode()
