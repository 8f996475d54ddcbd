"""One CSV row as the import reads it: through the same forms the pages use, then a service.

Each row is fed to the form a person would fill in (`CandidateForm`, `InterviewForm`) with
CSRF off, so an imported value meets exactly the rules of a typed one — text cleaned of
control and invisible characters, length limits, email addresses, dates, choices — and there
is one place those rules live (`portal/forms.py`). What the form cannot know, the import
resolves first: which candidate, position and interviewer a cell names.

A problem is said without quoting the cell ("Email: Enter an email address like …"): the
refused rows are kept for the report, and they must hold nothing personal (see
docs/csv-import.md, Privacy).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.auth.services import normalise_email
from portal.candidates.forms import CandidateForm
from portal.candidates.services import upsert_candidate
from portal.extensions import db
from portal.forms import choices
from portal.imports.columns import columns_of
from portal.interviews.forms import InterviewForm
from portal.interviews.services import upsert_interview
from portal.models import (
    STAFF,
    Candidate,
    Company,
    ImportKind,
    InterviewFormat,
    Position,
    Stage,
    User,
)
from portal.text import clean_name, clean_text


class _ExternalId:
    external_id = StringField(
        "External id",
        validators=[DataRequired("Enter the record's id in your system."), Length(max=120)],
    )


class CandidateRowForm(_ExternalId, CandidateForm):
    """A candidate as the page takes one, with the id another system knows it by."""


class InterviewRowForm(_ExternalId, InterviewForm):
    """An interview as the page takes one, with the id another system knows it by."""


@dataclass
class ReadRow:
    number: int
    external_id: str
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # What the preview shows where a value means little to a reader (an id): the cell.
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problems(form: Any, labels: dict[str, str], skip: Iterable[str] = ()) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        if name in skip or name not in labels:
            continue
        out += [f"{labels[name]}: {message}" for message in errors]
    return out


class RowReader(ABC):
    kind: ImportKind
    form_class: type
    # form field -> the column label problems are said with
    labels: dict[str, str]

    def __init__(self, source: str, mapping: dict[str, str]) -> None:
        self.source = source
        self.mapping = mapping
        self._form: Any = None

    def form(self, data: MultiDict) -> Any:
        """The row form filled with `data`: one instance per reader, processed again for each
        row (binding a form's fields costs as much as validating them)."""
        if self._form is None:
            self._form = self.form_class(formdata=data, meta={"csrf": False})
        else:
            self._form.process(formdata=data)
        return self._form

    def cell(self, record: dict[str, str], name: str) -> str:
        header = self.mapping.get(name)
        return record.get(header, "") if header else ""

    def external_id(self, record: dict[str, str]) -> str:
        return clean_text(self.cell(record, "external_id"))[:120]

    def prime(self, records: list[dict[str, str]]) -> None:
        """Look up, in a few queries, what this batch of rows refers to (a kind whose rows
        refer to nothing else has nothing to look up)."""
        return None

    @abstractmethod
    def read(self, number: int, record: dict[str, str]) -> ReadRow:
        """One row as the form reads it, with its problems."""

    @abstractmethod
    def write(self, row: ReadRow, actor: User) -> tuple[Any, str]:
        """Upsert the row's record; returns it and "created", "updated" or "unchanged"."""

    def field_label(self, field_name: str | None) -> str | None:
        return self.labels.get(field_name or "")

    def shown(self, row: ReadRow) -> list[str]:
        """The row's values as the preview shows them, in column order."""
        return [
            row.cells[c.name] if c.name in row.cells else _shown(row.values.get(c.name))
            for c in columns_of(self.kind)
        ]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (Stage, InterviewFormat)):
        return value.label
    return str(value)


class CandidateRows(RowReader):
    kind = ImportKind.CANDIDATES
    form_class = CandidateRowForm
    labels = {
        "external_id": "External id",
        "name": "Name",
        "email": "Email",
        "phone": "Phone",
        "headline": "Headline",
    }

    def read(self, number: int, record: dict[str, str]) -> ReadRow:
        data = MultiDict({name: self.cell(record, name) for name in self.labels})
        form = self.form(data)
        form.validate()
        row = ReadRow(number, form.external_id.data or "", problems=_problems(form, self.labels))
        row.values = {name: form[name].data or None for name in self.labels}
        row.values["external_id"] = row.external_id
        return row

    def write(self, row: ReadRow, actor: User) -> tuple[Any, str]:
        v = row.values
        return upsert_candidate(
            source=self.source,
            external_id=row.external_id,
            name=v["name"],
            email=v["email"],
            phone=v["phone"],
            headline=v["headline"],
            actor=actor,
        )


def _choice_values(enum_cls: Any) -> dict[str, str]:
    """What a cell may say for an enum: its value or its label, in any case."""
    names = {m.value.casefold(): m.value for m in enum_cls}
    names |= {m.label.casefold(): m.value for m in enum_cls}
    return names


STAGES, FORMATS = _choice_values(Stage), _choice_values(InterviewFormat)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
# Formats beside ISO 8601 (which datetime.fromisoformat reads, with T or a space, seconds,
# fractions, Z or an offset). Day-first with dots is unambiguous; 03/04/2026 is not, so
# slashes are read year first only.
OTHER_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")


def normalise_when(cell: str) -> str:
    """A date and time cell in the form's own format ("2026-12-31 14:30", UTC), or the cell
    as it was when it is no date we read (the form then says how to write one)."""
    text = cell.strip()
    if not _HAS_TIME.search(text):
        return text
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in OTHER_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return text
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:30+01:00: the form's date check says why
            return text
    return parsed.strftime("%Y-%m-%d %H:%M")


def _position_key(text: str) -> str:
    return " ".join(clean_name(text).casefold().split())


class InterviewRows(RowReader):
    kind = ImportKind.INTERVIEWS
    form_class = InterviewRowForm
    labels = {
        "external_id": "External id",
        "candidate_id": "Candidate",
        "position_id": "Position",
        "interviewer_id": "Lead interviewer",
        "stage": "Stage",
        "format": "Format",
        "scheduled_at": "Date and time",
        "duration_minutes": "Length in minutes",
        "location": "Location or call link",
    }

    def __init__(self, source: str, mapping: dict[str, str]) -> None:
        super().__init__(source, mapping)
        self.candidates: dict[str, int] = {}  # cell (external id, or normalised email) -> id
        self._positions: tuple[dict[str, int], dict[str, list[tuple[int, bool]]]] | None = None
        self._staff: dict[str, int] | None = None

    # --- what the cells refer to -------------------------------------------------------

    def prime(self, records: list[dict[str, str]]) -> None:
        cells = {clean_text(self.cell(r, "candidate")) for r in records} - {""}
        wanted = cells - set(self.candidates)
        if not wanted:
            return
        emails = {normalise_email(c) for c in wanted if "@" in c}
        for cid, ext, email in db.session.execute(
            select(Candidate.id, Candidate.external_id, Candidate.email).where(
                Candidate.erased_at.is_(None),
                or_(
                    (Candidate.external_source == self.source)
                    & Candidate.external_id.in_(sorted(wanted)),
                    Candidate.email.in_(sorted(emails)),
                ),
            )
        ):
            if ext is not None and ext in wanted:
                self.candidates[ext] = cid
            if email in emails:
                self.candidates.setdefault(email, cid)

    def _candidate(self, cell: str) -> int | None:
        if cell in self.candidates:
            return self.candidates[cell]
        if "@" in cell:
            return self.candidates.get(normalise_email(cell))
        return None

    def _load_positions(self) -> tuple[dict[str, int], dict[str, list[tuple[int, bool]]]]:
        if self._positions is None:
            by_external: dict[str, int] = {}
            by_name: dict[str, list[tuple[int, bool]]] = {}
            for pid, source, ext, title, is_open, company in db.session.execute(
                select(
                    Position.id,
                    Position.external_source,
                    Position.external_id,
                    Position.title,
                    Position.is_open,
                    Company.name,
                ).join(Position.company)
            ):
                if source == self.source and ext:
                    by_external[ext] = pid
                by_name.setdefault(_position_key(f"{company} / {title}"), []).append((pid, is_open))
            self._positions = (by_external, by_name)
        return self._positions

    def _position(self, cell: str) -> tuple[int | None, str | None]:
        by_external, by_name = self._load_positions()
        if cell in by_external:
            return by_external[cell], None
        found = by_name.get(_position_key(cell), [])
        if len(found) > 1:
            found = [p for p in found if p[1]] or found
        if len(found) == 1:
            return found[0][0], None
        if found:
            return None, (
                "Position: several positions have this company and title; use the position's "
                "external id."
            )
        return None, (
            "Position: no position has this external id from this source, nor this "
            "“Company / Title”."
        )

    def _interviewer(self, cell: str) -> int | None:
        if self._staff is None:
            self._staff = dict(
                db.session.execute(select(User.email, User.id).where(User.role.in_(STAFF))).all()
            )
        return self._staff.get(normalise_email(cell))

    # --- reading and writing -----------------------------------------------------------

    def read(self, number: int, record: dict[str, str]) -> ReadRow:
        problems: list[str] = []
        refs: dict[str, int | None] = {}
        cand = clean_text(self.cell(record, "candidate"))
        refs["candidate_id"] = self._candidate(cand) if cand else None
        if not cand:
            problems.append("Candidate: enter the candidate's external id or email address.")
        elif refs["candidate_id"] is None:
            problems.append(
                "Candidate: no candidate from this source has this external id, and none has "
                "this email address. Import the candidates first."
            )
        pos = clean_text(self.cell(record, "position"))
        if pos:
            refs["position_id"], problem = self._position(pos)
            problems += [problem] if problem else []
        else:
            refs["position_id"] = None
            problems.append("Position: enter the position's external id or “Company / Title”.")
        who = clean_text(self.cell(record, "interviewer"))
        refs["interviewer_id"] = self._interviewer(who) if who else None
        if refs["interviewer_id"] is None:
            problems.append(
                "Lead interviewer: enter the email address of a recruiter or admin here."
                if not who
                else "Lead interviewer: no recruiter or admin has this email address."
            )
        stage, fmt = self.cell(record, "stage"), self.cell(record, "format")
        data = MultiDict(
            {
                "external_id": self.cell(record, "external_id"),
                **{k: str(v) if v else "" for k, v in refs.items()},
                "stage": STAGES.get(stage.strip().casefold(), stage),
                "format": FORMATS.get(fmt.strip().casefold(), fmt),
                "scheduled_at": normalise_when(self.cell(record, "scheduled_at")),
                "duration_minutes": self.cell(record, "duration_minutes").strip(),
                "location": self.cell(record, "location"),
            }
        )
        form = self.form(data)
        for name, ident in refs.items():
            form[name].choices = choices([(str(ident), "")] if ident else [])
        form.validate()
        problems += [
            _enum_hint(p)
            for p in _problems(form, self.labels, skip=[k for k, v in refs.items() if v is None])
        ]
        row = ReadRow(number, form.external_id.data or "", problems=problems)
        # References show as the cells named them: ids mean nothing to the reader.
        row.cells = {
            "external_id": row.external_id,
            "candidate": cand,
            "position": pos,
            "interviewer": who,
        }
        row.values = {
            "candidate": form.candidate_id.data,
            "position": form.position_id.data,
            "interviewer": form.interviewer_id.data,
            "stage": form.stage.data,
            "format": form.format.data,
            "scheduled_at": form.scheduled_at.data,
            "duration_minutes": form.duration_minutes.data,
            "location": form.location.data or None,
        }
        return row

    def write(self, row: ReadRow, actor: User) -> tuple[Any, str]:
        v = row.values
        return upsert_interview(
            source=self.source,
            external_id=row.external_id,
            actor=actor,
            candidate_id=v["candidate"],
            position_id=v["position"],
            interviewer_id=v["interviewer"],
            stage=v["stage"],
            format=v["format"],
            scheduled_at=v["scheduled_at"],
            location=v["location"],
            duration_minutes=v["duration_minutes"],
        )


def _enum_hint(problem: str) -> str:
    if problem.startswith("Stage: Not a valid choice"):
        return "Stage: use application, first, second, final or offer."
    if problem.startswith("Format: Not a valid choice"):
        return "Format: use onsite, video or phone."
    return problem


READERS: dict[ImportKind, type[RowReader]] = {
    ImportKind.CANDIDATES: CandidateRows,
    ImportKind.INTERVIEWS: InterviewRows,
}


def reader_for(kind: ImportKind, source: str, mapping: dict[str, str]) -> RowReader:
    return READERS[kind](source, mapping)
