"""The three journeys end to end in headless Chromium, through the interface only.

Each test starts from a fresh demo database (see conftest.py) and audits every page it
visits with axe-core (WCAG 2.1 A and AA; serious or critical findings fail the test).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

RECRUITER = "recruiter@example.com"
ADMIN = "admin@example.com"
NEW_PASSWORD = "a-long-and-private-passphrase"  # noqa: S105

RATINGS = {
    "Presence and focus": "4",
    "Two-way information exchange": "4",
    "Listening and responsiveness": "3",
    "Questions about the role and company": "5",
    "Preparation and research": "3",
    "Composure and attitude": "4",
}
RISKY = "Not a culture fit for our team."
FIXED = (
    "When we discussed how the team plans its releases, your answers stayed general; one "
    "concrete example from your last project would have shown how you prioritise."
)


def field_error_of(page: Page, label: str, exact: bool = True):
    """The error message a screen reader reads with the field: via aria-describedby."""
    control = page.get_by_label(label, exact=exact)
    expect(control).to_have_attribute("aria-invalid", "true")
    ids = control.get_attribute("aria-describedby") or ""
    texts = [page.locator(f"#{i}").inner_text() for i in ids.split()]
    return " ".join(texts)


def expect_error_summary(page: Page, *texts: str) -> None:
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    for text in texts:
        expect(summary).to_contain_text(text)
    # The summary takes focus, so a screen reader reads it first and keyboard users start there.
    expect(summary).to_be_focused()


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def rate(page: Page, dimension: str, score: str) -> None:
    page.get_by_role("radiogroup", name=f"{dimension} rating, 1 to 5").get_by_label(
        score, exact=True
    ).check()


def test_recruiter_writes_checks_and_releases_a_scorecard(new_page, portal, auditor):
    page = new_page()

    # Sign in, with a wrong password first: a readable error, the email kept.
    page.goto("/sign-in")
    auditor.check(page)
    page.get_by_label("Email", exact=True).fill(RECRUITER)
    page.get_by_label("Password", exact=True).fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect_error_summary(page, "That email and password do not match an active account.")
    expect(page.get_by_label("Email", exact=True)).to_have_value(RECRUITER)
    assert "do not match" in field_error_of(page, "Password")
    auditor.check(page, "wrong password")
    page.get_by_label("Password", exact=True).fill("betteroff-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Riley")
    auditor.check(page)

    # Find the interview: search and filter the list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Interviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interviews")
    auditor.check(page)
    page.get_by_role("searchbox", name="Search").fill("Sofia")
    page.get_by_label("Feedback", exact=True).select_option(label="No feedback yet")
    page.get_by_role("button", name="Apply", exact=True).click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sofia Rossi")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("Sofia")
    auditor.check(page, "searched and filtered")
    rows.first.get_by_role("link", name=re.compile("Sofia Rossi, First interview")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sofia Rossi")
    auditor.check(page)

    # Write the scorecard, forgetting one rating: the draft is kept, the gap is pointed out.
    page.get_by_role("button", name="Write your scorecard").click()
    expect(page.get_by_text("Scorecard · First interview")).to_be_visible()
    auditor.check(page, "new draft")
    for dimension, score in list(RATINGS.items())[:-1]:
        rate(page, dimension, score)
    # The Product Manager position scores with the product management template: its role
    # skills, with their anchors, and its required question.
    role_skills = page.get_by_role("region", name="1b. Role skills")
    expect(role_skills.get_by_role("radiogroup")).to_have_count(4)
    expect(role_skills).to_contain_text("Prioritisation")
    for group in role_skills.get_by_role("radiogroup").all():
        group.get_by_label("4", exact=True).check()
    page.get_by_label(re.compile("^Which example best showed how the candidate")).fill(
        "The clinic scheduling case: she ranked the requests by clinics affected."
    )
    page.get_by_label("Invite to the next interview").check()
    page.get_by_label("Next step", exact=True).fill(
        "A second interview with the analytics lead next week."
    )
    page.get_by_label("Strengths", exact=True).fill(
        "You explained how you rebuilt the stock forecast and what it changed for the stores."
    )
    page.get_by_label("Areas to improve", exact=True).fill(RISKY)
    page.get_by_label("Practice suggestions", exact=True).fill(
        "Prepare two short project stories with their results.\n"
        "Read the company's last two product announcements."
    )
    page.get_by_label("Private recruiter notes", exact=True).fill("Ask about notice period.")
    page.get_by_role("button", name="Save and submit").click()
    expect_error_summary(page, "Composure and attitude")
    expect(page.get_by_role("alert").filter(has_text="cannot be submitted yet")).to_be_visible()
    composure = page.get_by_role("group", name="Composure and attitude")
    expect(composure).to_have_attribute("aria-describedby", re.compile(r"\w+-error"))
    expect(composure.locator(".field-error")).to_have_text("Rate every engagement dimension.")
    expect(page.get_by_label("Areas to improve", exact=True)).to_have_value(RISKY)
    expect(page.get_by_label("Private recruiter notes", exact=True)).to_have_value(
        "Ask about notice period."
    )
    auditor.check(page, "submitted with a rating missing")

    # Complete it and submit: the release check finds the risky wording.
    rate(page, "Composure and attitude", RATINGS["Composure and attitude"])
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_role("status").filter(has_text="Scorecard submitted")).to_be_visible()
    check = page.get_by_role("region", name=re.compile("Release check: 1 thing to review"))
    expect(check).to_contain_text("Culture fit")
    expect(check.locator("mark")).to_have_text(re.compile("culture fit", re.I))
    expect(check).to_contain_text("Why it matters")
    auditor.check(page, "release check finds the wording")

    # Fix the wording in the scorecard and go back to release it.
    page.get_by_role("link", name="Edit the wording").click()
    expect(page.get_by_role("region", name=re.compile("Release check"))).to_be_visible()
    auditor.check(page, "finding shown on the form")
    page.get_by_label("Areas to improve", exact=True).fill(FIXED)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Release check"))).to_have_count(0)
    expect(page.get_by_label("Areas to improve", exact=True)).to_have_value(FIXED)
    auditor.check(page, "wording fixed")
    page.get_by_role("link", name="Go to release").click()
    expect(page.get_by_text("Release check: nothing to review")).to_be_visible()
    expect(page.locator(".preview")).to_contain_text("one concrete example")
    expect(page.locator(".preview")).not_to_contain_text("notice period")
    auditor.check(page, "nothing to review")
    page.get_by_role("button", name="Release to the candidate").click()
    expect(
        page.get_by_role("status").filter(has_text="Feedback released to Sofia Rossi")
    ).to_be_visible()
    expect(page.locator(".page-head .pill")).to_have_text("Released")
    auditor.check(page, "released")

    # The dashboard now lists it as released, and nothing waits for this interview any more.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("region", name="Recently released")).to_contain_text("Sofia Rossi")
    expect(page.get_by_role("region", name="Interviews awaiting feedback")).not_to_contain_text(
        "Sofia Rossi"
    )
    auditor.check(page, "after release")
    auditor.assert_every_page_audited()


def test_candidate_is_invited_answers_an_offer_and_downloads_reports(new_page, portal, auditor):
    # The recruiting side: invite Ben Carter to the portal and approve the lead proposed for him.
    staff = new_page()
    sign_in(staff, ADMIN, auditor=auditor)
    auditor.check(staff)
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Candidates").click()
    staff.get_by_role("searchbox", name="Search").fill("Ben Carter")
    staff.get_by_role("button", name="Apply", exact=True).click()
    auditor.check(staff)
    staff.get_by_role("link", name="Ben Carter").click()
    auditor.check(staff)
    staff.get_by_role("button", name="Invite to the portal").click()
    expect(staff.get_by_role("status")).to_contain_text("invitation was emailed")
    auditor.check(staff, "invitation sent")
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    auditor.check(staff)
    staff.get_by_role("row", name=re.compile("Ben Carter")).get_by_role("link").first.click()
    auditor.check(staff)
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_role("status").filter(has_text="is now approved")).to_be_visible()
    auditor.check(staff, "approved")
    staff.context.close()

    # The candidate's side, on a phone-sized browser of their own, with the app's scripts
    # refused: the core flows must work without JavaScript.
    page = new_page(width=390, app_scripts=False)
    invitation = portal.email_to("ben.carter@example.com", "invitation")
    page.goto(portal.link_in(invitation))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ben Carter")
    auditor.check(page)

    # Passwords that do not match: a readable error tied to the field.
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password", exact=True).fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".error-summary")).to_contain_text("The two passwords do not match.")
    assert "do not match" in field_error_of(page, "Repeat the password")
    auditor.check(page, "passwords do not match")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ben")
    auditor.check(page, "password set, signed in")

    # Sign out and in again: a wrong password is refused and the email stays in the form.
    sign_out(page)
    expect(page.get_by_role("status").filter(has_text="signed out")).to_be_visible()
    auditor.check(page, "signed out")
    page.get_by_label("Email", exact=True).fill("ben.carter@example.com")
    page.get_by_label("Password", exact=True).fill("betteroff-demo")
    page.get_by_role("button", name="Sign in").click()
    expect_error_summary(page, "do not match an active account")
    expect(page.get_by_label("Email", exact=True)).to_have_value("ben.carter@example.com")
    auditor.check(page, "wrong password")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ben")
    auditor.check(page)

    # The released feedback, without the recruiter's private notes.
    page.get_by_role("link", name="Read your feedback").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Your feedback: Supply Chain Planner"
    )
    expect(page.get_by_role("region", name="3. Interview skills")).to_contain_text("Strengths")
    expect(page.locator("main")).not_to_contain_text("Salary expectation")
    auditor.check(page)
    page.get_by_role("link", name="Back to your feedback").click()
    auditor.check(page)

    # Answer the lead.
    offers = page.get_by_role("region", name="Referrals and leads")
    expect(offers).to_contain_text("waiting for your answer")
    offers.get_by_role("button", name=re.compile("I am interested")).click()
    expect(page.get_by_role("status").filter(has_text="knows you are interested")).to_be_visible()
    expect(offers).to_contain_text("You said you are interested")
    expect(offers.get_by_role("button")).to_have_count(0)
    auditor.check(page, "offer answered")

    # Download both reports and read them.
    reports = page.get_by_role("region", name="Your reports")
    with page.expect_download() as first:
        reports.get_by_role("link", name=re.compile(r"First interview report.*\(PDF\)")).click()
    interview_pdf = Path(first.value.path())
    assert first.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as second:
        reports.get_by_role("link", name="Download your selection journey (PDF)").click()
    journey_pdf = Path(second.value.path())

    text = pdf_text(interview_pdf)
    assert "Ben Carter" in text
    assert "Supply Chain Planner" in text
    assert "Cold-chain logistics" in text  # the lead he just said yes to
    assert "Salary expectation" not in text
    journey = pdf_text(journey_pdf)
    assert "Ben Carter" in journey
    assert re.search("selection journey", journey, re.I)
    assert "Salary expectation" not in journey
    auditor.assert_every_page_audited()


def test_admin_runs_the_referral_pipeline_exports_and_reads_the_audit_log(
    new_page, portal, auditor
):
    page = new_page(width=1440)
    sign_in(page, ADMIN, auditor=auditor)
    auditor.check(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals and leads")
    auditor.check(page)

    # Approve a proposal found with the status filter.
    page.get_by_label("Status", exact=True).select_option(label="Proposed")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("table tbody tr")).to_have_count(2)
    auditor.check(page)
    page.get_by_role("link", name="Grace Mensah").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grace Mensah")
    auditor.check(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").filter(has_text="is now approved")).to_be_visible()
    auditor.check(page, "approved")

    # Move an introduced referral on: interviewing (with a note), then hired.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    page.get_by_label("Candidate", exact=True).fill("Omar")
    page.get_by_role("button", name="Apply", exact=True).click()
    auditor.check(page)
    page.get_by_role("link", name="Omar Haddad").click()
    auditor.check(page)
    page.get_by_role("link", name="with a note…").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mark as interviewing")
    auditor.check(page)
    page.get_by_label("Note (optional)").fill(
        "Cedar Robotics booked a first interview for Thursday."
    )
    page.get_by_role("button", name="Mark as interviewing").click()
    expect(page.get_by_role("status").filter(has_text="is now interviewing")).to_be_visible()
    auditor.check(page, "interviewing, with a note")
    page.get_by_role("button", name="Mark as hired").click()
    expect(page.get_by_role("status").filter(has_text="is now hired")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Cedar Robotics booked a first interview")
    expect(history).to_contain_text("Hired")
    auditor.check(page, "hired")

    # Withdrawing closes a referral for good: it asks for an explicit confirmation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    page.get_by_label("Candidate", exact=True).fill("Maya")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_role("row", name=re.compile("Referral")).get_by_role(
        "link", name="Maya Chen"
    ).click()
    auditor.check(page)
    page.get_by_role("link", name="Withdraw…").click()
    auditor.check(page)
    note = "Bluepeak filled the role internally."
    page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Withdraw").click()
    expect_error_summary(page, "Tick this box to confirm")
    expect(page.get_by_label("Note (optional)")).to_have_value(note)
    auditor.check(page, "confirmation not ticked")
    page.get_by_label("Yes, close it for good").check()
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("status").filter(has_text="is now withdrawn")).to_be_visible()
    auditor.check(page, "withdrawn")

    # Export the whole board as CSV and read it like a spreadsheet would.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    auditor.check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert len(rows) == 12  # the demo's eight referrals, and four leads for past candidates
    status_of = {(r["candidate"], r["kind"].lower()): r["status"].lower() for r in rows}
    assert status_of[("Omar Haddad", "referral")] == "hired"
    assert status_of[("Grace Mensah", "lead")] == "approved"
    assert status_of[("Maya Chen", "referral")] == "withdrawn"

    # The audit log shows what was done; a bad filter is explained and kept.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    auditor.check(page)
    page.get_by_label("Object id", exact=True).fill("-4")
    page.get_by_role("button", name="Apply", exact=True).click()
    assert "positive number" in field_error_of(page, "Object id")
    expect(page.get_by_label("Object id", exact=True)).to_have_value("-4")
    auditor.check(page, "object id -4")
    page.get_by_label("Object id", exact=True).fill("")
    page.get_by_label("Action", exact=True).fill("referral_")
    page.get_by_role("button", name="Apply", exact=True).click()
    log = page.locator("table tbody")
    for action in (
        "referral_approved",
        "referral_interviewing",
        "referral_hired",
        "referral_withdrawn",
        "referrals_exported",
    ):
        expect(log).to_contain_text(action)
    expect(log).to_contain_text(ADMIN)
    auditor.check(page, "action filter")
    auditor.assert_every_page_audited()
