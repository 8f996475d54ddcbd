"""The next step in the candidate's calendar: an RFC 5545 invitation, built with `icalendar`.

One event per released feedback with a dated next step. Its UID never changes, so a calendar
that imported it once updates the same entry: an amendment that moves the date sends the event
again with a higher SEQUENCE; one that removes the date sends METHOD:CANCEL. The sequence is
the number of date changes across the released revisions, so the same revisions always give
the same file.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from portal.models import Feedback, utcnow

PRODID = "-//BetterOff//Interview feedback portal//EN"
FILENAME = "next-step.ics"


def released_dates(feedback: Feedback) -> list[date | None]:
    """The next step's date in each released revision, oldest first."""
    out = []
    for revision in feedback.revisions:
        raw = (revision.content or {}).get("next_step_on")
        out.append(date.fromisoformat(raw) if raw else None)
    return out


def sequence(dates: list[date | None]) -> int:
    """How often the dated next step changed (moved or removed) since it was first sent."""
    return sum(1 for i in range(1, len(dates)) if dates[i] != dates[i - 1] and any(dates[:i]))


def uid(feedback: Feedback) -> str:
    domain = current_app.config.get("CALENDAR_DOMAIN") or "betteroff.local"
    return f"next-step-{feedback.id}@{domain}"


def invitation(feedback: Feedback, *, now: datetime | None = None) -> bytes | None:
    """The calendar file for the next step as the candidate last saw it released; None when
    no released revision ever had a date."""
    dates = released_dates(feedback)
    if not any(dates):
        return None
    current = dates[-1]
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "REQUEST" if current else "CANCEL")
    event = Event()
    event.add("uid", uid(feedback))
    event.add("sequence", sequence(dates))
    event.add("dtstamp", now or utcnow().replace(microsecond=0))
    shown = current or next(d for d in reversed(dates) if d)
    event.add("dtstart", shown)  # an all-day entry: the feedback names a day, not a time
    event.add("dtend", shown + timedelta(days=1))
    interview = feedback.interview
    position = interview.position
    event.add("summary", f"Next step: {position.title} at {position.company.name}")
    content = feedback.revisions[-1].content or {}
    if content.get("next_step"):
        event.add("description", content["next_step"])
    if interview.location:
        event.add("location", vText(interview.location))
    event.add("status", "CONFIRMED" if current else "CANCELLED")
    lead = interview.interviewer
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1] or "feedback@betteroff.local"
    organizer = vCalAddress(f"mailto:{sender}")
    organizer.params["cn"] = vText(f"{lead.name} (BetterOff)")
    event.add("organizer", organizer)
    candidate = interview.candidate
    attendee = vCalAddress(f"mailto:{candidate.email}")
    attendee.params["cn"] = vText(candidate.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical()


def changed_in_latest(feedback: Feedback) -> bool:
    """Whether the latest release is news for the calendar: the first dated release, a moved
    date, or a removed one."""
    dates = released_dates(feedback)
    if not dates:
        return False
    previous = dates[-2] if len(dates) > 1 else None
    return dates[-1] != previous
