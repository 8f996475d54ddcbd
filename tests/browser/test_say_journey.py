"""The candidate's say, end to end in headless Chromium: Maya answers her latest feedback and
asks for a correction; Riley amends the feedback from the request; Maya sees the new version
with its reason and the request closed; the "Better off" measure counts her answer."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

MAYA, RILEY = "candidate@example.com", "recruiter@example.com"
CORRECTION = "My interview was on the Tuesday, and I did give an example of a dashboard I built."
REASON = "Added the dashboard example you gave; the first version missed it."


def all_row(page: Page) -> dict[str, str]:
    """The measure's CSV, as the recruiter downloads it: the row for everyone."""
    response = page.request.get("/better-off.csv")
    assert response.ok, response.status
    rows = list(csv.DictReader(io.StringIO(response.text())))
    first = next(iter(rows[0]))
    return next(r for r in rows if r[first] == "All")


def test_the_candidate_answers_asks_a_correction_and_sees_it_resolved(new_page, portal, auditor):
    # Before: how many answers the measure counts.
    staff = new_page()
    sign_in(staff, RILEY, auditor=auditor)
    auditor.check(staff, "dashboard")
    staff.goto("/better-off")
    auditor.check(staff, "the measure")
    before = all_row(staff)
    sign_out(staff)

    # Maya opens the feedback she has not answered yet, from her start page.
    page = new_page()
    sign_in(page, MAYA, auditor=auditor)
    auditor.check(page, "start page")
    page.get_by_role("link", name="Did this interview leave you better off?").first.click()
    expect(
        page.get_by_role("heading", name="Your say: did this interview leave you better off?")
    ).to_be_visible()
    expect(page.get_by_text("never shown one by one")).to_be_visible()
    auditor.check(page, "your say, unanswered")
    feedback_url = page.url.split("#")[0]
    for question, choice in (
        ("Did you get an invitation to a next interview?", "Yes"),
        ("Did you get a referral or a lead?", "No"),
        ("Did the feedback help you improve your interview skills?", "Partly"),
        ("Did you gain insight into the company?", "Yes"),
    ):
        page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()
    page.get_by_role("group", name="Overall, how useful was this feedback?").get_by_label(
        "4", exact=True
    ).check()
    page.get_by_label("A comment for your recruiter (optional)").fill("Clear and kind, thank you.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status").filter(has_text="Your answer is saved")).to_be_visible()
    expect(page.get_by_role("button", name="Update my answer")).to_be_visible()

    # She asks to correct a fact.
    new = page.locator("#new-thread")
    new.get_by_label("Correction request").check()
    new.get_by_label("Your message").fill(CORRECTION)
    new.get_by_role("button", name="Send to Riley Recruiter").click()
    expect(page.get_by_role("status").filter(has_text="Sent")).to_be_visible()
    thread = page.locator("article.thread").filter(has_text=CORRECTION)
    expect(thread).to_contain_text("Waiting for the recruiter")
    auditor.check(page, "your say, answered, a correction asked")
    told = portal.email_to(RILEY, "asked for a correction")
    assert CORRECTION not in told.get_body(preferencelist=("plain",)).get_content()
    sign_out(page)

    # Riley finds it on the dashboard and amends the feedback from it.
    sign_in(page, RILEY)
    page.get_by_role("link", name="Maya Chen: correction request").click()
    expect(page.get_by_text(CORRECTION)).to_be_visible()
    auditor.check(page, "the thread, for the recruiter")
    page.get_by_role("link", name="amend the feedback").click()
    auditor.check(page, "the amendment form, from a correction")
    resolves = page.get_by_role(
        "group", name="The candidate's correction requests this amendment resolves"
    )
    expect(resolves.get_by_role("checkbox")).to_be_checked()
    page.get_by_label("Strengths", exact=True).fill(
        "You walked us through a dashboard you built for store managers, with the numbers."
    )
    page.get_by_label("Reason for the amendment").fill(REASON)
    page.get_by_role("button", name="Save and release the amendment").click()
    expect(page.get_by_role("status").filter(has_text="Amendment released")).to_be_visible()
    auditor.check(page, "the amended feedback, for the recruiter")
    sign_out(page)

    # Maya sees the new version, its reason, and her request closed by it.
    sign_in(page, MAYA)
    page.goto(feedback_url)
    expect(
        page.get_by_role("heading", name="Your recruiter corrected this feedback")
    ).to_be_visible()
    expect(page.get_by_text(REASON).first).to_be_visible()
    thread = page.locator("article.thread").filter(has_text=CORRECTION)
    expect(thread).to_contain_text("Resolved")
    expect(thread).to_contain_text("your feedback was corrected (version 2)")
    expect(thread).to_contain_text(f"Corrected in version 2: {REASON}")
    auditor.check(page, "your say, corrected")
    sign_out(page)

    # The measure counts one more answer.
    sign_in(staff, RILEY)
    after = all_row(staff)
    assert int(after["answers"]) == int(before["answers"]) + 1
    auditor.assert_every_page_audited()
