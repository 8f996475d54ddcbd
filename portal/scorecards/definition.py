"""What a scorecard template version holds, as plain frozen data with its one validator.

A definition is stored as JSON on `template_versions.definition`, shipped as TOML in
`portal/scorecards/library/`, and typed into the admin's template form; all three pass through
`Definition.parse`, so the rules (key shapes, anchors, weights, limits) live here only. Nothing
here touches the database: the report renderer and the form read the same data.

The six engagement dimensions are not part of a definition's choice: every template rates them
(they are the product's core); a definition only weights them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.rubric import Dimension

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
ANCHOR_LEVELS = (1, 3, 5)
MAX_SKILLS = 8
MAX_QUESTIONS = 5
MAX_PRACTICE = 3
NAME_LIMIT = 60
MEANING_LIMIT = 300
ANCHOR_LIMIT = 200
PRACTICE_LIMIT = 240
QUESTION_LIMIT = 200
ANSWER_LIMIT = 4000
WEIGHT_MAX = 5.0
SKILL_WEIGHT_MIN = 0.5


class DefinitionError(ValueError):
    """What is wrong with a definition: `problems` maps a place ("skills.2.name") to a
    message a person can act on."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class Skill:
    """A role skill rated 1–5 beside the engagement dimensions."""

    key: str
    name: str
    meaning: str
    anchors: Mapping[int, str]
    weight: float = 1.0
    practice: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """A question the interviewer answers in words; the candidate reads the answer only when
    the question is candidate-facing (and it passes the release check)."""

    key: str
    text: str
    required: bool = False
    candidate_facing: bool = False


@dataclass(frozen=True)
class Definition:
    weights: Mapping[str, float] = field(default_factory=dict)  # engagement dimension -> weight
    skills: tuple[Skill, ...] = ()
    questions: tuple[Question, ...] = ()

    # --- reading ---------------------------------------------------------------------------

    def skill(self, key: str) -> Skill | None:
        return next((s for s in self.skills if s.key == key), None)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    @property
    def skill_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.skills)

    @property
    def question_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)

    def candidate_texts(self) -> dict[str, str]:
        """What the candidate reads of the template itself, keyed by place ("skills.2.name",
        1-based as in DefinitionError): skill names and practice suggestions (the report's
        action plan) and the text of candidate-facing questions."""
        texts: dict[str, str] = {}
        for n, skill in enumerate(self.skills, start=1):
            texts[f"skills.{n}.name"] = skill.name
            if skill.practice:
                texts[f"skills.{n}.practice"] = "\n".join(skill.practice)
        for n, question in enumerate(self.questions, start=1):
            if question.candidate_facing:
                texts[f"questions.{n}.text"] = question.text
        return texts

    def all_weights(self) -> dict[str, float]:
        """Every weight the overall score uses: engagement dimensions (1 unless set) and role
        skills, keyed by dimension value or skill key (the two never clash)."""
        weights = {d.value: float(self.weights.get(d.value, 1)) for d in Dimension}
        weights.update({s.key: float(s.weight) for s in self.skills})
        return weights

    # --- storing ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": {k: float(v) for k, v in self.weights.items() if float(v) != 1},
            "skills": [
                {
                    "key": s.key,
                    "name": s.name,
                    "meaning": s.meaning,
                    "anchors": {str(n): s.anchors[n] for n in ANCHOR_LEVELS},
                    "weight": float(s.weight),
                    "practice": list(s.practice),
                }
                for s in self.skills
            ],
            "questions": [
                {
                    "key": q.key,
                    "text": q.text,
                    "required": q.required,
                    "candidate_facing": q.candidate_facing,
                }
                for q in self.questions
            ],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> Definition:
        """A stored definition (already validated when it was written)."""
        raw = raw or {}
        return cls(
            weights={k: float(v) for k, v in (raw.get("weights") or {}).items()},
            skills=tuple(
                Skill(
                    key=s["key"],
                    name=s["name"],
                    meaning=s.get("meaning") or "",
                    anchors={int(n): text for n, text in (s.get("anchors") or {}).items()},
                    weight=float(s.get("weight", 1)),
                    practice=tuple(s.get("practice") or ()),
                )
                for s in raw.get("skills") or ()
            ),
            questions=tuple(
                Question(
                    key=q["key"],
                    text=q["text"],
                    required=bool(q.get("required")),
                    candidate_facing=bool(q.get("candidate_facing")),
                )
                for q in raw.get("questions") or ()
            ),
        )

    # --- validating ------------------------------------------------------------------------

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Definition:
        """Validate untrusted input (a TOML file, the admin's form) into a definition, or
        raise DefinitionError listing every problem at once."""
        problems: dict[str, str] = {}
        weights = _weights(raw.get("weights") or {}, problems)
        seen: set[str] = set()
        skills = tuple(
            s
            for n, item in enumerate(_items(raw.get("skills"), "skills", MAX_SKILLS, problems))
            if (s := _skill(item, f"skills.{n + 1}", seen, problems)) is not None
        )
        questions = tuple(
            q
            for n, item in enumerate(
                _items(raw.get("questions"), "questions", MAX_QUESTIONS, problems)
            )
            if (q := _question(item, f"questions.{n + 1}", seen, problems)) is not None
        )
        if weights and not any(weights.get(d.value, 1) for d in Dimension) and not skills:
            problems["weights"] = "at least one engagement dimension needs a weight above 0"
        if problems:
            raise DefinitionError(problems)
        return cls(weights=weights, skills=skills, questions=questions)


ENGAGEMENT_ONLY = Definition()


def slug(text: str) -> str:
    """A key made from a name: "Handling objections" -> "handling_objections"."""
    words = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    key = words[:40].rstrip("_") or "item"
    return key if key[0].isalpha() else f"k_{key}"[:40]


def _items(raw: Any, where: str, limit: int, problems: dict[str, str]) -> list[Mapping]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(i, Mapping) for i in raw):
        problems[where] = "must be a list of tables"
        return []
    if len(raw) > limit:
        problems[where] = f"at most {limit}"
    return list(raw)[:limit]


def _text(
    value: Any, where: str, limit: int, problems: dict[str, str], *, required: bool = True
) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems[where] = "cannot be blank"
        return ""
    if not isinstance(value, str):
        problems[where] = "must be text"
        return ""
    text = " ".join(value.split())  # one line: control characters and runs of space go
    if len(text) > limit:
        problems[where] = f"keep it under {limit} characters (it is {len(text)} now)"
    return text


def _number(value: Any, where: str, low: float, high: float, problems: dict[str, str]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems[where] = "must be a number"
        return 1.0
    try:
        number = float(value)
    except ValueError:
        problems[where] = "must be a number"
        return 1.0
    if not math.isfinite(number) or not low <= number <= high:
        problems[where] = f"must be from {low:g} to {high:g}"
        return 1.0
    return round(number, 2)


def _weights(raw: Any, problems: dict[str, str]) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        problems["weights"] = "must be a table of engagement dimensions"
        return {}
    known = {d.value for d in Dimension}
    weights = {}
    for key, value in raw.items():
        if key not in known:
            problems[f"weights.{key}"] = "is not an engagement dimension"
            continue
        weights[key] = _number(value, f"weights.{key}", 0, WEIGHT_MAX, problems)
    return weights


def _key(item: Mapping, name: str, where: str, seen: set[str], problems: dict[str, str]) -> str:
    key = item.get("key") or slug(name or "")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems[f"{where}.key"] = (
            "use 2–40 lower-case letters, digits or _, starting with a letter"
        )
    elif key in {d.value for d in Dimension}:
        problems[f"{where}.key"] = "is an engagement dimension already on every scorecard"
    elif key in seen:
        problems[f"{where}.key"] = "is used twice in this template"
    seen.add(str(key))
    return str(key)


def _skill(item: Mapping, where: str, seen: set[str], problems: dict[str, str]) -> Skill | None:
    name = _text(item.get("name"), f"{where}.name", NAME_LIMIT, problems)
    key = _key(item, name, where, seen, problems)
    meaning = _text(item.get("meaning"), f"{where}.meaning", MEANING_LIMIT, problems)
    raw_anchors = item.get("anchors") or {}
    if not isinstance(raw_anchors, Mapping):
        problems[f"{where}.anchors"] = "must give the anchors for 1, 3 and 5"
        raw_anchors = {}
    anchors = {}
    for level in ANCHOR_LEVELS:
        value = raw_anchors.get(str(level), raw_anchors.get(level))
        anchors[level] = _text(value, f"{where}.anchors.{level}", ANCHOR_LIMIT, problems)
    weight = _number(
        item.get("weight", 1), f"{where}.weight", SKILL_WEIGHT_MIN, WEIGHT_MAX, problems
    )
    raw_practice = item.get("practice") or []
    if isinstance(raw_practice, str):
        raw_practice = [raw_practice]
    if not isinstance(raw_practice, list | tuple):
        problems[f"{where}.practice"] = "must be a list of suggestions"
        raw_practice = []
    if len(raw_practice) > MAX_PRACTICE:
        problems[f"{where}.practice"] = f"at most {MAX_PRACTICE} suggestions"
    practice = tuple(
        text
        for n, value in enumerate(raw_practice[:MAX_PRACTICE])
        if (
            text := _text(
                value, f"{where}.practice.{n + 1}", PRACTICE_LIMIT, problems, required=False
            )
        )
    )
    return Skill(key, name, meaning, anchors, weight, practice)


def _question(
    item: Mapping, where: str, seen: set[str], problems: dict[str, str]
) -> Question | None:
    text = _text(item.get("text"), f"{where}.text", QUESTION_LIMIT, problems)
    key = _key(item, text, where, seen, problems)
    flags = {}
    for flag in ("required", "candidate_facing"):
        value = item.get(flag, False)
        if not isinstance(value, bool):
            problems[f"{where}.{flag}"] = "must be true or false"
            value = False
        flags[flag] = value
    return Question(key, text, **flags)
