"""The template editor: name and description, the engagement weights, and fixed rows for role
skills and questions (blank rows are ignored). Its `to_raw()` goes through `Definition.parse`,
whose problems come back on the row and field they concern."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import Form, KeyListField
from portal.rubric import RUBRIC
from portal.scorecards.definition import (
    ANCHOR_LEVELS,
    ANCHOR_LIMIT,
    MAX_PRACTICE,
    MAX_QUESTIONS,
    MAX_SKILLS,
    MEANING_LIMIT,
    NAME_LIMIT,
    PRACTICE_LIMIT,
    QUESTION_LIMIT,
    Definition,
    DefinitionError,
)
from portal.scorecards.services import DESCRIPTION_LIMIT
from portal.scorecards.services import NAME_LIMIT as TEMPLATE_NAME_LIMIT

SKILL_ROWS = range(1, MAX_SKILLS + 1)
QUESTION_ROWS = range(1, MAX_QUESTIONS + 1)


def _line(label: str, limit: int, description: str = "") -> StringField:
    return StringField(label, validators=[Optional(), Length(max=limit)], description=description)


class TemplateForm(Form):
    name = StringField("Template name", validators=[Length(max=TEMPLATE_NAME_LIMIT)])
    description = TextAreaField(
        "What roles it fits", validators=[Optional(), Length(max=DESCRIPTION_LIMIT)]
    )
    note = _line(
        "What changed in this version",
        200,
        "Kept in the version history, for whoever reads old scorecards later.",
    )
    acknowledge = KeyListField()  # release-check findings the author keeps on purpose
    submit = SubmitField("Save template")

    def skill_fields(self, n: int) -> dict[str, Any]:
        return {part: self[f"skill_{n}_{part}"] for part in SKILL_PARTS}

    def question_fields(self, n: int) -> dict[str, Any]:
        return {part: self[f"question_{n}_{part}"] for part in QUESTION_PARTS}

    def to_raw(self) -> dict[str, Any]:
        """What was typed, shaped as a definition for `Definition.parse` (blank rows left
        out; a row's number is kept in `_row` so problems find their way back)."""
        skills, questions = [], []
        for n in SKILL_ROWS:
            f = self.skill_fields(n)
            typed = [f[p].data for p in SKILL_PARTS if p not in ("key", "weight")]
            if not any((v or "").strip() for v in typed):
                continue
            skills.append(
                (
                    n,
                    {
                        "key": f["key"].data or None,
                        "name": f["name"].data,
                        "meaning": f["meaning"].data,
                        "anchors": {
                            str(level): f[f"anchor_{level}"].data for level in ANCHOR_LEVELS
                        },
                        "weight": (f["weight"].data or "1").strip(),
                        "practice": [
                            line.strip(" -•*\t")
                            for line in (f["practice"].data or "").splitlines()
                            if line.strip(" -•*\t")
                        ],
                    },
                )
            )
        for n in QUESTION_ROWS:
            f = self.question_fields(n)
            if not (f["text"].data or "").strip():
                continue
            questions.append(
                (
                    n,
                    {
                        "key": f["key"].data or None,
                        "text": f["text"].data,
                        "required": bool(f["required"].data),
                        "candidate_facing": bool(f["candidate_facing"].data),
                    },
                )
            )
        self._rows = {"skills": [n for n, _ in skills], "questions": [n for n, _ in questions]}
        return {
            "weights": {
                g.dimension.value: (self[f"weight_{g.dimension.value}"].data or "1").strip()
                for g in RUBRIC
            },
            "skills": [item for _, item in skills],
            "questions": [item for _, item in questions],
        }

    def definition(self) -> Definition | None:
        """The typed definition, or None with every problem put beside its field."""
        try:
            return Definition.parse(self.to_raw())
        except DefinitionError as exc:
            for place, message in exc.problems.items():
                self._place(place, message)
            return None

    def _place(self, place: str, message: str) -> None:
        """Put a definition problem ("skills.2.anchors.3") beside the field it concerns; one
        that names no field of its own goes beside the row's first field, or the name."""
        text = message[0].upper() + message[1:] + "."
        target = self._fields.get(self.field_name(place)) or self.name
        target.errors = [*target.errors, text]

    def field_name(self, place: str) -> str:
        """The form field a definition place ("skills.2.name") was typed in."""
        parts = place.split(".")
        if parts[0] == "weights" and len(parts) > 1:
            return f"weight_{parts[1]}"
        if parts[0] not in ("skills", "questions"):
            return "name"
        prefix, first = ("skill", "name") if parts[0] == "skills" else ("question", "text")
        rows = getattr(self, "_rows", {}).get(parts[0], [])
        if len(parts) > 2 and parts[1].isdigit() and 0 < int(parts[1]) <= len(rows):
            row = rows[int(parts[1]) - 1]
            part = f"anchor_{parts[3]}" if parts[2] == "anchors" and len(parts) > 3 else parts[2]
            if part not in (SKILL_PARTS if prefix == "skill" else QUESTION_PARTS) or part == "key":
                part = first
            return f"{prefix}_{row}_{part}"
        return f"{prefix}_1_{first}"

    def field_label(self, place: str) -> str:
        """How a finding's place reads on the form: "Skill 2: Name"."""
        name = self.field_name(place)
        field = self._fields.get(name)
        label = field.label.text if field is not None else name
        kind, _, rest = name.partition("_")
        row = rest.split("_", 1)[0]
        if kind in ("skill", "question") and row.isdigit():
            return f"{kind.capitalize()} {row}: {label}"
        return label

    @classmethod
    def prefill(cls, name: str, description: str | None, definition: Definition) -> dict:
        data: dict[str, Any] = {"name": name, "description": description}
        for g in RUBRIC:
            weight = definition.weights.get(g.dimension.value, 1)
            data[f"weight_{g.dimension.value}"] = f"{float(weight):g}"
        for n, skill in enumerate(definition.skills, start=1):
            data |= {
                f"skill_{n}_key": skill.key,
                f"skill_{n}_name": skill.name,
                f"skill_{n}_meaning": skill.meaning,
                f"skill_{n}_weight": f"{skill.weight:g}",
                f"skill_{n}_practice": "\n".join(skill.practice),
            }
            for level in ANCHOR_LEVELS:
                data[f"skill_{n}_anchor_{level}"] = skill.anchors.get(level)
        for n, question in enumerate(definition.questions, start=1):
            data |= {
                f"question_{n}_key": question.key,
                f"question_{n}_text": question.text,
                f"question_{n}_required": question.required,
                f"question_{n}_candidate_facing": question.candidate_facing,
            }
        return data


SKILL_PARTS = ("key", "name", "meaning", "anchor_1", "anchor_3", "anchor_5", "weight", "practice")
QUESTION_PARTS = ("key", "text", "required", "candidate_facing")

for _g in RUBRIC:
    setattr(
        TemplateForm,
        f"weight_{_g.dimension.value}",
        _line(_g.label, 8, "0 leaves it out of the overall score; 1 is normal; up to 5."),
    )

for _n in SKILL_ROWS:
    for _part, _field in {
        "key": HiddenField(),
        "name": _line("Skill", NAME_LIMIT),
        "meaning": _line("What it means", MEANING_LIMIT),
        "anchor_1": _line("What a 1 looks like", ANCHOR_LIMIT),
        "anchor_3": _line("What a 3 looks like", ANCHOR_LIMIT),
        "anchor_5": _line("What a 5 looks like", ANCHOR_LIMIT),
        "weight": _line("Weight", 8, "0.5 to 5; 1 is normal."),
        "practice": TextAreaField(
            "Practice suggestions for a low rating",
            validators=[Optional(), Length(max=MAX_PRACTICE * (PRACTICE_LIMIT + 1))],
            description=f"Up to {MAX_PRACTICE}, one per line, written to the candidate.",
        ),
    }.items():
        setattr(TemplateForm, f"skill_{_n}_{_part}", _field)

for _n in QUESTION_ROWS:
    for _part, _field in {
        "key": HiddenField(),
        "text": _line("Question", QUESTION_LIMIT),
        "required": BooleanField("The interviewer must answer it"),
        "candidate_facing": BooleanField("The candidate reads the answer"),
    }.items():
        setattr(TemplateForm, f"question_{_n}_{_part}", _field)


class ArchiveForm(Form):
    submit = SubmitField("Archive")
