"""A recruiter writes a scorecard template, gives it to a new position, scores an interview
with it and releases it; the candidate's PDF carries the role skill. Headless Chromium."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.models import utcnow
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

RECRUITER = "recruiter@example.com"
ENGAGEMENT = [
    "Presence and focus",
    "Two-way information exchange",
    "Listening and responsiveness",
    "Questions about the role and company",
    "Preparation and research",
    "Composure and attitude",
]


def test_a_recruiter_creates_a_template_uses_it_scores_and_releases(new_page, portal, auditor):
    page = new_page()
    sign_in(page, RECRUITER, auditor=auditor)
    auditor.check(page, "dashboard")

    # The library, then a new template with one role skill and one question.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scorecard templates")
    expect(page.locator("main")).to_contain_text("Customer support")
    auditor.check(page, "library")
    page.get_by_role("link", name="New template").click()
    page.get_by_label("Template name").fill("Warehouse supervisor")
    page.get_by_label("What roles it fits").fill("Shift supervisors in our warehouses.")
    skill = page.get_by_role("group", name="Skill 1")
    skill.get_by_label("Skill", exact=True).fill("Shift planning")
    skill.get_by_label("What it means").fill("Plans a shift so the orders go out on time.")
    skill.get_by_label("What a 1 looks like").fill("Had no plan for the shift's peak.")
    skill.get_by_label("What a 3 looks like").fill(
        "Planned the shift; the peak was left to chance."
    )
    skill.get_by_label("Weight").fill("two")  # a typo, refused with the form kept
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("alert").filter(has_text="need your attention")).to_be_visible()
    expect(skill.get_by_label("What a 1 looks like")).to_have_value(
        "Had no plan for the shift's peak."
    )
    expect(skill.locator(".field-error").first).to_be_visible()
    auditor.check(page, "template refused")
    skill.get_by_label("What a 5 looks like").fill(
        "Walked through the peak hour: who picks, who packs, and what moves if a truck is late."
    )
    skill.get_by_label("Weight").fill("2")
    skill.get_by_label("Practice suggestions for a low rating").fill(
        "Sketch last week's busiest shift on paper: the peak, who did what, what slipped."
    )
    question = page.get_by_role("group", name="Question 1")
    question.get_by_label("Question").fill(
        "What would make the candidate's next interview stronger?"
    )
    question.get_by_label("The candidate reads the answer").check()
    page.get_by_role("button", name="Save template").click()
    expect(
        page.get_by_role("status").filter(has_text="Warehouse supervisor created")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Shift planning")
    auditor.check(page, "template created")

    # A new position at Alder & Finch scores with it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    auditor.check(page, "companies")
    page.get_by_role("link", name="Alder & Finch Logistics").click()
    auditor.check(page, "company")
    page.get_by_role("link", name="Add a position").click()
    page.get_by_label("Job title").fill("Warehouse Supervisor")
    page.get_by_label("Scorecard template").select_option(label="Warehouse supervisor")
    auditor.check(page, "position form")
    page.get_by_role("button", name="Save position").click()
    expect(page.get_by_role("row", name=re.compile("Warehouse Supervisor"))).to_contain_text(
        "Warehouse supervisor"
    )
    auditor.check(page, "position saved")

    # An interview with Maya Chen for it, scored and released.
    page.goto("/interviews/new")
    auditor.check(page, "interview form")
    page.get_by_label("Candidate", exact=True).select_option(
        label="Maya Chen (candidate@example.com)"
    )
    page.get_by_label("Position", exact=True).select_option(
        label="Warehouse Supervisor — Alder & Finch Logistics"
    )
    page.get_by_label("Stage", exact=True).select_option(label="First interview")
    page.get_by_label("Format", exact=True).select_option(index=1)
    page.get_by_label("Date and time", exact=True).fill(
        (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_role("status").filter(has_text="Interview saved")).to_be_visible()
    auditor.check(page, "interview")
    page.get_by_role("button", name="Write your scorecard").click()
    role_skills = page.get_by_role("region", name="1b. Role skills")
    expect(role_skills).to_contain_text("Shift planning weight ×2")
    expect(role_skills).to_contain_text("Walked through the peak hour")
    expect(page.get_by_text("Warehouse supervisor, version 1")).to_be_visible()
    auditor.check(page, "scorecard with the template")
    for dimension in ENGAGEMENT:
        page.get_by_role("radiogroup", name=f"{dimension} rating, 1 to 5").get_by_label(
            "4", exact=True
        ).check()
    page.get_by_role("radiogroup", name="Shift planning rating, 1 to 5").get_by_label(
        "2", exact=True
    ).check()
    page.get_by_label("Observed example: shift planning").fill(
        "You planned the morning but had no answer for a late truck."
    )
    page.get_by_label("What would make the candidate's next interview stronger?").fill(
        "Bring one shift you planned, with the numbers from the day."
    )
    page.get_by_label("Invite to the next interview").check()
    page.get_by_label("Next step", exact=True).fill("A second interview on the warehouse floor.")
    page.get_by_label("Strengths", exact=True).fill("You knew the order volumes by heart.")
    page.get_by_label("Areas to improve", exact=True).fill("Say what you would do when plans slip.")
    page.get_by_label("Practice suggestions", exact=True).fill(
        "Plan one shift on paper.\nAsk a supervisor how they handle a late truck."
    )
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_role("status").filter(has_text="Scorecard submitted")).to_be_visible()
    preview = page.locator(".preview")
    expect(preview).to_contain_text("Observed example: shift planning")
    expect(preview).to_contain_text("Bring one shift you planned")
    auditor.check(page, "release page")
    page.get_by_role("button", name="Release to the candidate").click()
    expect(
        page.get_by_role("status").filter(has_text="Feedback released to Maya Chen")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Shift planning")
    auditor.check(page, "released")

    # The candidate's PDF: the role skill with its band, and the template's advice.
    pdf_url = page.url.replace("/feedback/", "/reports/feedback/") + ".pdf"
    response = page.request.get(pdf_url)
    assert response.ok, response.status
    text = " ".join(
        " ".join(
            (p.extract_text() or "") for p in PdfReader(io.BytesIO(response.body())).pages
        ).split()
    )
    assert "Skills for this role" in text and "Shift planning" in text
    assert "Developing, 2 of 5" in text
    assert "Sketch last week's busiest shift on paper" in text  # the action plan, from the template
    assert "Bring one shift you planned" in text
    auditor.assert_every_page_audited()
