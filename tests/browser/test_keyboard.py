"""Keyboard use, visible focus and the app's own JavaScript under its real CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

FOCUS_RING = "rgb(255, 191, 71)"  # the yellow halo of --focus


def focus_ring_of(page: Page) -> str:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return s.boxShadow + ' | ' + s.outlineStyle + ' ' + s.outlineColor; }"""
    )


def test_skip_link_and_sign_in_by_keyboard_alone(new_page, portal, auditor):
    page = new_page()
    page.goto("/sign-in")
    auditor.check(page)

    # The first Tab reaches the skip link, which appears on screen with a focus ring.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert FOCUS_RING in focus_ring_of(page)

    # Enter jumps to the main content; the next Tab lands in the form.
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    email = page.get_by_label("Email", exact=True)
    expect(email).to_be_focused()
    assert FOCUS_RING in focus_ring_of(page)
    page.keyboard.type("recruiter@example.com")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type("betteroff-demo")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Riley")
    auditor.check(page)

    # Every stop of the Tab order on the dashboard shows where the focus is.
    for _ in range(12):
        page.keyboard.press("Tab")
        tag = page.evaluate("document.activeElement.tagName")
        assert tag != "BODY", "focus fell off the page"
        assert FOCUS_RING in focus_ring_of(page), f"no visible focus on a {tag}"
    auditor.assert_every_page_audited()


def test_error_summary_takes_focus_and_links_to_the_field(new_page, portal, auditor):
    page = new_page(width=375)
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your email address.")
    auditor.check(page)
    # Following the summary's link puts the cursor in the field it names.
    summary.get_by_role("link", name="Email: Enter your email address.").click()
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    auditor.assert_every_page_audited()


def test_app_script_asks_before_back_to_draft_under_the_real_csp(new_page, portal, auditor):
    page = new_page(enforce_csp=True)
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    sign_in(page, "recruiter@example.com")
    # Lena's first interview: submitted, ready to release (her panel interview is released)
    page.locator("a[href$='/release']", has_text="Lena Fischer").click()
    page.get_by_role("link", name="Not now").click()
    back = page.get_by_role("button", name="Back to draft")
    page.wait_for_load_state("load")  # the app's script has bound its confirmations

    # Cancelling the question keeps the scorecard as it is.
    page.once("dialog", lambda dialog: dialog.dismiss())
    back.click()
    expect(page.locator(".page-head .pill")).to_have_text("Submitted")

    questions: list[str] = []

    def accept(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    back.click()
    expect(page.get_by_role("status").filter(has_text="draft again")).to_be_visible()
    expect(page.locator(".page-head .pill")).to_have_text("Draft")
    assert questions and "back to draft" in questions[0].lower()
    assert not violations, violations
