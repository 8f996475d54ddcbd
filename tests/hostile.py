"""What a hostile visitor sends: values, ids, headers, and the forms found by browsing.

Used by tests/test_hostile_input.py (bounded, part of `make test`) and by
benchmarks/hostile.py (a longer run). The values cover the kinds a fuzzing run found problems
with: huge and negative numbers, blanks and whitespace, control and invisible characters, very
long strings, markup, SQL fragments and impossible dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from hypothesis import strategies as st

# Markup that must never come back unescaped in a page.
MARKUP = (
    '<script>alert("hostile")</script>',
    '"><img src=x onerror=alert("hostile")>',
    "<b onmouseover=alert('hostile')>bold</b>",
)

NUMBERS = (
    "0",
    "-1",
    "-2147483649",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "-0",
    "3.5",
    "0x10",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() says yes, int() says yes too
)

TEXT = (
    "",
    " ",
    "   \t  ",
    "\n\n",
    "\u202e\u200b\ufeff",  # right-to-left override, zero-width space, byte-order mark
    "\u200b",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\x07\x08\x0b\x0c",
    "\ud7ff\ue000",
    "Ünïcödé ✓ 😀 עברית",
    "' OR '1'='1",
    "Robert'); DROP TABLE candidates;--",
    "%s%s%n",
    "{{ 7*7 }}",
    "../../etc/passwd",
    "null",
    "[]",
    "true",
)

DATES = (
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "2026-12-31T25:61",
    "31/12/2026",
    "tomorrow",
)

LONG = ("x" * 100_000, "<" * 5_000, "é" * 20_000)

# Ids for URLs: the converter must turn every one of these into a 404, never a 500.
HOSTILE_IDS = ("0", "-1", "2147483648", "9223372036854775808", "1" + "0" * 40, "abc", "1.5")

HOSTILE_HEADERS = (
    {"X-Forwarded-For": "not-an-address, ::::1, 999.999.999.999"},
    {"X-Request-ID": "x" * 5000},
    {"If-None-Match": '"' + "a" * 3000 + '", W/"', "If-Modified-Since": "yesterday"},
    {"Range": "bytes=99999999999999999999-"},
    {"Accept-Language": "\u202e" * 50},
    {"Cookie": "session=" + "A" * 3000},
    {"Content-Type": "multipart/form-data; boundary="},
    {"Host": "evil.example:99999"},
)


def hostile_values(long: bool = True) -> st.SearchStrategy[str]:
    pools = [MARKUP, NUMBERS, TEXT, DATES] + ([LONG] if long else [])
    return st.one_of(
        *(st.sampled_from(pool) for pool in pools),
        st.text(max_size=40),
        st.integers().map(str),
        st.tuples(st.sampled_from(MARKUP), st.text(max_size=10)).map("".join),
    )


@dataclass
class FoundForm:
    """A form as a browser sees it: where it posts and its fields with their current values."""

    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values (or options)
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type / select / textarea

    def signature(self) -> tuple:
        path = re.sub(r"\d+", "N", self.action.split("?")[0])
        return (self.method, path, tuple(sorted(self.fields)))


class FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[FoundForm] = []
        self._form: FoundForm | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = FoundForm(a.get("method", "get").lower(), action)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset") or kind in ("checkbox", "radio"):
                form.fields.setdefault(name, []).append(a.get("value", "y"))
            else:
                form.fields.setdefault(name, []).append(a.get("value", ""))
            form.kinds.setdefault(name, kind)
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, [])
            form.kinds[name] = "select"
        elif tag == "option" and self._select:
            form.fields[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            form.fields.setdefault(name, [""])
            form.kinds[name] = "textarea"

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            values = self._form.fields[self._textarea]
            values[-1] += data


def forms_in(html: str, page_url: str) -> list[FoundForm]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


def reflected_markup(body: str) -> list[str]:
    """The hostile markup strings that came back unescaped."""
    return [m for m in MARKUP if m in body]
