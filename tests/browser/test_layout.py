"""The main pages at a phone's width (375 px) and a wide screen (1440 px): nothing scrolls
sideways, tables turn into labelled cards on the phone, and every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PAGES = {
    "recruiter@example.com": [
        "/",
        "/candidates/",
        "/candidates/1",
        "/interviews/",
        "/interviews/new",
        "/feedback/6/edit",
    ],
    "admin@example.com": [
        "/admin/referrals",
        "/admin/partners",
        "/admin/referrals/board",
        "/admin/referrals/metrics",
        "/admin/audit",
        "/admin/users",
    ],
    "candidate@example.com": ["/", "/my/feedback/1"],
}

SIDEWAYS = """() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"""
CELL_LABELS = """() => [...document.querySelectorAll('.data-table tbody tr:first-child td')]
  .map(td => [td.dataset.label, getComputedStyle(td, '::before').content])"""


@pytest.mark.parametrize("width", [375, 1440])
def test_main_pages_fit_the_screen(new_page, portal, auditor, width):
    for login, paths in PAGES.items():
        page = new_page(width=width)
        sign_in(page, login)
        for path in paths:
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            scroll_width, client_width = page.evaluate(SIDEWAYS)
            assert scroll_width <= client_width, f"{path} scrolls sideways at {width}px"
            tables = page.locator(".data-table")
            if width < 640 and tables.count():
                # The column headings are hidden; each cell shows its column's name instead.
                labels = page.evaluate(CELL_LABELS)
                assert labels and all(f'"{label}"' == shown for label, shown in labels if label)
            auditor.check(page)
        page.context.close()
