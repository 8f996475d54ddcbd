"""The daily digest: once a day, only to those with something due, over real SMTP."""

from __future__ import annotations

import email
import time
from datetime import datetime, timedelta

import pytest

from portal import reminders
from portal.extensions import db
from portal.models import DigestSend, utcnow
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in


@pytest.fixture
def smtp_app(make_app, smtp_server):
    controller, handler = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, REMINDER_AFTER_HOURS=24)
    with app.app_context():
        yield app, handler


def received(handler, count: int) -> list[email.message.Message]:
    deadline = time.monotonic() + 5
    while len(handler.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return [email.message_from_bytes(e.content) for e in handler.messages]


def text_of(message) -> str:
    return message.get_payload(decode=True).decode()


@pytest.fixture
def team(smtp_app):
    app, handler = smtp_app
    lead = factories.user(email="lead@example.com", name="Lee Lead")
    late = factories.user(email="late@example.com", name="Lou Late")
    prompt = factories.user(email="prompt@example.com", name="Pat Prompt")
    maya = factories.candidate("Maya Chen", "maya@example.com")
    # Two days ago (a one-hour interview): overdue for whoever has not submitted.
    old = factories.interview(maya, lead, panel=[late, prompt], when=utcnow() - timedelta(days=2))
    factories.feedback(old, prompt, "submitted")
    factories.feedback(old, late, "draft")  # a draft is still overdue
    # Three hours ago: not overdue yet for anyone.
    jonas = factories.candidate("Jonas Weber", "jonas@example.com")
    factories.interview(jonas, late, when=utcnow() - timedelta(hours=3))
    commit()
    return app, handler, lead, late, prompt, old


def test_a_digest_goes_only_to_those_overdue_once_a_day(team):
    app, handler, lead, late, prompt, old = team
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 digest(s): 2 overdue scorecard(s), 0 complete panel(s)" in result.output
    messages = received(handler, 2)
    by_recipient = {m["To"]: m for m in messages}
    assert set(by_recipient) == {"lead@example.com", "late@example.com"}  # Pat submitted
    body = text_of(by_recipient["late@example.com"])
    assert "Maya Chen" in body and f"/interviews/{old.id}" in body
    assert "Jonas Weber" not in body  # three hours ago is not overdue
    assert by_recipient["late@example.com"]["Subject"] == "BetterOff: 1 scorecard overdue"

    again = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert "Sent 0 digest(s)" in again.output and "2 already sent today" in again.output
    time.sleep(0.3)
    assert len(handler.messages) == 2  # nothing more went out


def test_the_next_day_sends_again_while_still_overdue(team):
    app, handler, lead, late, prompt, old = team
    today = utcnow()
    assert reminders.send_digests(today).sent == 2
    commit()
    assert reminders.send_digests(today + timedelta(days=1)).sent == 2
    commit()
    days = {d.day for d in db.session.query(DigestSend).filter_by(user_id=late.id)}
    assert days == {today.date(), (today + timedelta(days=1)).date()}


def test_the_lead_hears_when_the_panel_is_complete(team):
    app, handler, lead, late, prompt, old = team
    fb = next(f for f in old.feedback if f.author_id == late.id)
    from portal.feedback import services

    services.save_feedback(
        fb, factories.scorecard_input(), actor=late, expected_version=fb.lock_version
    )
    services.submit_feedback(fb, actor=late)
    factories.feedback(old, lead, "submitted")
    commit()
    summary = reminders.send_digests()
    commit()
    assert (summary.sent, summary.overdue, summary.complete) == (1, 0, 1)
    [message] = received(handler, 1)
    assert message["To"] == "lead@example.com"
    assert "ready for your feedback" in message["Subject"]
    assert f"/interviews/{old.id}/debrief" in text_of(message)


def test_released_feedback_ends_the_reminders(team):
    app, handler, lead, late, prompt, old = team
    solo = factories.interview(
        factories.candidate("Solo", "solo@example.com"), prompt, when=utcnow() - timedelta(days=3)
    )
    factories.feedback(solo, prompt, "released")
    commit()
    recipients = {d.user.email for d in reminders.due(utcnow()).values()}
    assert "prompt@example.com" not in recipients


def test_the_hours_after_the_interview_are_configurable(make_app):
    app = make_app(REMINDER_AFTER_HOURS=72)
    with app.app_context():
        person = factories.user(email="p@example.com")
        factories.interview(factories.candidate(), person, when=utcnow() - timedelta(days=2))
        commit()
        assert reminders.due(utcnow()) == {}
        assert list(reminders.due(utcnow() + timedelta(days=2))) == [person.id]


def test_an_interviewer_can_turn_the_digest_off(team):
    app, handler, lead, late, prompt, old = team
    client = app.test_client()
    assert sign_in(client, "late@example.com").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "daily digest" in page
    response = client.post("/account/digest", data={}, follow_redirects=True)
    assert "Daily digest off." in response.get_data(as_text=True)
    db.session.expire_all()
    assert reminders.send_digests().sent == 1  # the lead only
    commit()
    assert [m["To"] for m in received(handler, 1)] == ["lead@example.com"]


def test_the_rq_scheduler_variant_runs_at_the_configured_hour(make_app, redis_url):
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    from portal import jobs

    app = make_app(REDIS_URL=redis_url, REMINDER_HOUR=8)
    with app.app_context():
        queue = jobs.redis_queue(redis_url)
        now = datetime(2026, 12, 2, 9, 30)
        when = reminders.schedule(queue, now)
        assert when == datetime(2026, 12, 3, 8, 0)
        assert reminders.schedule(queue, now) == when  # again: the same job, not a second
        registry = ScheduledJobRegistry(queue=Queue(queue.name, connection=queue.connection))
        assert registry.get_job_ids() == ["betteroff-reminders-20261203"]
        assert reminders.next_run(datetime(2026, 12, 2, 7, 0)) == datetime(2026, 12, 2, 8, 0)


def test_the_scheduled_run_sends_the_digests_and_schedules_tomorrow(make_app, redis_url):
    from rq.registry import ScheduledJobRegistry

    from portal import jobs
    from portal.models import Job

    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        person = factories.user(email="due@example.com", name="Dee Due")
        factories.interview(factories.candidate(), person, when=utcnow() - timedelta(days=2))
        commit()
        summary = reminders.run_scheduled()  # what RQ's scheduler calls at REMINDER_HOUR
        assert summary["sent"] == 1 and summary["overdue"] == 1
        db.session.expire_all()
        assert db.session.query(DigestSend).filter_by(user_id=person.id).count() == 1
        assert db.session.query(Job).filter_by(kind="send_mail").count() == 1  # for a worker
        queue = jobs.redis_queue(redis_url)
        tomorrow = reminders.next_run(utcnow())
        registry = ScheduledJobRegistry(queue=queue)
        assert registry.get_job_ids() == [f"betteroff-reminders-{tomorrow:%Y%m%d}"]
