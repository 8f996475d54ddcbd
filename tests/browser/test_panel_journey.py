"""A panel of three, end to end in headless Chromium: independent scores, the debrief, one
voice to the candidate, and the next step in their calendar."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal.models import utcnow
from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

LEAD, SAM, AVERY = "recruiter@example.com", "sam.okafor@example.com", "admin@example.com"
DIMENSIONS = [
    "Presence and focus",
    "Two-way information exchange",
    "Listening and responsiveness",
    "Questions about the role and company",
    "Preparation and research",
    "Composure and attitude",
]
PRESENCE = {SAM: "2", AVERY: "5", LEAD: "4"}  # the panel disagrees; the median is 4
STRENGTHS = {
    SAM: "SAM-SAW: you walked us through the stock model step by step.",
    AVERY: "AVERY-SAW: you stayed calm when we challenged your numbers.",
    LEAD: "RILEY-SAW: you tied each answer back to a decision it changed.",
}


def rate(page: Page, dimension: str, score: str) -> None:
    page.get_by_role("radiogroup", name=f"{dimension} rating, 1 to 5").get_by_label(
        score, exact=True
    ).check()


def write_scorecard(page: Page, who: str) -> None:
    for dimension in DIMENSIONS:
        rate(page, dimension, PRESENCE[who] if dimension == "Presence and focus" else "4")
    # The position's template: every role skill rated, every question answered.
    for group in page.get_by_role("region", name="1b. Role skills").get_by_role("radiogroup").all():
        group.get_by_label("4", exact=True).check()
    questions = page.get_by_role("region", name="1c. The template's questions")
    for answer in questions.get_by_role("textbox").all():
        answer.fill(f"What {who} saw in the case study.")
    page.get_by_label("Invite to the next interview").check()
    page.get_by_label("Next step", exact=True).fill("A final conversation with the team lead.")
    page.get_by_label("Strengths", exact=True).fill(STRENGTHS[who])
    page.get_by_label("Areas to improve", exact=True).fill(
        "Lead with the result, then the background."
    )
    page.get_by_label("Practice suggestions", exact=True).fill(
        "Prepare two short project stories with results.\nRead the last two announcements."
    )
    page.get_by_label("Private recruiter notes", exact=True).fill(f"PRIVATE-{who}")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_role("status").filter(has_text="submitted to the panel")).to_be_visible()


def test_a_panel_scores_alone_debriefs_and_speaks_with_one_voice(new_page, portal, auditor):
    # Riley records the interview with Sam and Avery on the panel.
    page = new_page()
    sign_in(page, LEAD, auditor=auditor)
    auditor.check(page, "dashboard")
    page.goto("/interviews/new")
    page.get_by_label("Candidate", exact=True).select_option(
        label="Maya Chen (candidate@example.com)"
    )
    page.get_by_label("Position", exact=True).select_option(
        label="Data Analyst — Northwind Analytics"
    )
    page.get_by_label("Stage", exact=True).select_option(label="Final interview")
    page.get_by_label("Format", exact=True).select_option(index=1)
    yesterday = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Date and time", exact=True).fill(yesterday)
    panel = page.get_by_role("group", name="Panel")
    panel.get_by_label("Sam Okafor").check()
    panel.get_by_label("Avery Admin").check()
    expect(panel.get_by_label("Riley Recruiter")).to_be_checked()
    auditor.check(page, "panel chosen")
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_role("status").filter(has_text="Interview saved")).to_be_visible()
    interview_url = page.url
    seats = page.locator(".panel-seats")
    expect(seats).to_contain_text("Sam Okafor")
    expect(seats).to_contain_text("Avery Admin")
    auditor.check(page, "the panel")
    sign_out(page)

    # Sam scores first. Then Avery, who may not peek at Sam's scorecard before submitting.
    scorecards: dict[str, str] = {}
    for who in (SAM, AVERY, LEAD):
        sign_in(page, who)
        page.goto(interview_url)
        for other_url in scorecards.values():
            response = page.goto(other_url)
            assert response is not None and response.status == 403, f"{who} peeked"
            auditor.check(page, "refused a peek")
        page.goto(interview_url)
        if scorecards:
            expect(page.get_by_text("Hidden until your scorecard is submitted")).to_be_visible()
        auditor.check(page, f"interview as {who}")
        if who == LEAD:  # the debrief shows who has submitted, not yet the scores
            page.goto(interview_url + "/debrief")
            expect(page.get_by_text("Submit your own scorecard first")).to_be_visible()
            expect(page.get_by_role("region", name="Ratings side by side")).to_have_count(0)
            auditor.check(page, "debrief before the lead scored")
            page.goto(interview_url)
        page.get_by_role("button", name="Write your scorecard").click()
        scorecards[who] = page.url.removesuffix("/edit")
        auditor.check(page, f"scorecard of {who}")
        write_scorecard(page, who)
        if who == AVERY:  # an admin: the calibration page counts the new scorecards
            page.goto("/admin/interviewers")
            expect(page.get_by_role("heading", name=re.compile("Sam Okafor"))).to_be_visible()
            expect(page.locator("svg.calibration-chart").first).to_be_visible()
            auditor.check(page, "calibration")
        if who != LEAD:
            sign_out(page)

    # The lead opens the debrief: the disagreement on presence is flagged.
    page.get_by_role("link", name="Open the debrief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maya Chen")
    ratings = page.get_by_role("region", name="Ratings side by side")
    expect(ratings).to_contain_text("The panel disagrees on 1 area")
    presence = ratings.get_by_role("row").filter(has_text="Presence and focus")
    expect(presence).to_contain_text("Disagreement")
    expect(presence.locator("td").last).to_have_text("4")
    expect(page.get_by_role("region", name="What each member wrote")).to_contain_text("SAM-SAW")
    expect(page.locator("main")).not_to_contain_text("PRIVATE-")
    auditor.check(page, "debrief")

    # Consolidate: the ratings start at the panel's median, the texts from the members'.
    page.get_by_role("button", name="Write the candidate’s feedback").click()
    expect(page.get_by_text("The panel's feedback · Final interview")).to_be_visible()
    expect(
        page.get_by_role("radiogroup", name="Presence and focus rating, 1 to 5").get_by_label(
            "4", exact=True
        )
    ).to_be_checked()
    strengths = page.get_by_label("Strengths", exact=True)
    # lead first, then the panel by name: each member's words once, to edit into one voice
    expect(strengths).to_have_value(re.compile("^RILEY-SAW.*AVERY-SAW.*SAM-SAW", re.S))
    strengths.fill("SAM-SAW and AVERY-SAW, in one voice: a clear, calm walk-through.")
    page.get_by_label("Practice suggestions", exact=True).fill(
        "Prepare two short project stories with results.\nRead the last two announcements."
    )
    next_day = (utcnow() + timedelta(days=10)).date()
    page.get_by_label("Date of the next step", exact=True).fill(next_day.isoformat())
    auditor.check(page, "panel feedback drafted")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_role("status").filter(has_text="Scorecard submitted")).to_be_visible()
    auditor.check(page, "release check")
    page.get_by_role("button", name="Release to the candidate").click()
    expect(
        page.get_by_role("status").filter(has_text="Feedback released to Maya Chen")
    ).to_be_visible()
    auditor.check(page, "released")
    sign_out(page)

    # The release email carries a calendar invitation for the next step.
    message = portal.email_to("candidate@example.com", "feedback is ready")
    [ics] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(ics.get_content())
    [event] = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "REQUEST"
    assert event.decoded("dtstart") == next_day
    assert "Data Analyst" in str(event["summary"])
    assert str(event["attendee"]) == "mailto:candidate@example.com"

    # Maya sees one feedback page and one PDF for this interview, whoever interviewed.
    sign_in(page, "candidate@example.com")
    auditor.check(page, "the candidate's page")
    final = page.locator("ol.journey > li").filter(has_text="Final interview")
    expect(final.get_by_role("link", name="Read your feedback")).to_have_count(1)
    final.get_by_role("link", name="Read your feedback").click()
    main = page.locator("main")
    expect(main).to_contain_text("in one voice")
    expect(main).not_to_contain_text("PRIVATE-")
    expect(main.get_by_role("link", name="Add to my calendar")).to_be_visible()
    auditor.check(page, "the candidate's one feedback")
    page.get_by_role("link", name="Back to your feedback").click()
    reports = page.get_by_role("region", name="Your reports")
    expect(reports.get_by_role("link", name=re.compile(r"Final interview report"))).to_have_count(1)
    with page.expect_download() as download:
        reports.get_by_role("link", name=re.compile(r"Final interview report.*\(PDF\)")).click()
    text = "\n".join(p.extract_text() for p in PdfReader(Path(download.value.path())).pages)
    assert "in one voice" in text and "Maya Chen" in text
    assert "PRIVATE-" not in text and "RILEY-SAW" not in text
    auditor.assert_every_page_audited()
