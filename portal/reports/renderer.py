"""Candidate report PDFs: plain `ReportData` in, tagged PDF/UA-1 bytes out.

Layout decisions (DESIGN.md section 4):

- A4, 22 mm side margins; Inter, shipped in static/fonts under the OFL, in three weights:
  regular for text, semibold for labels and status words, bold for the name and headings. It is
  declared as "BetterOff Inter", so the PDF's font names prove the shipped files were used and
  never a system font. One accent colour, the portal's teal #0f5f5c, plus tints and greys.
- Page 1 is the cover, without footer: name, company and role, interview date(s), the stepper
  of the selection process (current stage filled, the next one ringed when invited) and one
  sentence on what the report is. Page 2 is the summary: the four gains as a 2x2 grid of cards,
  each with a status word and one line of detail, and a contents list with page numbers.
  Each section then starts on a new page: next round with referrals and leads (short, so they
  share a page), skills, company insight, and "Using this feedback". Cards, referral blocks,
  rating rows and checklist items never split across pages.
- The running footer reads "BetterOff feedback report, <date>" and "Page x of y"; the date
  comes from a data attribute on <body>, so the stylesheet stays a static file.
- Rows of cards, the stepper and the columns are CSS tables rather than flex or grid:
  WeasyPrint lays tables out markedly faster and keeps the cells of a row equally tall.
- Charts are inline SVG built here: a horizontal bar per rubric dimension on a 1-5 track with a
  tick per point, and in the journey report a small line chart per dimension. Every chart has
  a <title> (WeasyPrint writes it as the figure's /Alt), and the numbers and band words are
  also printed beside it, so nothing is said by colour or shape alone.
- Only files under static/ can be loaded, by "static:" URLs (`StaticFilesFetcher`). Anything
  else, http(s), file: and data: included, is refused and left out of the PDF. There is no
  base URL, so relative URLs resolve to nothing.
- The same data gives byte-identical PDFs (no creation date, no random identifiers), with
  either of WeasyPrint's font subsetters. HarfBuzz's (libharfbuzz-subset0) writes no time; the
  fontTools fallback stamps the subset font's `head.modified` with the current time unless
  SOURCE_DATE_EPOCH (the reproducible-builds convention fontTools follows) is set, so it is
  set here to the shipped fonts' release date.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import os
import threading
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from flask import current_app
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal.reports.types import DimensionRating, ReportData, Trend
from portal.rubric import band

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
STATIC_SCHEME = "static:"
TEMPLATES = {"interview": "reports/interview.html", "journey": "reports/journey.html"}
CONTENT_TYPES = {".css": "text/css", ".otf": "font/otf", ".ttf": "font/ttf"}
ACCENT = "#0f5f5c"
TRACK = "#eef1f4"
GRID = "#d9dee5"

# Inter 4.0's release date (2023-11-16): fontTools' subsetter stamps fonts with this, not now.
FONT_TIMESTAMP = "1700092800"
os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_TIMESTAMP)

# Pango and the shared font configuration are not safe to use from two threads at once.
_render_lock = threading.Lock()


class ResourceRefused(ValueError):
    """A report tried to load something other than a file under static/."""


def resolve_static_url(url: str, root: Path = STATIC_DIR) -> Path:
    """The file under `root` that a "static:" URL names; ResourceRefused for anything else."""
    if not url.startswith(STATIC_SCHEME):
        raise ResourceRefused(f"only {STATIC_SCHEME} URLs are loaded: {url[:80]!r}")
    relative = unquote(url[len(STATIC_SCHEME) :].split("?", 1)[0].split("#", 1)[0])
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if not parts or relative.startswith("/") or ".." in parts or "\x00" in relative:
        raise ResourceRefused(f"not a path inside static/: {url[:80]!r}")
    base = root.resolve()
    path = base.joinpath(*parts).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise ResourceRefused(f"no such static file: {url[:80]!r}")
    return path


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves files under static/ and refuses everything else."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        super().__init__(allowed_protocols=())
        self.root = root

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        try:
            path = resolve_static_url(url, self.root)
        except ResourceRefused:
            log.warning("report resource refused: %.80s", url)
            raise
        content_type = CONTENT_TYPES.get(path.suffix) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


@functools.cache
def font_config() -> FontConfiguration:
    """The process-wide font configuration: fonts are loaded once, not on every render."""
    return FontConfiguration()


def render_html(data: ReportData) -> str:
    """The report as HTML, from templates/reports/<kind>.html."""
    template = current_app.jinja_env.get_template(TEMPLATES[data.kind])
    return template.render(
        report=data,
        long_date=long_date,
        bar_chart=bar_chart,
        trend_chart=trend_chart,
        trend_text=trend_text,
    )


def render_pdf(data: ReportData) -> bytes:
    """The candidate's report as a tagged PDF (PDF/UA-1) with title, language and author."""
    return html_to_pdf(render_html(data))


def html_to_pdf(html: str) -> bytes:
    """Lay out report HTML with the static-only fetcher and the shared fonts."""
    with _render_lock:
        document = HTML(string=html, url_fetcher=StaticFilesFetcher())
        return document.write_pdf(pdf_variant="pdf/ua-1", font_config=font_config())


def long_date(value: date | None) -> str:
    """A date as the report prints it: 3 March 2026."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def bar_chart(rating: DimensionRating) -> Markup:
    """A horizontal 1-5 bar for one rating, with a text alternative."""
    width, height = 400, 14
    tick = Markup('<line x1="{x}" y1="0" x2="{x}" y2="{h}" stroke="#ffffff" stroke-width="2"/>')
    ticks = Markup("").join(tick.format(x=width * i // 5, h=height) for i in range(1, 5))
    return Markup(
        '<svg class="bar" role="img" aria-label="{title}" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" preserveAspectRatio="none" '
        'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
        '<rect x="0" y="0" width="{w}" height="{h}" rx="3" fill="{track}"/>'
        '<rect x="0" y="0" width="{filled}" height="{h}" rx="3" fill="{accent}"/>'
        "{ticks}</svg>"
    ).format(
        title=_chart_title(rating),
        w=width,
        h=height,
        filled=width * (rating.score or 0) // 5,
        track=TRACK,
        accent=ACCENT,
        ticks=ticks,
    )


def _chart_title(rating: DimensionRating) -> str:
    if rating.score is None:
        return f"{rating.label}: not rated"
    return f"{rating.label}: {rating.score} out of 5, {rating.band}"


def trend_chart(trend: Trend, labels: tuple[str, ...] = ()) -> Markup:
    """A small line chart of one dimension's scores across interviews (1-5 scale)."""
    width, height, pad, left = 180, 72, 8, 18
    count = len(trend.scores)
    span = width - left - pad

    def x(index: int) -> str:
        return f"{left + (span * index / (count - 1) if count > 1 else span / 2):.1f}"

    def y(score: int) -> str:
        return f"{height - pad - (height - 2 * pad) * (score - 1) / 4:.1f}"

    gridline = Markup(
        '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="{stroke}"/>'
    )
    grid = Markup("").join(
        gridline.format(
            x1=left, x2=width - pad, y=y(s), colour=GRID, stroke=1 if s in (1, 5) else 0.6
        )
        for s in range(1, 6)
    )
    axis_label = Markup(
        '<text x="0" y="{y}" font-family="BetterOff Inter" font-size="9" fill="#5a6472">'
        "{text}</text>"
    )
    axis = Markup("").join(axis_label.format(y=float(y(s)) + 3, text=s) for s in (1, 5))
    points = [(x(i), y(s)) for i, s in enumerate(trend.scores) if s is not None]
    line = Markup("")
    if len(points) > 1:
        line = Markup(
            '<polyline points="{points}" fill="none" stroke="{accent}" stroke-width="2.5"/>'
        ).format(points=" ".join(f"{px},{py}" for px, py in points), accent=ACCENT)
    dot = Markup(
        '<circle cx="{x}" cy="{y}" r="4" fill="{accent}" stroke="#ffffff" stroke-width="1.5"/>'
    )
    dots = Markup("").join(dot.format(x=px, y=py, accent=ACCENT) for px, py in points)
    return Markup(
        '<svg class="trend" role="img" aria-label="{title}" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
        "{grid}{axis}{line}{dots}</svg>"
    ).format(
        title=_trend_title(trend, labels),
        w=width,
        h=height,
        grid=grid,
        axis=axis,
        line=line,
        dots=dots,
    )


def trend_text(trend: Trend) -> str:
    """The trend as printed under its chart: "2 → 5, now strong"."""
    shown = " → ".join("–" if score is None else str(score) for score in trend.scores)
    latest = next((s for s in reversed(trend.scores) if s is not None), None)
    return f"{shown}, now {band(latest)}"


def _trend_title(trend: Trend, labels: tuple[str, ...]) -> str:
    parts = []
    for i, score in enumerate(trend.scores):
        shown = "not rated" if score is None else f"{score} out of 5"
        parts.append(f"{shown} ({labels[i].lower()})" if i < len(labels) else shown)
    return f"{trend.label} across your interviews: {', then '.join(parts)}"
