#!/usr/bin/env python3
"""Smoke test of a running portal, over plain HTTP, as a newcomer would try it.

    .venv/bin/python scripts/smoke.py http://127.0.0.1:5000 [--wait 600] [--readme README.md]

It reads the demo logins from README.md (the table under "Demo logins" and the password given
there), so the README and the demo data cannot drift apart. For each login it signs in with the
real form (CSRF token and all), checks that it lands on its role's page, and signs out. As the
first candidate it then downloads one of their interview reports and checks that it is a PDF
whose text names the candidate. One line per check; exit status 1 on the first failure.

--wait N first waits up to N seconds for the portal to answer (for a server still starting).
Needs pypdf for the PDF text (it is in the project's virtualenv).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SmokeFailure(Exception):
    pass


@dataclass(frozen=True)
class Login:
    email: str
    role: str  # admin, recruiter, candidate
    name: str | None  # the candidate's name, as the README gives it


def demo_logins(readme: str) -> tuple[list[Login], str]:
    """The demo logins table and password from the README's "Demo logins" section."""
    section = re.search(r"^## Demo logins\n(.*?)(?=^## )", readme, re.M | re.S)
    if not section:
        raise SmokeFailure("README.md has no '## Demo logins' section")
    text = section.group(1)
    password = re.search(r"password \*\*`([^`]+)`\*\*", text)
    if not password:
        raise SmokeFailure("README.md's demo logins give no password (**`...`**)")
    logins = []
    for email, role in re.findall(r"^\| `([^`]+@[^`]+)` \| ([^|]+?) \|", text, re.M):
        kind = role.split()[0].strip()
        name = re.search(r"\(([^)]+)\)", role)
        logins.append(Login(email, kind, name.group(1) if name else None))
    if not logins:
        raise SmokeFailure("README.md's demo logins table is empty")
    return logins, password.group(1)


class PageParser(HTMLParser):
    """The bits of a page the smoke test looks at: title, h1, links, the form's hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.h1 = ""
        self.links: list[str] = []
        self.hidden: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if (tag == "title" and not self.title) or (tag == "h1" and not self.h1):
            self._in = tag  # the page's own title, not an SVG chart's
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.hidden[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes

    def page(self) -> PageParser:
        parser = PageParser()
        parser.feed(self.body.decode("utf-8", "replace"))
        return parser


class Browser:
    """Cookies and redirects, like a person's browser without JavaScript."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, form: dict[str, str] | None = None) -> Response:
        url = urllib.parse.urljoin(self.base_url + "/", path.lstrip("/"))
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=120) as answer:  # noqa: S310
                return Response(
                    answer.geturl(),
                    answer.status,
                    answer.headers.get("Content-Type", ""),
                    answer.read(),
                )
        except urllib.error.HTTPError as error:
            raise SmokeFailure(
                f"{'POST' if form else 'GET'} {path} answered {error.code}"
            ) from None

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        """Submit the form on `path` with its hidden fields (the CSRF token) plus `fields`."""
        hidden = self.request(path).page().hidden
        return self.request(path, {**hidden, **fields})


def wait_until_up(base_url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(base_url.rstrip("/") + "/sign-in", timeout=5):  # noqa: S310
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise SmokeFailure(f"{base_url} did not answer within {seconds:.0f} s") from None
            time.sleep(1)


def check_landing(login: Login, page: PageParser, url: str) -> str:
    """Each role's page: the dashboard for staff (admins also see the admin menu), the
    candidate's own feedback page greeting them by name."""
    path = urllib.parse.urlsplit(url).path
    admin_menu = any(link.startswith("/admin/") for link in page.links)
    if login.role in ("admin", "recruiter"):
        if not page.title.startswith("Dashboard"):
            raise SmokeFailure(f"{login.email} landed on {path} '{page.title}', not the dashboard")
        if admin_menu != (login.role == "admin"):
            raise SmokeFailure(
                f"{login.email}: admin menu {'missing' if not admin_menu else 'shown'}"
            )
    elif login.role == "candidate":
        first_name = (login.name or "").split()[0] if login.name else ""
        if not page.title.startswith("My feedback") or first_name not in page.h1:
            raise SmokeFailure(
                f"{login.email} landed on {path} '{page.title}' / '{page.h1.strip()}', "
                f"not their feedback page greeting {first_name}"
            )
        if admin_menu:
            raise SmokeFailure(f"{login.email} (a candidate) sees the admin menu")
    else:
        raise SmokeFailure(f"unknown role {login.role!r} in README.md")
    return f"{path} '{page.title.strip()}'"


def check_report(browser: Browser, login: Login, page: PageParser) -> str:
    """Download the candidate's first interview report and check it names them."""
    reports = [link for link in page.links if re.match(r"^/reports/feedback/\d+\.pdf$", link)]
    if not reports:
        raise SmokeFailure(f"{login.email} has no interview report to download")
    for _ in range(60):  # with a job queue, the first request may answer "being prepared"
        answer = browser.request(reports[0])
        if answer.status == 200 and answer.content_type == "application/pdf":
            break
        time.sleep(1)
    else:
        raise SmokeFailure(
            f"{reports[0]} never became a PDF ({answer.status} {answer.content_type})"
        )
    if not answer.body.startswith(b"%PDF-"):
        raise SmokeFailure(f"{reports[0]} is not a PDF")
    try:
        from pypdf import PdfReader
    except ImportError:
        raise SmokeFailure("pypdf is needed to read the PDF (run with .venv/bin/python)") from None
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body)).pages)
    if not login.name or login.name not in " ".join(text.split()):
        raise SmokeFailure(f"{reports[0]} does not name {login.name}")
    return f"{reports[0]} ({len(answer.body):,} bytes, names {login.name})"


def run(base_url: str, readme: str) -> None:
    logins, password = demo_logins(readme)
    first_candidate = next((lg for lg in logins if lg.role == "candidate"), None)
    for login in logins:
        browser = Browser(base_url)
        landed = browser.post_form("/sign-in", {"email": login.email, "password": password})
        page = landed.page()
        if urllib.parse.urlsplit(landed.url).path == "/sign-in":
            raise SmokeFailure(f"{login.email} could not sign in with the README's password")
        landing = check_landing(login, page, landed.url)
        print(f"smoke: signed in as {login.email} ({login.role}) -> {landing}")
        if login is first_candidate:
            print(f"smoke: report PDF {check_report(browser, login, page)}")
        # The header's sign-out form carries the page's CSRF token.
        out = browser.request("/sign-out", {"csrf_token": page.hidden.get("csrf_token", "")})
        if urllib.parse.urlsplit(out.url).path != "/sign-in":
            raise SmokeFailure(f"{login.email}: signing out did not lead back to the sign-in page")
    if first_candidate is None:
        raise SmokeFailure("README.md lists no candidate login")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:5000")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the portal")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    try:
        if args.wait:
            wait_until_up(args.base_url, args.wait)
        run(args.base_url, args.readme.read_text(encoding="utf-8"))
    except SmokeFailure as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    print("smoke: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
