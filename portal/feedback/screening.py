"""The release check: screens candidate-visible feedback text before the candidate sees it.

It flags wording that creates legal risk (references to protected characteristics, "culture
fit", comparisons with other candidates) or helps nobody (verdicts with nothing behind them).
The rules are data, in screening_rules.toml next to this module; each pairs regular
expressions with the contexts that make a match harmless, so "a mature product" passes while
"a mature candidate" does not.

Offsets in findings are indices into the text exactly as it was passed in (Python string
positions), so a form can highlight them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).with_name("screening_rules.toml")

SCOPES = ("anywhere", "field")

# How far before a match an "unless" context may begin, in characters.
UNLESS_REACH = 80

_TERM = re.compile(r"\{([a-z_]+)\}")

# One character for one character, so offsets in the normalised text hold for the original.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2010": "-",
        "\u2011": "-",
    }
)

# What may surround a whole-field verdict without making it any less vague.
_FIELD_EDGES = " \t\r\n.,;:!?\u2026*-\u2013\u2014\"'()[]"


class RulesError(ValueError):
    """The rules file is malformed; the message names the rule and the problem."""


@dataclass(frozen=True)
class Finding:
    """One piece of wording the release check wants a recruiter to look at."""

    field: str
    rule_id: str
    category: str
    matched: str
    start: int
    end: int
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class Rule:
    """A screening rule as loaded from the rules file, with its regexes compiled."""

    id: str
    category: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    explanation: str
    suggestion: str
    scope: str = "anywhere"

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of every risky match in `text` that no `unless` context excuses."""
        if self.scope == "field":
            yield from self._whole_field(text)
            return
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if start < end and not self._excused(text, start, end):
                    yield start, end

    def _whole_field(self, text: str) -> Iterator[tuple[int, int]]:
        start = len(text) - len(text.lstrip(_FIELD_EDGES))
        end = len(text.rstrip(_FIELD_EDGES))
        if start >= end:
            return
        if any(p.fullmatch(text, start, end) for p in self.patterns) and not self._excused(
            text, start, end
        ):
            yield start, end

    def _excused(self, text: str, start: int, end: int) -> bool:
        # A context excuses a match when the two overlap: "parent company" excuses "parent",
        # "your faith in the tests" excuses "your faith", but "company" alone excuses nothing.
        # The same as trying `context.match` at every position from UNLESS_REACH before the
        # match to its end, with the scanning done by the regex engine: `search` finds the
        # next position where the context matches (lookbehinds still see the text before).
        lowest = max(0, start - UNLESS_REACH)
        for context in self.unless:
            position = lowest
            while position < end:
                found = context.search(text, position)
                if found is None or found.start() >= end:
                    break
                if found.end() > start:
                    return True
                position = found.start() + 1
        return False


def load_rules(path: Path = RULES_PATH) -> tuple[Rule, ...]:
    """Read and compile the rules file; raise RulesError if any rule is malformed."""
    with path.open("rb") as file:
        try:
            data = tomllib.load(file)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{path.name}: {exc}") from exc
    terms = data.get("terms", {})
    if not isinstance(terms, dict) or not all(isinstance(v, str) for v in terms.values()):
        raise RulesError("[terms] must map names to regular expressions.")
    rules = tuple(_compile_rule(entry, terms) for entry in data.get("rules", []))
    if not rules:
        raise RulesError(f"{path.name} defines no rules.")
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RulesError(f"Duplicate rule ids: {', '.join(duplicates)}.")
    return rules


@cache
def default_rules() -> tuple[Rule, ...]:
    """The project's rules, loaded once per process."""
    return load_rules(RULES_PATH)


def screen_text(text: str, field: str = "text") -> list[Finding]:
    """Screen one piece of candidate-visible text; findings come in order of position.

    Where several rules of the same category flag overlapping words, only the earliest and
    longest match is reported, so the recruiter sees one finding per problem.
    """
    if not text or not text.strip():
        return []
    normalised = text.translate(_TYPOGRAPHY)
    found: list[Finding] = []
    for rule in default_rules():
        for start, end in rule.spans(normalised):
            found.append(
                Finding(
                    field=field,
                    rule_id=rule.id,
                    category=rule.category,
                    matched=text[start:end],
                    start=start,
                    end=end,
                    explanation=rule.explanation,
                    suggestion=rule.suggestion,
                )
            )
    found.sort(key=lambda f: (f.start, f.start - f.end))
    kept: list[Finding] = []
    for finding in found:
        if not any(
            k.category == finding.category and k.start < finding.end and finding.start < k.end
            for k in kept
        ):
            kept.append(finding)
    return kept


def screen_fields(fields: Mapping[str, str | None]) -> list[Finding]:
    """Screen every non-empty field; findings in the mapping's field order, then by offset."""
    findings: list[Finding] = []
    for name, text in fields.items():
        if text:
            findings.extend(screen_text(text, field=name))
    return findings


def finding_key(finding: Finding) -> str:
    """Identifies a finding across re-renders of a page (offsets may move with edits)."""
    return f"{finding.field}:{finding.rule_id}:{finding.matched.lower()}"


class UnacknowledgedFindings(Exception):
    """Candidate-facing text has findings nobody has fixed or chosen to keep yet."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            "The release check found wording to review. Edit the text, or confirm for each "
            "finding that you want to keep it."
        )


def check_release(texts: Mapping[str, str | None], acknowledged: set[str]) -> list[Finding]:
    """The one gate for every text a candidate will read: the findings, once each of them
    is acknowledged (kept on purpose); UnacknowledgedFindings while any is not."""
    findings = screen_fields(texts)
    open_findings = [f for f in findings if finding_key(f) not in acknowledged]
    if open_findings:
        raise UnacknowledgedFindings(open_findings)
    return findings


def _compile_rule(entry: Any, terms: Mapping[str, str]) -> Rule:
    if not isinstance(entry, dict):
        raise RulesError("Each [[rules]] entry must be a table.")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RulesError("A rule has no id.")
    for key in ("category", "explanation", "suggestion"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RulesError(f"Rule {rule_id!r} needs a non-empty {key}.")
    scope = entry.get("scope", "anywhere")
    if scope not in SCOPES:
        raise RulesError(f"Rule {rule_id!r} has scope {scope!r}; use one of {', '.join(SCOPES)}.")
    known = {"id", "category", "patterns", "unless", "explanation", "suggestion", "scope"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise RulesError(f"Rule {rule_id!r} has unknown keys: {', '.join(unknown)}.")
    patterns = _strings(entry.get("patterns"), rule_id, "patterns")
    if not patterns:
        raise RulesError(f"Rule {rule_id!r} needs at least one pattern.")
    unless = _strings(entry.get("unless", []), rule_id, "unless")
    whole_words = scope == "anywhere"
    return Rule(
        id=rule_id,
        category=entry["category"].strip(),
        patterns=tuple(_compile(p, terms, rule_id, whole_words) for p in patterns),
        unless=tuple(_compile(p, terms, rule_id, True) for p in unless),
        explanation=entry["explanation"].strip(),
        suggestion=entry["suggestion"].strip(),
        scope=scope,
    )


def _strings(value: Any, rule_id: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulesError(f"Rule {rule_id!r}: {key} must be a list of non-empty strings.")
    return value


def _compile(
    source: str, terms: Mapping[str, str], rule_id: str, whole_words: bool
) -> re.Pattern[str]:
    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise RulesError(f"Rule {rule_id!r} uses unknown term {{{name}}}.")
        return f"(?:{terms[name]})"

    expanded = _TERM.sub(expand, source)
    if whole_words:
        # Like \b on both sides, but also correct where a pattern starts or ends with a
        # non-word character ("lgbtq+").
        expanded = rf"(?<!\w)(?:{expanded})(?!\w)"
    try:
        return re.compile(expanded, re.IGNORECASE)
    except re.error as exc:
        raise RulesError(f"Rule {rule_id!r} has an invalid pattern {source!r}: {exc}") from exc
