"""Screenshots of the main pages and of report pages, for the README and for a look at them.

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]
                                                [--widths 1440 375] [--all]

Starts the portal on a free local port with a fresh demo database, signs in as each demo role
in headless Chromium (Debian's, found on the PATH) and saves viewport-sized PNGs at 1440 and
375 px wide, named <page>-<width>.png. It then downloads a candidate's feedback report as that
candidate and turns three of its pages into PNGs with pdftoppm (poppler-utils):
report-cover.png, report-summary.png and report-skills.png. With pngquant (or optipng)
installed, the PNGs are shrunk. --all adds pages that are not in the README.

The screenshots show the viewport a person sees first, not the whole scrolled page, so the
files stay small enough to commit.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.api import tokens as api_tokens
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.models import (
    ApiScope,
    Base,
    Candidate,
    Feedback,
    FeedbackKind,
    FeedbackState,
    Interview,
    ScorecardTemplate,
    Stage,
    User,
)
from portal.webhooks import services as webhooks

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
HEIGHTS = {1440: 900, 375: 812}
# One wording the release check flags, so the release page shows what the check does.
RISKY_WORDING = (
    "Honestly, not a culture fit for this team. You have been doing this since before the "
    "internet existed, so you may find us fast."
)
# Report pages turned into PNGs: (page number, file name).
REPORT_PAGES = ((1, "report-cover"), (2, "report-summary"), (4, "report-skills"))


@dataclass(frozen=True)
class Shot:
    name: str
    login: str | None
    path: str
    # Optional step after loading, e.g. scrolling to the part of the page worth showing.
    then: Callable[[Page], None] | None = None
    # In the README set (docs/screenshots); the others are made with --all.
    readme: bool = True
    # Optional step at phone width only (filters fill a phone's first screen).
    then_narrow: Callable[[Page], None] | None = None


def scroll_to(selector: str) -> Callable[[Page], None]:
    def step(page: Page) -> None:
        page.locator(selector).first.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -16)")

    return step


def shots(ids: dict[str, int]) -> list[Shot]:
    return [
        Shot("dashboard", "recruiter@example.com", "/"),
        Shot("dashboard-charts", "recruiter@example.com", "/", scroll_to(".dash-charts")),
        Shot("scorecard", "recruiter@example.com", f"/feedback/{ids['draft']}/edit"),
        Shot("release-check", "recruiter@example.com", f"/feedback/{ids['risky']}/release"),
        Shot("portal", "candidate@example.com", "/"),
        Shot("debrief", "recruiter@example.com", f"/interviews/{ids['debrief']}/debrief"),
        Shot("calibration", "admin@example.com", "/admin/interviewers"),
        Shot(
            "panel-waiting", "recruiter@example.com", f"/interviews/{ids['waiting']}", readme=False
        ),
        Shot("panel-voice", "recruiter@example.com", f"/feedback/{ids['voice']}", readme=False),
        Shot(
            "interview-form",
            "recruiter@example.com",
            f"/interviews/{ids['waiting']}/edit",
            scroll_to(".panel-picker"),
            readme=False,
        ),
        Shot(
            "referral-board",
            "admin@example.com",
            "/admin/referrals/board",
            then_narrow=scroll_to(".ref-board"),
        ),
        Shot(
            "scorecard-role-skills",
            "recruiter@example.com",
            f"/feedback/{ids['draft']}/edit",
            scroll_to("#role-skills-h"),
        ),
        Shot("templates", "recruiter@example.com", "/scorecard-templates/", readme=False),
        Shot("template", "recruiter@example.com", f"/scorecard-templates/{ids['template']}"),
        Shot(
            "template-form",
            "recruiter@example.com",
            f"/scorecard-templates/{ids['template']}/edit",
            readme=False,
        ),
        Shot("integrations", "admin@example.com", "/admin/integrations"),
        Shot("release-check-packs", "admin@example.com", "/admin/release-check"),
        Shot("api-docs", None, "/api/v1/docs", readme=False),
        Shot("webhook-endpoint", "admin@example.com", f"/admin/webhooks/{ids['endpoint']}"),
        Shot("sign-in", None, "/sign-in", readme=False),
        Shot("interviews", "recruiter@example.com", "/interviews/", readme=False),
        Shot(
            "portal-feedback", "candidate@example.com", f"/my/feedback/{ids['maya']}", readme=False
        ),
        Shot("referral-metrics", "admin@example.com", "/admin/referrals/metrics", readme=False),
        Shot("audit-log", "admin@example.com", "/admin/audit", readme=False),
        Shot("account", "recruiter@example.com", "/account", readme=False),
        Shot(
            "portal-amended",
            "candidate2@example.com",
            f"/my/feedback/{ids['amended']}",
            readme=False,
        ),
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


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


def prepare_data() -> dict[str, int]:
    """Seed the demo, give one submitted scorecard a flagged phrase, and return useful ids."""
    seed_demo()
    db.session.flush()
    draft = db.session.scalar(
        select(Feedback.id).where(Feedback.state == FeedbackState.DRAFT).order_by(Feedback.id)
    )
    risky = db.session.scalar(
        select(Feedback).where(Feedback.state == FeedbackState.SUBMITTED).order_by(Feedback.id)
    )
    risky.improvements = f"{RISKY_WORDING} {risky.improvements}"
    maya = db.session.scalar(
        select(Feedback.id)
        .join(Feedback.interview)
        .join(Interview.candidate)
        .where(Candidate.email == "candidate@example.com", Feedback.state == FeedbackState.RELEASED)
        .order_by(Feedback.id.desc())
    )
    amended = db.session.scalar(select(Feedback.id).where(Feedback.revision > 1))
    voice = db.session.scalar(select(Feedback).where(Feedback.kind == FeedbackKind.PANEL))
    waiting = db.session.scalar(
        select(Interview.id)
        .join(Interview.candidate)
        .where(Candidate.email == "kwame.asante@example.com", Interview.stage == Stage.SECOND)
    )
    template = db.session.scalar(
        select(ScorecardTemplate.id).where(ScorecardTemplate.family == "data_analytics")
    )
    admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
    recruiter = db.session.scalar(select(User).where(User.email == "recruiter@example.com"))
    for user, name, source, scopes in (
        (recruiter, "Greenhouse sync", "greenhouse", {ApiScope.READ, ApiScope.WRITE}),
        (admin, "Reporting warehouse", "warehouse", {ApiScope.READ}),
    ):
        api_tokens.create_token(
            user, name=name, scopes=scopes, expires_in_days=365, source=source, actor=admin
        )
    endpoint = webhooks.create_endpoint(
        url="https://ats.example.com/hooks/betteroff",
        description="Greenhouse: feedback and referrals",
        events=["feedback.released", "feedback.amended", "referral.transitioned"],
        active=True,
        actor=admin,
    )
    db.session.commit()
    return {
        "endpoint": endpoint.id,
        "template": template,
        "draft": draft,
        "risky": risky.id,
        "maya": maya,
        "amended": amended,
        "debrief": voice.interview_id,
        "voice": voice.id,
        "waiting": waiting,
    }


def sign_in(page: Page, base: str, login: str) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Email", exact=True).fill(login)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def take_pages(browser, base: str, out: Path, ids, widths, only, everything) -> list[Path]:
    made = []
    for shot in shots(ids):
        if (only and shot.name not in only) or (not only and not everything and not shot.readme):
            continue
        for width in widths:
            context = browser.new_context(
                viewport={"width": width, "height": HEIGHTS.get(width, 900)},
                device_scale_factor=1,
                locale="en-GB",
            )
            page = context.new_page()
            if shot.login:
                sign_in(page, base, shot.login)
            page.goto(base + shot.path)
            page.wait_for_load_state("networkidle")
            page.evaluate("document.fonts.ready")
            if shot.then:
                shot.then(page)
            if shot.then_narrow and width < 640:
                shot.then_narrow(page)
            target = out / f"{shot.name}-{width}.png"
            page.screenshot(path=str(target))
            made.append(target)
            context.close()
    return made


def take_report(browser, base: str, out: Path, ids) -> list[Path]:
    """Download Maya Chen's interview report as she would, and render two pages as PNGs."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        print("pdftoppm not found (apt-get install poppler-utils): no report PNGs")
        return []
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "candidate@example.com")
    page.goto(base + f"/my/feedback/{ids['maya']}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        download.value.save_as(pdf)
        made = []
        for number, name in REPORT_PAGES:
            stem = Path(tmp) / name
            pages = ["-f", str(number), "-l", str(number)]
            command = [pdftoppm, "-png", "-r", "80", *pages, "-singlefile", str(pdf), str(stem)]
            subprocess.run(command, check=True)  # noqa: S603 - fixed arguments, our own file
            target = out / f"{name}.png"
            shutil.move(f"{stem}.png", target)
            made.append(target)
    context.close()
    return made


def optimise(paths: list[Path]) -> None:
    """Shrink the PNGs with pngquant (about a third of the size, no visible change) or optipng."""
    files = [str(p) for p in paths]
    if not files:
        return
    if pngquant := shutil.which("pngquant"):
        command = [pngquant, "--quality", "80-98", "--speed", "1", "--strip", "--force"]
        subprocess.run([*command, "--ext", ".png", *files], check=True)  # noqa: S603
    elif optipng := shutil.which("optipng"):
        subprocess.run([optipng, "-quiet", "-o2", *files], check=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", nargs="*", help="page names, or 'report'")
    parser.add_argument("--widths", nargs="*", type=int, default=[1440, 375])
    parser.add_argument("--all", action="store_true", help="also the pages not in the README")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shots.sqlite3'}",
            "OUTBOX_DIR": str(tmp / "outbox"),
            "REPORTS_DIR": str(tmp / "reports"),
            "REDIS_URL": None,
            "MAIL_SERVER": None,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        ids = prepare_data()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            made = take_pages(browser, base, out, ids, args.widths, args.only, args.all)
            if not args.only or "report" in args.only:
                made += take_report(browser, base, out, ids)
            browser.close()
        optimise(made)
        for path in made:
            print(f"{path}  {path.stat().st_size // 1024} KB")
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
