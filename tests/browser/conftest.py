"""Browser fixtures: the portal on a free local port, and Debian's Chromium driven by Playwright.

Each test gets a fresh SQLite database with the demo data (a fresh PostgreSQL database when
TEST_DATABASE_URL is set, as in the CI's second pass), its own outbox and reports folders,
and a real HTTP server in a background thread, so everything happens as it would for a person
with a browser: CSRF on, cookies, redirects, downloads, emails written to the outbox.

Chromium comes from the system (`apt-get install chromium`); `playwright install` cannot
download browsers here. Without it the tests skip, unless CI is set: then they fail.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import got_request_exception
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.config import normalise_database_url
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.models import Base
from portal.unit_of_work import commit
from tests.browser.axe import AXE_PATH, Auditor

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
AUDIT_SECTION = "axe-core WCAG 2.1 AA audit"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _missing(what: str) -> None:
    message = f"{what}; the browser tests cannot run."
    if os.environ.get("CI"):
        pytest.fail(f"{message} CI is set, so this is a failure, not a skip.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("Chromium is not installed (apt-get install chromium)")
    if not AXE_PATH.exists():
        _missing("axe-core is not installed (run `npm ci` at the top of the repository)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class Portal:
    """The running app as a person sees it: an address, an outbox and the demo logins."""

    url: str
    outbox_dir: Path
    server_errors: list[BaseException] = field(default_factory=list)

    def emails(self) -> list[EmailMessage]:
        files = sorted(self.outbox_dir.glob("*.eml")) if self.outbox_dir.exists() else []
        return [
            email.message_from_bytes(f.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for f in files
        ]

    def email_to(self, address: str, subject_contains: str) -> EmailMessage:
        found = [
            m
            for m in self.emails()
            if address in str(m["To"]) and subject_contains.lower() in str(m["Subject"]).lower()
        ]
        assert found, f"no email to {address} about {subject_contains!r} in {self.outbox_dir}"
        return found[-1]

    def link_in(self, message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain",)).get_content()
        links = re.findall(r"https?://\S+", body)
        assert links, f"no link in the email:\n{body}"
        return links[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_uri(tmp_path: Path, worker_id: str) -> Iterator[str]:
    """A fresh SQLite file; with TEST_DATABASE_URL (the CI's PostgreSQL pass), a fresh
    PostgreSQL database next to the given one, so the journeys run on both engines."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'portal.sqlite3'}"
        return
    url = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"{url.database}_browser_{worker_id}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def portal(tmp_path: Path, database_uri: str) -> Iterator[Portal]:
    """A fresh portal with demo data on 127.0.0.1:<free port>, served in a thread."""
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret-key-with-enough-length",
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "REPORTS_DIR": str(tmp_path / "reports"),
            "REDIS_URL": None,
            "MAIL_SERVER": None,
            "BASE_URL": None,
            "SERVER_NAME": None,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,  # real forms, real tokens
            # Cheap hashes keep the demo seeding fast; production parameters are tested elsewhere.
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        seed_demo()
        commit()
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    running = Portal(url=f"http://127.0.0.1:{port}", outbox_dir=tmp_path / "outbox")

    def remember(_sender, exception, **_extra) -> None:
        running.server_errors.append(exception)

    got_request_exception.connect(remember, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield running
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()
    assert not running.server_errors, f"the server failed: {running.server_errors!r}"


@pytest.fixture
def auditor() -> Auditor:
    """Runs axe-core on pages; the pages it audited are reported with the test."""
    return Auditor()


@pytest.fixture
def new_page(browser, portal: Portal, auditor: Auditor):
    """Opens a browser window (its own cookies) at a given width; closes them all at the end."""
    contexts = []

    def open_page(
        width: int = 1280, height: int = 900, app_scripts: bool = True, enforce_csp: bool = False
    ):
        """A page in a fresh browser context. With app_scripts=False every script the app
        serves is refused, as for a person with JavaScript off; axe-core is injected by the
        test itself, so the audit still runs (it needs timers, which a JS-less page lacks)."""
        # The app's Content-Security-Policy allows only its own scripts, so axe-core runs with
        # the CSP bypassed; enforce_csp=True keeps it, to check the app's own scripts under it.
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=portal.url,
            bypass_csp=not enforce_csp,
            accept_downloads=True,
            locale="en-GB",
            timezone_id="UTC",
        )
        context.set_default_timeout(TIMEOUT_MS)
        if not app_scripts:
            context.route("**/*.js", lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        auditor.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, email_address: str, password: str = DEMO_PASSWORD, auditor=None) -> None:
    page.goto("/sign-in")
    if auditor is not None:
        auditor.check(page)
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    """Open the account menu in the header and sign out."""
    page.get_by_role("banner").locator("details.account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the list of audited pages to the test's report (shown with -rA, and by the
    summary below; the report travels from pytest-xdist workers to the main process)."""
    outcome = yield
    report = outcome.get_result()
    auditor = getattr(item, "funcargs", {}).get("auditor")
    if report.when == "call" and auditor is not None and auditor.audits:
        report.sections.append((AUDIT_SECTION, auditor.report()))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """List the audited pages at the end of the run (shown when tests/browser is run;
    in a run over all of tests/ with -n, pass -rA to see them with each test)."""
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for title, text in getattr(report, "sections", []):
                if title == AUDIT_SECTION:
                    lines.append(f"{report.nodeid}\n{text}")
    if lines:
        terminalreporter.write_sep("=", "axe-core WCAG 2.1 AA audit: pages checked")
        for block in sorted(set(lines)):
            terminalreporter.write_line(block)
