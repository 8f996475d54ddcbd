"""The release check: screens candidate-visible feedback text before the candidate sees it.

It flags wording that creates legal risk (references to protected characteristics, "culture
fit", comparisons with other candidates) or helps nobody (verdicts with nothing behind them).
The rules are data, in rules.toml next to this module; each pairs regular
expressions with the contexts that make a match harmless, so "a mature product" passes while
"a mature candidate" does not.

Offsets in findings are indices into the text exactly as it was passed in (Python string
positions), so a form can highlight them.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from pathlib import Path
from re import _constants, _parser  # noqa: PLC2701 - to read each pattern's needles
from typing import Any

import ahocorasick

RULES_PATH = Path(__file__).with_name("rules.toml")

SCOPES = ("anywhere", "field")

# How far before a match an "unless" context may begin, in characters.
UNLESS_REACH = 80

# At most this many findings are reported for one text; a text with more needs rewriting
# rather than a longer list, and the bound keeps hostile input cheap to screen.
MAX_FINDINGS = 100

# A {name} in a pattern; anything that looks like one must be a known term (quantifiers such
# as {2} or {0,3} start with a digit).
_TERM = re.compile(r"\{([A-Za-z_][\w-]*)\}")
_TABLES = {"grounds", "packs", "terms", "everywhere", "model", "rules"}
# An apostrophe outside a lookbehind or a character class, not already optional.
_APOSTROPHE = re.compile(r"(?<!\(\?<!)(?<!\(\?<=)(?:'|\\x27)(?![?*+{\]])")

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

# Letters that Python's case-insensitive matching takes for ASCII but str.casefold() does not
# fold to one ASCII letter ("İ" casefolds to two characters), so the prefilter sees them too.
_FOLD_FIRST = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(text: str) -> str:
    return text.translate(_FOLD_FIRST).casefold()


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
    ground: str = ""
    # The law (or practice) behind the finding, in each chosen pack that covers its ground.
    basis: tuple[Basis, ...] = ()


@dataclass(frozen=True)
class Basis:
    """Why a pack counts a ground: its name and the law it cites."""

    pack: str
    name: str
    law: str


@dataclass(frozen=True)
class Pack:
    """A jurisdiction's protected grounds, each with the law that protects it."""

    id: str
    name: str
    summary: str
    grounds: Mapping[str, str]
    always: bool = False  # good practice, not law: applies whichever packs are chosen


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
    ground: str = ""
    # Contexts that excuse any match in the same sentence ("… which we offer to everyone").
    sentence_unless: tuple[re.Pattern[str], ...] = ()
    # Evidence that excuses a match anywhere in the same field (a verdict with a reason).
    field_unless: tuple[re.Pattern[str], ...] = ()
    # Per pattern, words one of which every match of it contains (None: no such list), so a
    # pattern whose words are all absent from a text need not be run on it.
    needles: tuple[frozenset[str] | None, ...] = ()

    def spans(
        self,
        text: str,
        memo: dict[Any, Any] | None = None,
        patterns: tuple[re.Pattern[str], ...] | None = None,
    ) -> Iterator[tuple[int, int]]:
        """(start, end) of every risky match in `text` that no `unless` context excuses.

        `patterns`: only those of this rule that can match the text (`Rulebook.possible`);
        skipping the others changes no result. `memo` keeps where each excusing context
        matches in this text, for the rules that share it.
        """
        memo = {} if memo is None else memo
        patterns = self.patterns if patterns is None else patterns
        if not patterns:
            return
        if self.field_unless and any(c.search(text) for c in self.field_unless):
            return
        if self.scope == "field":
            yield from self._whole_field(text, patterns, memo)
            return
        for pattern in patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if start < end and not self._excused(text, start, end, memo):
                    yield start, end

    def _whole_field(
        self,
        text: str,
        patterns: tuple[re.Pattern[str], ...],
        memo: dict[Any, Any],
    ) -> Iterator[tuple[int, int]]:
        start = len(text) - len(text.lstrip(_FIELD_EDGES))
        end = len(text.rstrip(_FIELD_EDGES))
        if start >= end:
            return
        if any(p.fullmatch(text, start, end) for p in patterns) and not self._excused(
            text, start, end, memo
        ):
            yield start, end

    def _excused(
        self,
        text: str,
        start: int,
        end: int,
        memo: dict[Any, Any],
    ) -> bool:
        # A context excuses a match when the two overlap: "parent company" excuses "parent",
        # "your faith in the tests" excuses "your faith", but "company" alone excuses nothing,
        # and it may begin at most UNLESS_REACH characters before the match.
        lowest = max(0, start - UNLESS_REACH)
        for context in self.unless:
            found = memo.get(context)
            if found is None:
                found = memo[context] = _context_spans(context, text)
            starts, spans = found
            i = bisect.bisect_left(starts, lowest)
            while i < len(spans) and starts[i] < end:
                if spans[i][1] > start:
                    return True
                i += 1
        if self.sentence_unless:
            first, last = _sentence(text, start, end)
            for context in self.sentence_unless:
                key = (context, first, last)
                if key not in memo:
                    memo[key] = context.search(text, first, last) is not None
                if memo[key]:
                    return True
        return False


def _context_spans(context: re.Pattern[str], text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Where `context` matches when tried at every position of `text` (the regex engine's
    `search` finds each next position; lookbehinds still see the text before it): the
    starts, in order, and the spans."""
    spans = []
    position = 0
    while position <= len(text):
        found = context.search(text, position)
        if found is None:
            break
        spans.append(found.span())
        position = found.start() + 1
    return [span[0] for span in spans], spans


_SENTENCE_END = re.compile(r"[.!?\n]")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence around text[start:end] (ends at . ! ? or a new line)."""
    first = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    following = _SENTENCE_END.search(text, end)
    return first, following.end() if following else len(text)


@dataclass(frozen=True)
class Rulebook:
    """Everything in the rules file, compiled: the grounds, the packs and the rules, plus an
    Aho-Corasick automaton over every pattern's needles, so one pass over a text tells which
    patterns can match it at all."""

    rules: tuple[Rule, ...]
    grounds: Mapping[str, str]
    packs: Mapping[str, Pack]
    # The trained second reader and when it flags or keeps ([model]); None: rules alone.
    reader: Any = None
    flag: float = 1.1
    keep: float = 0.0
    min_words: int = 1
    automaton: Any = dataclass_field(default=None, compare=False, repr=False)
    _bases: dict[tuple[str, tuple[str, ...]], tuple[Basis, ...]] = dataclass_field(
        default_factory=dict, compare=False, repr=False
    )

    _always: dict[int, list[int]] = dataclass_field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # needle -> the (rule, pattern) positions that need it
        users: dict[str, list[tuple[int, int]]] = {}
        for r, rule in enumerate(self.rules):
            for p, needles in enumerate(rule.needles):
                if needles is None:
                    self._always.setdefault(r, []).append(p)
                    continue
                for needle in needles:
                    users.setdefault(needle, []).append((r, p))
        automaton = ahocorasick.Automaton()
        for needle, positions in users.items():
            automaton.add_word(needle, tuple(positions))
        if users:
            automaton.make_automaton()
        object.__setattr__(self, "automaton", automaton)

    @property
    def choosable(self) -> tuple[Pack, ...]:
        """The packs an admin may choose between (good practice always applies)."""
        return tuple(p for p in self.packs.values() if not p.always)

    def checked(self, packs: Collection[str] | None) -> tuple[str, ...]:
        """The pack ids to screen with: the chosen ones that exist (all when None or none
        exist) plus the packs that always apply, in the file's order."""
        chosen = set(packs or ()) & {p.id for p in self.choosable}
        if not chosen:
            chosen = {p.id for p in self.choosable}
        return tuple(p.id for p in self.packs.values() if p.always or p.id in chosen)

    def possible(self, folded: str) -> dict[int, tuple[re.Pattern[str], ...]]:
        """Rule index -> its patterns that can match `folded` (casefolded text), in order."""
        chosen: dict[int, set[int]] = {r: set(ps) for r, ps in self._always.items()}
        if len(self.automaton):
            for _, positions in self.automaton.iter(folded):
                for r, p in positions:
                    chosen.setdefault(r, set()).add(p)
        return {r: tuple(self.rules[r].patterns[p] for p in sorted(ps)) for r, ps in chosen.items()}

    def basis(self, ground: str, packs: tuple[str, ...]) -> tuple[Basis, ...]:
        """What each of `packs` says about `ground`: empty when none of them covers it."""
        key = (ground, packs)
        if key not in self._bases:
            self._bases[key] = self._basis(ground, packs)
        return self._bases[key]

    def _basis(self, ground: str, packs: tuple[str, ...]) -> tuple[Basis, ...]:
        return tuple(
            Basis(pack=pid, name=self.packs[pid].name, law=self.packs[pid].grounds[ground])
            for pid in packs
            if ground in self.packs[pid].grounds
        )


def load_rules(path: Path = RULES_PATH) -> tuple[Rule, ...]:
    """Read and compile the rules file's rules; raise RulesError if any is malformed."""
    return load_rulebook(path).rules


def load_rulebook(path: Path = RULES_PATH) -> Rulebook:
    """Read and compile the whole rules file: grounds, packs and rules."""
    with path.open("rb") as file:
        try:
            data = tomllib.load(file)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{path.name}: {exc}") from exc
    unknown = sorted(set(data) - _TABLES)
    if unknown:
        raise RulesError(f"{path.name}: unknown tables: {', '.join(unknown)}.")
    terms = data.get("terms", {})
    if not isinstance(terms, dict) or not all(isinstance(v, str) for v in terms.values()):
        raise RulesError("[terms] must map names to regular expressions.")
    for name, value in terms.items():
        if not re.fullmatch(r"[A-Za-z_][\w-]*", name):
            raise RulesError(f"Term {name!r}: a name is letters, digits, _ and -.")
        if _TERM.search(value):
            raise RulesError(f"Term {name!r} uses another term; write its words out.")
    grounds = _grounds(data.get("grounds"))
    packs = _packs(data.get("packs"), grounds)
    rules = tuple(_compile_rule(entry, terms, grounds) for entry in data.get("rules", []))
    if not rules:
        raise RulesError(f"{path.name} defines no rules.")
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RulesError(f"Duplicate rule ids: {', '.join(duplicates)}.")
    rules = _share_contexts(rules, _everywhere(data.get("everywhere"), terms))
    uncovered = sorted({r.ground for r in rules} - {g for p in packs.values() for g in p.grounds})
    if uncovered:
        raise RulesError(f"No pack covers the ground(s): {', '.join(uncovered)}.")
    flag, keep, words = _thresholds(data.get("model"))
    return Rulebook(
        rules=rules, grounds=grounds, packs=packs, flag=flag, keep=keep, min_words=words
    )


@cache
def default_rulebook() -> Rulebook:
    """The project's rules file with the trained model beside it, loaded once per process."""
    from portal.release_check.model import default_model

    return dataclasses.replace(load_rulebook(RULES_PATH), reader=default_model())


def default_rules() -> tuple[Rule, ...]:
    """The project's rules."""
    return default_rulebook().rules


def screen_text(
    text: str,
    field: str = "text",
    packs: Collection[str] | None = None,
    rulebook: Rulebook | None = None,
) -> list[Finding]:
    """Screen one piece of candidate-visible text; findings come in order of position.

    `packs` are the jurisdiction packs to apply (None: all of them); good practice always
    applies. Where several rules of the same category flag overlapping words, only the
    earliest and longest match is reported, so the recruiter sees one finding per problem.
    """
    if not text or not text.strip():
        return []
    book = rulebook or default_rulebook()
    checked = book.checked(packs)
    normalised = text.translate(_TYPOGRAPHY)
    possible = book.possible(_fold(normalised))
    memo: dict[Any, Any] = {}
    found: list[Finding] = []
    for index in sorted(possible):
        rule = book.rules[index]
        basis = book.basis(rule.ground, checked)
        if not basis:
            continue
        if len(found) >= MAX_FINDINGS * 2:
            break
        for start, end in rule.spans(normalised, memo=memo, patterns=possible[index]):
            if len(found) >= MAX_FINDINGS * 2:
                break
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
                    ground=book.grounds[rule.ground],
                    basis=basis,
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
    if book.reader is not None:
        kept = _second_reading(book, text, normalised, field, checked, kept)
    return kept[:MAX_FINDINGS]


_SENTENCE = re.compile(r"[^.!?\n]*[^.!?\s][^.!?\n]*[.!?]*")


def _second_reading(
    book: Rulebook,
    text: str,
    normalised: str,
    field: str,
    checked: tuple[str, ...],
    findings: list[Finding],
) -> list[Finding]:
    """Per sentence: drop the rules' findings where the model reads the sentence as
    clearly harmless, and flag the sentence where it reads it as clearly risky and no rule
    has the words. A finding that spans sentences (a whole-field verdict) is judged by the
    field as a whole."""
    result: list[Finding] = []
    placed: set[int] = set()  # ids of the findings that sit inside one sentence
    for sentence in _SENTENCE.finditer(normalised):
        start, end = sentence.span()
        start += len(sentence.group()) - len(sentence.group().lstrip())
        inside = [f for f in findings if start <= f.start < end and f.end <= end]
        placed.update(map(id, inside))
        risk = book.reader.risk(normalised[start:end])
        if inside:
            if risk >= book.keep:
                result += inside
            else:  # kept unless its own clause reads as harmless too
                result += [
                    f for f in inside if book.reader.risk(_clause(normalised, f)) >= book.keep
                ]
            continue
        touched = any(f.start < end and start < f.end for f in findings)
        sentence_text = normalised[start:end].rstrip()
        long_enough = len(sentence_text.split()) >= book.min_words
        question = sentence_text.endswith("?")  # asking is not judging; rules read questions
        if not touched and long_enough and not question and risk >= book.flag:
            finding = _model_finding(book, text, normalised, field, checked, start, end)
            if finding is not None:
                result.append(finding)
    spanning = [f for f in findings if id(f) not in placed]
    if spanning and book.reader.risk(normalised) >= book.keep:
        result += spanning
    result.sort(key=lambda f: (f.start, f.start - f.end))
    return result


_CLAUSE_MARKS = ".!?;:,\n()\u2013\u2014"


def _clause(normalised: str, finding: Finding) -> str:
    """The clause around a finding: from the punctuation before it to the one after."""
    first = max(normalised.rfind(mark, 0, finding.start) for mark in _CLAUSE_MARKS) + 1
    after = [i for i in (normalised.find(m, finding.end) for m in _CLAUSE_MARKS) if i >= 0]
    return normalised[first : min(after) if after else len(normalised)]


def _model_finding(
    book: Rulebook,
    text: str,
    normalised: str,
    field: str,
    checked: tuple[str, ...],
    start: int,
    end: int,
) -> Finding | None:
    """A finding for a sentence the model reads as risky, in the category it most
    resembles, explained as that category's first rule explains it."""
    category = book.reader.category(normalised[start:end])
    rule = next((r for r in book.rules if r.category == category), None)
    if rule is None:
        return None
    # What excuses the rules of that ground excuses the model's reading too: a verdict with
    # the observation behind it in the field or the sentence is not vague.
    same_ground = [r for r in book.rules if r.ground == rule.ground]
    if any(c.search(normalised) for r in same_ground for c in r.field_unless) or any(
        c.search(normalised, start, end) for c in rule.sentence_unless
    ):
        return None
    basis = book.basis(rule.ground, checked)
    if not basis:
        return None
    end = len(normalised[:end].rstrip(" .!?"))
    return Finding(
        field=field,
        rule_id="model",
        category=category,
        matched=text[start:end],
        start=start,
        end=end,
        explanation=(
            "No listed word matched, but this sentence reads like the risky examples the "
            f"release check has learned from, most like those about {category.lower()}. "
            + rule.explanation
        ),
        suggestion=rule.suggestion,
        ground=book.grounds[rule.ground],
        basis=basis,
    )


def screen_fields(
    fields: Mapping[str, str | None], packs: Collection[str] | None = None
) -> list[Finding]:
    """Screen every non-empty field; findings in the mapping's field order, then by offset."""
    findings: list[Finding] = []
    for name, text in fields.items():
        if text:
            findings.extend(screen_text(text, field=name, packs=packs))
    return findings


def finding_key(finding: Finding) -> str:
    """Identifies a finding across re-renders of a page (offsets may move with edits): one
    line, whatever the spacing of the words, short enough for a form field, so the
    checkbox that keeps it always round-trips through the form's cleaning."""
    words = " ".join(finding.matched.lower().split())
    if len(words) > 60:
        words = words[:40] + "~" + hashlib.sha256(words.encode()).hexdigest()[:16]
    return f"{finding.field[:80]}:{finding.rule_id}:{words}"


class UnacknowledgedFindings(Exception):
    """Candidate-facing text has findings nobody has fixed or chosen to keep yet."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            "The release check found wording to review. Edit the text, or confirm for each "
            "finding that you want to keep it."
        )


def check_release(
    texts: Mapping[str, str | None],
    acknowledged: Collection[str],
    packs: Collection[str] | None = None,
) -> list[Finding]:
    """The one gate for every text a candidate will read: the findings, once each of them
    is acknowledged (kept on purpose); UnacknowledgedFindings while any is not."""
    findings = screen_fields(texts, packs)
    open_findings = [f for f in findings if finding_key(f) not in acknowledged]
    if open_findings:
        raise UnacknowledgedFindings(open_findings)
    return findings


def _share_contexts(rules: tuple[Rule, ...], everywhere: Rule | None = None) -> tuple[Rule, ...]:
    """An excusing context holds for every rule of its ground: "an economic depression" is
    harmless whichever health rule noticed "depression"; those of [everywhere] hold for all."""
    by_ground: dict[str, list[re.Pattern[str]]] = {}
    in_sentence: dict[str, list[re.Pattern[str]]] = {}
    for rule in rules:
        shared = by_ground.setdefault(rule.ground, [])
        shared.extend(c for c in rule.unless if c not in shared)
        sentence = in_sentence.setdefault(rule.ground, [])
        sentence.extend(c for c in rule.sentence_unless if c not in sentence)
    common = everywhere.unless if everywhere else ()
    common_sentence = everywhere.sentence_unless if everywhere else ()
    return tuple(
        dataclasses.replace(
            r,
            unless=(*by_ground[r.ground], *common),
            sentence_unless=(*in_sentence[r.ground], *common_sentence),
        )
        for r in rules
    )


def _everywhere(raw: Any, terms: Mapping[str, str]) -> Rule | None:
    """[everywhere]: excusing contexts that hold for every rule (as a rule with no patterns)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"unless", "sentence_unless"}:
        raise RulesError("[everywhere] takes only unless and sentence_unless lists.")
    unless = _strings(raw.get("unless", []), "everywhere", "unless")
    sentence = _strings(raw.get("sentence_unless", []), "everywhere", "sentence_unless")
    return Rule(
        id="everywhere",
        category="",
        patterns=(),
        unless=tuple(_compile(p, terms, "everywhere", True) for p in unless),
        sentence_unless=tuple(_compile(p, terms, "everywhere", True) for p in sentence),
        explanation="",
        suggestion="",
    )


def _thresholds(raw: Any) -> tuple[float, float, int]:
    """[model] flag and keep, each from 0 to 1, and min_words (no table: the model never
    flags or drops anything)."""
    if raw is None:
        return 1.1, 0.0, 1
    if not isinstance(raw, dict) or set(raw) != {"flag", "keep", "min_words"}:
        raise RulesError("[model] takes flag and keep (0 to 1) and min_words.")
    flag, keep, words = raw["flag"], raw["keep"], raw["min_words"]
    if not all(isinstance(v, int | float) and 0 <= v <= 1 for v in (flag, keep)) or keep > flag:
        raise RulesError("[model] flag and keep must be from 0 to 1, keep no higher than flag.")
    if not isinstance(words, int) or not 1 <= words <= 50:
        raise RulesError("[model] min_words must be a whole number from 1 to 50.")
    return float(flag), float(keep), words


def _grounds(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise RulesError('[grounds] must name at least one ground: id = "label".')
    for key, label in raw.items():
        if not isinstance(label, str) or not label.strip():
            raise RulesError(f"Ground {key!r} needs a non-empty label.")
    return {key: label.strip() for key, label in raw.items()}


def _packs(raw: Any, grounds: Mapping[str, str]) -> dict[str, Pack]:
    if not isinstance(raw, dict) or not raw:
        raise RulesError("[packs] must define at least one pack.")
    packs: dict[str, Pack] = {}
    for pack_id, entry in raw.items():
        if not isinstance(entry, dict):
            raise RulesError(f"Pack {pack_id!r} must be a table.")
        unknown = sorted(set(entry) - {"name", "summary", "grounds", "always"})
        if unknown:
            raise RulesError(f"Pack {pack_id!r} has unknown keys: {', '.join(unknown)}.")
        for key in ("name", "summary"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RulesError(f"Pack {pack_id!r} needs a non-empty {key}.")
        covered = entry.get("grounds")
        if not isinstance(covered, dict) or not covered:
            raise RulesError(f'Pack {pack_id!r} needs grounds = {{ ground = "law" }}.')
        for ground, law in covered.items():
            if ground not in grounds:
                raise RulesError(f"Pack {pack_id!r} names unknown ground {ground!r}.")
            if not isinstance(law, str) or not law.strip():
                raise RulesError(f"Pack {pack_id!r} needs the law behind {ground!r}.")
        always = entry.get("always", False)
        if not isinstance(always, bool):
            raise RulesError(f"Pack {pack_id!r}: always must be true or false.")
        packs[pack_id] = Pack(
            id=pack_id,
            name=entry["name"].strip(),
            summary=entry["summary"].strip(),
            grounds={g: law.strip() for g, law in covered.items()},
            always=always,
        )
    if all(p.always for p in packs.values()):
        raise RulesError("[packs] needs at least one pack an admin can choose.")
    return packs


def _compile_rule(entry: Any, terms: Mapping[str, str], grounds: Mapping[str, str]) -> Rule:
    if not isinstance(entry, dict):
        raise RulesError("Each [[rules]] entry must be a table.")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RulesError("A rule has no id.")
    for key in ("category", "ground", "explanation", "suggestion"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RulesError(f"Rule {rule_id!r} needs a non-empty {key}.")
    scope = entry.get("scope", "anywhere")
    if scope not in SCOPES:
        raise RulesError(f"Rule {rule_id!r} has scope {scope!r}; use one of {', '.join(SCOPES)}.")
    if entry["ground"] not in grounds:
        raise RulesError(f"Rule {rule_id!r} names unknown ground {entry['ground']!r}.")
    known = {"id", "category", "ground", "words", "patterns", "unless", "sentence_unless"}
    known |= {"field_unless"}
    known |= {"explanation", "suggestion", "scope"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise RulesError(f"Rule {rule_id!r} has unknown keys: {', '.join(unknown)}.")
    words = _strings(entry.get("words", []), rule_id, "words")
    patterns = [_word_pattern(w) for w in words]
    patterns += _strings(entry.get("patterns", []), rule_id, "patterns")
    if not patterns:
        raise RulesError(f"Rule {rule_id!r} needs at least one word or pattern.")
    unless = _strings(entry.get("unless", []), rule_id, "unless")
    sentence = _strings(entry.get("sentence_unless", []), rule_id, "sentence_unless")
    evidence = _strings(entry.get("field_unless", []), rule_id, "field_unless")
    whole_words = scope == "anywhere"
    compiled = tuple(_compile(p, terms, rule_id, whole_words) for p in patterns)
    return Rule(
        id=rule_id,
        category=entry["category"].strip(),
        patterns=compiled,
        unless=tuple(_compile(p, terms, rule_id, True) for p in unless),
        sentence_unless=tuple(_compile(p, terms, rule_id, True) for p in sentence),
        field_unless=tuple(_compile(p, terms, rule_id, True) for p in evidence),
        explanation=entry["explanation"].strip(),
        suggestion=entry["suggestion"].strip(),
        scope=scope,
        ground=entry["ground"],
        needles=tuple(needles(p) for p in compiled),
    )


def _word_pattern(word: str) -> str:
    """A plain vocabulary entry as a pattern: case and the space or hyphen between its words
    do not matter, and its last word may take a plural or possessive ending ("hearing aid"
    also matches "hearing-aids" and "hearing aid's"). Write other forms out as entries."""
    parts = [re.escape(part) for part in re.split(r"[\s-]+", word.strip()) if part]
    return r"[\s-]+".join(parts) + r"(?:s|es|'s|s')?"


def needles(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Casefolded strings one of which every match of `pattern` contains, or None when no
    such list can be read off it. A pattern runs only on texts holding one of its needles
    (the prefilter RE2 and search engines use); the rules' results are the same without it."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - re's parser is internal; without it, always run
        return None
    found = _required(list(parsed))
    if found is None or not all(found):
        return None
    return frozenset(found)


def _required(items: list) -> frozenset[str] | None:
    """For a sequence of parsed regex items: the best set of required strings of any one item
    or literal run (longest shortest member, then fewest), or None."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _constants.LITERAL:
            run.append(chr(av).casefold())
            continue
        if run:
            options.append(frozenset({"".join(run)}))
            run = []
        child = _required_one(op, av)
        if child is not None:
            options.append(child)
    if run:
        options.append(frozenset({"".join(run)}))
    if not options:
        return None
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))


def _required_one(op: Any, av: Any) -> frozenset[str] | None:
    if op is _constants.SUBPATTERN:
        return _required(list(av[-1]))
    if op is _constants.ATOMIC_GROUP:
        return _required(list(av))
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        low, _, body = av
        return _required(list(body)) if low >= 1 else None
    if op is _constants.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _required(list(branch))
            if found is None:
                return None
            union |= found
        return frozenset(union)
    return None


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

    # People type "shes", "dont", "itd": every apostrophe a pattern spells may be left out.
    expanded = _APOSTROPHE.sub(r"\g<0>?", _TERM.sub(expand, source))
    if whole_words:
        # Like \b on both sides, but also correct where a pattern starts or ends with a
        # non-word character ("lgbtq+").
        expanded = rf"(?<!\w)(?:{expanded})(?!\w)"
    try:
        return re.compile(expanded, re.IGNORECASE)
    except re.error as exc:
        raise RulesError(f"Rule {rule_id!r} has an invalid pattern {source!r}: {exc}") from exc
