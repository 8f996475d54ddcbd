"""The next step in the candidate's calendar: the .ics in the release email and the portal."""

from __future__ import annotations

from datetime import date

import pytest
from icalendar import Calendar

from portal.feedback import services
from portal.unit_of_work import commit
from tests import factories
from tests.factories import scorecard_input, sign_in


@pytest.fixture
def dated(app, recruiter):
    candidate = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    interview = factories.interview(candidate, recruiter)
    interview.location = "Head office, 3rd floor"
    return factories.feedback(interview, recruiter, "released", next_step_on=date(2026, 12, 15))


def calendar_of(message) -> Calendar | None:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    if not parts:
        return None
    assert len(parts) == 1 and parts[0].get_filename() == "next-step.ics"
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def only_event(cal: Calendar):
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def amend(fb, actor, **changes):
    services.amend_feedback(
        fb,
        scorecard_input(**changes),
        actor=actor,
        expected_version=fb.lock_version,
        reason="The date of your next step moved.",
        acknowledged=set(),
    )
    commit()


def test_the_release_email_carries_a_calendar_invitation(dated, outbox):
    message = outbox.last()
    assert message["To"] == "maya@example.com"
    cal = calendar_of(message)
    assert cal is not None and str(cal["method"]) == "REQUEST"
    event = only_event(cal)
    assert event.decoded("dtstart") == date(2026, 12, 15)
    assert event.decoded("dtend") == date(2026, 12, 16)
    assert int(event["sequence"]) == 0
    assert str(event["uid"]) == f"next-step-{dated.id}@betteroff.local"
    position = dated.interview.position
    assert str(event["summary"]) == f"Next step: {position.title} at {position.company.name}"
    assert str(event["attendee"]) == "mailto:maya@example.com"
    assert "Head office" in str(event["location"])
    assert "15 December 2026" in factories.body(message)


def test_a_moved_date_sends_an_update_with_the_same_uid(dated, recruiter, outbox):
    first = only_event(calendar_of(outbox.last()))
    amend(dated, recruiter, next_step_on=date(2026, 12, 18), strengths="Clearer examples.")
    update = only_event(calendar_of(outbox.last()))
    assert str(update["uid"]) == str(first["uid"])
    assert int(update["sequence"]) == 1
    assert update.decoded("dtstart") == date(2026, 12, 18)


def test_an_amendment_that_keeps_the_date_sends_no_calendar(dated, recruiter, outbox):
    amend(dated, recruiter, next_step_on=date(2026, 12, 15), strengths="Clearer examples.")
    message = outbox.last()
    assert message["Subject"] == "Your interview feedback was updated"
    assert calendar_of(message) is None


def test_a_removed_date_cancels_the_entry(dated, recruiter, outbox):
    amend(dated, recruiter, next_step_on=None, strengths="Clearer examples.")
    cal = calendar_of(outbox.last())
    assert str(cal["method"]) == "CANCEL"
    event = only_event(cal)
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


def test_feedback_without_a_date_carries_no_calendar(app, recruiter, outbox):
    candidate = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    factories.feedback(factories.interview(candidate, recruiter), recruiter, "released")
    assert calendar_of(outbox.last()) is None


def test_the_candidate_downloads_the_same_invitation_from_the_portal(app, dated, outbox):
    client = app.test_client()
    assert sign_in(client, "maya@example.com").status_code == 302
    page = client.get(f"/my/feedback/{dated.id}").get_data(as_text=True)
    assert f"/my/feedback/{dated.id}/next-step.ics" in page
    response = client.get(f"/my/feedback/{dated.id}/next-step.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "next-step.ics" in response.headers["Content-Disposition"]
    downloaded = only_event(Calendar.from_ical(response.data))
    mailed = only_event(calendar_of(outbox.last()))
    assert str(downloaded["uid"]) == str(mailed["uid"])
    assert downloaded.decoded("dtstart") == mailed.decoded("dtstart")
    other = app.test_client()
    factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    assert sign_in(other, "jonas@example.com").status_code == 302
    assert other.get(f"/my/feedback/{dated.id}/next-step.ics").status_code == 404


def test_a_candidate_not_yet_in_the_portal_gets_the_invitation_with_the_calendar(
    app, recruiter, outbox
):
    candidate = factories.candidate("Lena Fischer", "lena@example.com")  # no account yet
    factories.feedback(
        factories.interview(candidate, recruiter),
        recruiter,
        "released",
        next_step_on=date(2027, 1, 5),
    )
    message = outbox.last()
    assert message["To"] == "lena@example.com" and "invitation" in message["Subject"].lower()
    event = only_event(calendar_of(message))
    assert event.decoded("dtstart") == date(2027, 1, 5)
