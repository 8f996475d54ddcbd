"""axe-core in the browser tests: audit pages for WCAG 2.1 A and AA, remember what was checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BEST_PRACTICE = ["best-practice"]
BLOCKING = {"serious", "critical"}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\\n/g, ' ')),
  }));
}"""


@dataclass
class Audit:
    path: str
    title: str
    width: int
    blocking: list[dict]
    other: list[dict]
    state: str = ""

    def line(self) -> str:
        found = "no serious or critical violations"
        if self.blocking:
            found = "VIOLATIONS: " + ", ".join(v["id"] for v in self.blocking)
        minor = f" ({len(self.other)} minor/moderate: " if self.other else ""
        if minor:
            minor += ", ".join(v["id"] for v in self.other) + ")"
        state = f" ({self.state})" if self.state else ""
        return f"  {self.path}{state}  [{self.width}px]  “{self.title}”: {found}{minor}"


@cache
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8") + "\n;window.axe = axe; true;"


def page_path(url: str) -> str:
    """The address without the host, empty query fields and long tokens (for reading)."""
    parts = urlsplit(url)
    path = re.sub(r"/[\w.-]{40,}", "/<token>", parts.path)
    query = "&".join(p for p in parts.query.split("&") if p and not p.endswith("="))
    return path + (f"?{query}" if query else "")


class Auditor:
    """Audits pages with axe-core and keeps track of every page a test's browser loaded."""

    def __init__(self) -> None:
        self.audits: list[Audit] = []
        self.audited_urls: list[str] = []
        self.visited: list[str] = []

    def watch(self, page) -> None:
        def remember(frame) -> None:
            if frame == page.main_frame and frame.url.startswith("http"):
                self.visited.append(urlsplit(frame.url).path)

        page.on("framenavigated", remember)

    def check(self, page, state: str = "") -> Audit:
        """Audit the page as it is now; fail on serious or critical WCAG 2.1 AA violations.

        `state` says what is special about the page at this moment (e.g. "with errors")."""
        page.wait_for_load_state()
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated, not added as a <script>: no request to the app, nothing in the DOM.
            page.evaluate(axe_source())
        violations = page.evaluate(RUN_AXE, WCAG_TAGS)
        audit = Audit(
            path=page_path(page.url),
            title=page.title(),
            width=page.viewport_size["width"] if page.viewport_size else 0,
            blocking=[v for v in violations if v["impact"] in BLOCKING],
            other=[v for v in violations if v["impact"] not in BLOCKING],
            state=state,
        )
        self.audits.append(audit)
        self.audited_urls.append(page.url)
        assert not audit.blocking, f"axe-core on {audit.path} ({audit.title}):\n" + "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
            for v in audit.blocking
        )
        return audit

    def unaudited(self) -> list[str]:
        audited = {urlsplit(a.path).path for a in self.audits}
        audited |= {urlsplit(u).path for u in self.audited_urls}
        return sorted({p for p in self.visited if p not in audited})

    def assert_every_page_audited(self) -> None:
        missing = self.unaudited()
        assert not missing, f"pages visited but not audited with axe-core: {missing}"

    def report(self) -> str:
        if not self.audits:
            return ""
        pages = sorted({urlsplit(a.path).path for a in self.audits})
        lines = [f"{len(self.audits)} audits of {len(pages)} distinct pages:"]
        lines += [a.line() for a in self.audits]
        return "\n".join(lines)
