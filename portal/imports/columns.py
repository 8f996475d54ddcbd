"""What each kind of import reads: its fields, and which of the file's columns hold them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.models import ImportKind


@dataclass(frozen=True)
class Column:
    name: str  # the field, as mappings store it
    label: str
    required: bool
    hint: str = ""
    aliases: tuple[str, ...] = ()


EXTERNAL_ID_HINT = "The record's id in your system: importing the same id again updates it."

COLUMNS: dict[ImportKind, list[Column]] = {
    ImportKind.CANDIDATES: [
        Column(
            "external_id",
            "External id",
            True,
            EXTERNAL_ID_HINT,
            ("id", "candidate id", "externalid", "ats id", "applicant id"),
        ),
        Column("name", "Name", True, "", ("full name", "candidate name", "candidate")),
        Column("email", "Email", True, "", ("email address", "e mail", "mail")),
        Column("phone", "Phone", False, "", ("phone number", "telephone", "mobile", "tel")),
        Column(
            "headline",
            "Headline",
            False,
            "Current role or headline.",
            ("current role", "title", "role", "current title"),
        ),
    ],
    ImportKind.INTERVIEWS: [
        Column(
            "external_id",
            "External id",
            True,
            EXTERNAL_ID_HINT,
            ("id", "interview id", "externalid", "event id"),
        ),
        Column(
            "candidate",
            "Candidate",
            True,
            "The candidate's external id from this source, or their email address.",
            ("candidate id", "candidate external id", "candidate email", "applicant id"),
        ),
        Column(
            "position",
            "Position",
            True,
            "The position's external id from this source, or “Company / Title” as "
            "BetterOff names it.",
            ("position id", "job", "job id", "role", "opening"),
        ),
        Column(
            "interviewer",
            "Lead interviewer",
            True,
            "The email address of a recruiter or admin here.",
            ("interviewer email", "lead", "lead interviewer", "recruiter", "recruiter email"),
        ),
        Column(
            "stage",
            "Stage",
            True,
            "application, first, second, final or offer (or their names).",
            ("interview stage", "step"),
        ),
        Column(
            "format",
            "Format",
            True,
            "onsite, video or phone (or their names).",
            ("interview format", "type", "interview type", "medium"),
        ),
        Column(
            "scheduled_at",
            "Date and time",
            True,
            "UTC, like 2026-12-31 14:30 or 2026-12-31T14:30:00Z; an offset is converted.",
            ("scheduled", "date", "when", "start", "start time", "date and time", "starts at"),
        ),
        Column(
            "duration_minutes",
            "Length in minutes",
            False,
            "10 to 480; blank is an hour.",
            ("duration", "length", "minutes", "duration minutes"),
        ),
        Column(
            "location",
            "Location or call link",
            False,
            "",
            ("room", "link", "call link", "meeting link", "place"),
        ),
    ],
}


def columns_of(kind: ImportKind) -> list[Column]:
    return COLUMNS[kind]


def _key(text: str) -> str:
    return re.sub(r"[\s_\-.()]+", " ", text.casefold()).strip()


def guess_mapping(
    kind: ImportKind, headers: list[str], remembered: dict[str, str] | None = None
) -> dict[str, str]:
    """field -> header: what was remembered for this source (where the file still has that
    column), else a header named like the field."""
    remembered = remembered or {}
    by_key = {_key(h): h for h in headers}
    mapping: dict[str, str] = {}
    for column in columns_of(kind):
        if remembered.get(column.name) in headers:
            mapping[column.name] = remembered[column.name]
            continue
        for candidate in (column.name, column.label, *column.aliases):
            header = by_key.get(_key(candidate))
            if header is not None and header not in mapping.values():
                mapping[column.name] = header
                break
    return mapping


def missing_required(kind: ImportKind, mapping: dict[str, str]) -> list[Column]:
    return [c for c in columns_of(kind) if c.required and not mapping.get(c.name)]
