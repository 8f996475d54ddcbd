"""Screenshots of the main pages, for the README and for looking at what we ship.

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]

Starts the portal on a free local port with a fresh demo database, signs in as each demo
role in headless Chromium (Debian's, found on the PATH) and saves PNGs at 1440 and 375 px.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.models import Base

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

# (name, login, path or callable that finds the path)
PAGES = [
    ("sign-in", None, "/sign-in"),
    ("dashboard", "recruiter@example.com", "/"),
    ("candidates", "recruiter@example.com", "/candidates/"),
    ("candidate", "recruiter@example.com", "/candidates/1"),
    ("interviews", "recruiter@example.com", "/interviews/"),
    ("scorecard", "recruiter@example.com", "/feedback/{draft}/edit"),
    ("release", "recruiter@example.com", "/feedback/{submitted}/release"),
    ("portal", "candidate@example.com", "/"),
    ("admin-users", "admin@example.com", "/admin/users"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shots.sqlite3'}",
            "OUTBOX_DIR": str(tmp / "outbox"),
            "REPORTS_DIR": str(tmp / "reports"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        seed_demo()
        db.session.commit()
        from portal.models import Feedback, FeedbackState

        ids = {
            state.value: db.session.scalar(db.select(Feedback.id).where(Feedback.state == state))
            for state in FeedbackState
        }
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for name, login, path in PAGES:
                if args.only and name not in args.only:
                    continue
                for width in (1440, 375):
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    page = context.new_page()
                    if login:
                        page.goto(base + "/sign-in")
                        page.fill("#email", login)
                        page.fill("#password", DEMO_PASSWORD)
                        page.click("button[type=submit]")
                    page.goto(base + path.format(**ids))
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
