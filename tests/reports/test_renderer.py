"""The PDF a candidate downloads: what it says, what it never says, and how it is made."""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from weasyprint.pdf import fonts as weasyprint_fonts

from portal.models import CompanyKind, Decision, Dimension, FeedbackState, ReferralKind, Stage
from portal.reports.queries import build_interview_report, build_journey_report
from portal.reports.renderer import (
    STATIC_DIR,
    ResourceRefused,
    StaticFilesFetcher,
    html_to_pdf,
    render_html,
    render_pdf,
    resolve_static_url,
)
from tests import factories
from tests.reports import PRIVATE_NOTE, referral, scorecard

SHIPPED_FONT = re.compile(r"^/[A-Z]{6}\+BetterOff-Inter")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def font_names(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][
                0
            ].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return names


def figure_alts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    alts: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                walk(kid)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return alts


@pytest.fixture
def maya(app, recruiter):
    """A candidate with two released interviews, a pending third and two visible leads."""
    candidate = factories.candidate(name="Maya Chen")
    position = factories.position("Data Analyst", factories.company("Northwind Analytics"))
    partner = factories.company("Bluepeak Software", kind=CompanyKind.PARTNER)

    def interview(stage: Stage, day: int):
        return factories.interview(
            candidate, recruiter, stage=stage, position_=position, when=datetime(2026, 3, day, 10)
        )

    first = scorecard(interview(Stage.FIRST, 2), recruiter, scores={Dimension.PREPARATION: 2})
    second = scorecard(
        interview(Stage.SECOND, 9),
        recruiter,
        examples={Dimension.QUESTIONS: "You asked how the team prioritises store requests."},
    )
    scorecard(
        interview(Stage.FINAL, 16),
        recruiter,
        state=FeedbackState.SUBMITTED,
        strengths="UNRELEASED-FINAL-ROUND strengths",
    )
    referral(candidate, recruiter, company=partner, feedback=second)
    referral(
        candidate,
        recruiter,
        kind=ReferralKind.REFERRAL,
        company=partner,
        role_title="Senior Data Analyst",
        feedback=second,
    )
    referral(
        candidate, recruiter, company=partner, role_title="PROPOSED-ONLY role", status="proposed"
    )

    other = factories.candidate(name="Otto Someone")
    scorecard(
        factories.interview(other, recruiter, position_=position),
        recruiter,
        strengths="OTHER-CANDIDATE strengths",
    )
    return {"candidate": candidate, "first": first, "second": second}


@pytest.fixture
def interview_pdf(maya) -> bytes:
    return render_pdf(build_interview_report(maya["second"].id))


@pytest.fixture
def journey_pdf(maya) -> bytes:
    return render_pdf(build_journey_report(maya["candidate"].id))


def test_interview_report_tells_each_gain(interview_pdf):
    text = pdf_text(interview_pdf)

    assert "Maya Chen" in text
    assert "Data Analyst at Northwind Analytics" in text
    assert "Where you stand" in text
    for status in ("Invited", "One referral and one lead", "Three things to practise"):
        assert status in text
    assert "Insight shared" in text
    assert "You asked how the team prioritises store requests." in text
    assert "Waiting for your answer" in text
    assert "Using this feedback" in text
    assert "Page 2 of 6" in text


def test_report_says_not_this_time_honestly(app, recruiter):
    candidate = factories.candidate(name="Jonas Weber")
    feedback = scorecard(
        factories.interview(candidate, recruiter),
        recruiter,
        decision=Decision.DECLINE,
        next_step=None,
        insight_plans=None,
        insight_competitors=None,
        insight_markets=None,
        insight_role_fit=None,
    )

    text = pdf_text(render_pdf(build_interview_report(feedback.id)))

    assert text.count("Not this time") >= 3 + 2  # three cards, and the two empty sections
    assert "Not moving forward for this role" in text
    assert "No referral or lead has come out of this yet" in text
    assert "No company insight was shared with you this time" in text
    assert "Three things to practise" in text


def test_hold_reads_not_yet_decided(app, recruiter):
    candidate = factories.candidate()
    feedback = scorecard(
        factories.interview(candidate, recruiter), recruiter, decision=Decision.HOLD
    )

    text = pdf_text(render_pdf(build_interview_report(feedback.id)))

    assert "Not yet decided" in text
    assert "No decision on the next round yet" in text


def test_private_unreleased_and_other_candidates_text_never_appears(interview_pdf, journey_pdf):
    for pdf in (interview_pdf, journey_pdf):
        text = pdf_text(pdf)
        assert PRIVATE_NOTE[:20] not in text
        assert "UNRELEASED-FINAL-ROUND" not in text
        assert "OTHER-CANDIDATE" not in text
        assert "Otto" not in text
        assert "PROPOSED-ONLY" not in text
        assert PRIVATE_NOTE.encode() not in pdf


def test_journey_report_shows_the_trend_with_words_and_numbers(journey_pdf):
    text = pdf_text(journey_pdf)

    assert "your selection journey" in text.lower()
    assert "How you have moved" in text
    assert "2 → 1, now developing" in text  # preparation, first then second interview
    alts = figure_alts(journey_pdf)
    assert (
        "Preparation and research across your interviews: 2 out of 5 (first interview), "
        "then 1 out of 5 (second interview)"
    ) in alts


def test_pdf_has_title_language_author_and_tags(maya, interview_pdf):
    reader = PdfReader(io.BytesIO(interview_pdf))
    catalog = reader.trailer["/Root"]

    assert reader.metadata.title == (
        "Interview feedback for Maya Chen: Data Analyst at Northwind Analytics"
    )
    assert reader.metadata.author == "BetterOff"
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True


def test_every_chart_has_a_text_alternative(interview_pdf):
    alts = figure_alts(interview_pdf)

    assert len(alts) == 6
    assert "Preparation and research: 1 out of 5, developing" in alts
    assert "Composure and attitude: 5 out of 5, strong" in alts


def test_only_the_shipped_font_is_embedded(interview_pdf, journey_pdf):
    for pdf in (interview_pdf, journey_pdf):
        names = font_names(pdf)
        assert names
        assert all(SHIPPED_FONT.match(name) for name in names), names
        assert any("Bold" in name for name in names)


@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_same_data_gives_the_same_bytes(maya, subsetter, monkeypatch):
    # WeasyPrint subsets fonts with libharfbuzz-subset0 when it is installed (make run and
    # make test install it) and falls back to fontTools otherwise; both must be reproducible.
    if subsetter == "harfbuzz":
        assert weasyprint_fonts.harfbuzz_subset, "libharfbuzz-subset0 is not installed"
    else:
        monkeypatch.setattr(weasyprint_fonts, "harfbuzz_subset", None)
    data = build_interview_report(maya["first"].id)

    first = render_pdf(data)
    time.sleep(1.1)  # a time stamp in seconds would differ now
    assert render_pdf(data) == first


def test_html_escapes_what_recruiters_typed(app, recruiter):
    candidate = factories.candidate(name="Ann <b>Bold</b>")
    feedback = scorecard(
        factories.interview(candidate, recruiter),
        recruiter,
        strengths='<img src="http://127.0.0.1:9/x.png"> <link rel=stylesheet href="file:///etc">',
    )

    html = render_html(build_interview_report(feedback.id))

    assert "Ann &lt;b&gt;Bold&lt;/b&gt;" in html
    assert '<img src="http://' not in html
    assert "&lt;link rel=stylesheet" in html


# --- The fetcher: only files under static/ ------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/report.css",
        "https://example.com/font.otf",
        "file:///etc/passwd",
        "data:text/css,body{color:red}",
        "static:../portal/config.py",
        "static:fonts/../../portal/config.py",
        "static:%2e%2e/portal/config.py",
        "static:..%2fportal%2fconfig.py",
        "static:/etc/passwd",
        "static:fonts\\..\\..\\portal\\config.py",
        "static:fonts",
        "static:",
        "static:fonts/missing.otf",
    ],
)
def test_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ResourceRefused):
        resolve_static_url(url)
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher().fetch(url)


def test_fetcher_refuses_a_symlink_out_of_static(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (root / "link.css").symlink_to(secret)

    with pytest.raises(ResourceRefused):
        resolve_static_url("static:link.css", root)


def test_fetcher_serves_static_files():
    response = StaticFilesFetcher().fetch("static:reports/report.css")

    assert response.content_type == "text/css"
    assert b"@font-face" in response.read()
    assert resolve_static_url("static:fonts/Inter-Bold.otf") == STATIC_DIR / "fonts/Inter-Bold.otf"


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b'body::before { content: "LEAKED-HTTP" }')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_render_never_fetches_outside_static(app, tmp_path: Path, web_server):
    base, requests = web_server
    leak = tmp_path / "leak.css"
    leak.write_text('body::after { content: "LEAKED-FILE" }')
    traversal = os.path.relpath(leak, STATIC_DIR)
    html = f"""<!doctype html><html lang="en"><head><title>Fetch test</title>
      <link rel="stylesheet" href="static:reports/report.css">
      <link rel="stylesheet" href="{base}/leak.css">
      <link rel="stylesheet" href="{leak.as_uri()}">
      <link rel="stylesheet" href="static:{traversal}">
      <style>@import url("{base}/imported.css"); p {{ background: url("{base}/bg.png") }}</style>
      </head><body><p>Only this paragraph.</p>
      <img src="{base}/pixel.png" alt="remote"><img src="file:///etc/passwd" alt="local">
      </body></html>"""

    text = pdf_text(html_to_pdf(html))

    assert "Only this paragraph." in text
    assert "LEAKED" not in text
    assert requests == []
    assert traversal.startswith("..")


def test_report_says_not_this_time_for_skills_when_nothing_was_rated(app, recruiter):
    feedback = scorecard(
        factories.interview(factories.candidate(name="Lena Fischer"), recruiter),
        recruiter,
        scores={},
        practice_suggestions=None,
    )

    text = pdf_text(render_pdf(build_interview_report(feedback.id)))

    assert "No skills feedback was recorded." in text
    assert "Three things to practise" not in text
