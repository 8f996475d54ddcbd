"""The template library's rules: creating and editing templates (every edit is a new version),
archiving, loading the shipped library, and which version a scorecard is started with.

Functions flush and audit; the unit of work commits (portal/unit_of_work.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from portal import audit, release_check
from portal.database import flush_unique
from portal.extensions import db
from portal.models import (
    Feedback,
    Interview,
    Position,
    PositionStageTemplate,
    ScorecardTemplate,
    Stage,
    TemplateVersion,
    User,
)
from portal.release_check import screening
from portal.scorecards.definition import ENGAGEMENT_ONLY, Definition, DefinitionError
from portal.unit_of_work import DomainError

LIBRARY_DIR = Path(__file__).parent / "library"
NAME_LIMIT = 80
DESCRIPTION_LIMIT = 300


class TemplateError(DomainError):
    """A rule refused the change; the message is safe to show."""


class TemplateFindings(TemplateError, screening.UnacknowledgedFindings):
    """The release check found wording the candidate would read (a skill's name or practice
    suggestions, a candidate-facing question) to fix or keep."""


def save_template(
    template: ScorecardTemplate | None,
    definition: Definition,
    *,
    actor: User | None,
    name: str,
    description: str | None = None,
    family: str | None = None,
    note: str | None = None,
    acknowledged: Collection[str] = (),
) -> ScorecardTemplate:
    """Create a template, or edit one: its definition goes into a new version unless it is
    the same as the current one (renaming alone makes no version). A new version passes the
    release check first: candidates read its skill names, practice suggestions and
    candidate-facing questions."""
    name = " ".join((name or "").split())
    if not name:
        raise TemplateError("Give the template a name.", field="name")
    if len(name) > NAME_LIMIT:
        raise TemplateError(f"Keep the name under {NAME_LIMIT} characters.", field="name")
    clash = db.session.scalar(
        select(ScorecardTemplate.id).where(
            func.lower(ScorecardTemplate.name) == name.lower(),
            ScorecardTemplate.id != (template.id if template else -1),
        )
    )
    if clash is not None:
        raise TemplateError("A template with this name already exists.", field="name")
    created = template is None
    kept: list = []
    if created or template.current.definition != definition.to_json():
        try:
            kept = release_check.check(definition.candidate_texts(), acknowledged)
        except screening.UnacknowledgedFindings as exc:
            raise TemplateFindings(exc.findings) from None
    template = template or ScorecardTemplate(family=family, created_by=actor)
    template.name = name
    template.description = (description or "").strip()[:DESCRIPTION_LIMIT] or None
    db.session.add(template)
    versioned = False
    if created or template.current.definition != definition.to_json():
        number = len(template.versions) + 1
        template.versions.append(
            TemplateVersion(
                number=number,
                definition=definition.to_json(),
                note=(note or "").strip()[:200] or None,
                created_by=actor,
            )
        )
        versioned = True
    flush_unique(TemplateError("A template with this name already exists.", field="name"))
    audit.record(
        "template_created" if created else "template_updated",
        template,
        actor=actor,
        version=template.current.number,
        new_version=versioned,
        release_check_kept=[f.rule_id for f in kept] or None,
    )
    return template


def set_archived(template: ScorecardTemplate, archived: bool, *, actor: User) -> None:
    """An archived template is no longer offered for positions; scorecards keep using theirs."""
    template.archived = archived
    db.session.flush()
    audit.record("template_archived" if archived else "template_restored", template, actor=actor)


def assign(
    position: Position,
    template: ScorecardTemplate | None,
    per_stage: dict[Stage, ScorecardTemplate | None],
    *,
    actor: User,
) -> None:
    """Set the template a position's interviews use, and where a stage uses another."""
    for chosen in [template, *per_stage.values()]:
        if chosen is not None and chosen.archived and chosen.id not in _in_use(position):
            raise TemplateError(f"The template {chosen.name} is archived; pick another.")
    position.template = template
    wanted = {stage: t for stage, t in per_stage.items() if t is not None}
    position.stage_templates = [row for row in position.stage_templates if row.stage in wanted]
    existing = {row.stage: row for row in position.stage_templates}
    for stage, chosen in wanted.items():
        row = existing.get(stage)
        if row is None:
            position.stage_templates.append(PositionStageTemplate(stage=stage, template=chosen))
        else:
            row.template = chosen
    db.session.flush()


def _in_use(position: Position) -> set[int]:
    ids = {row.template_id for row in position.stage_templates}
    if position.template_id:
        ids.add(position.template_id)
    return ids


def template_for(position: Position, stage: Stage) -> ScorecardTemplate | None:
    """The template an interview of this position at this stage is scored with."""
    for row in position.stage_templates:
        if row.stage is stage:
            return row.template
    return position.template


def version_for(interview: Interview) -> TemplateVersion | None:
    """The version a new scorecard for this interview starts with: the one the interview's
    first scorecard took (a panel scores on one version), else its template's latest."""
    first = db.session.execute(
        select(Feedback.id, Feedback.template_version_id)
        .where(Feedback.interview_id == interview.id)
        .order_by(Feedback.id)
        .limit(1)
    ).first()
    if first is not None:  # None: scored before templates, on the engagement dimensions only
        return db.session.get(TemplateVersion, first.template_version_id) if first[1] else None
    template = template_for(interview.position, interview.stage)
    return template.current if template is not None else None


def definition_of(version: TemplateVersion | None) -> Definition:
    return version.spec if version is not None else ENGAGEMENT_ONLY


def active_templates() -> list[ScorecardTemplate]:
    return list(
        db.session.scalars(
            select(ScorecardTemplate)
            .where(ScorecardTemplate.archived.is_(False))
            .order_by(func.lower(ScorecardTemplate.name))
        )
    )


# --- the shipped library ------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryEntry:
    family: str
    name: str
    description: str
    definition: Definition


def library() -> list[LibraryEntry]:
    """The shipped templates, validated (a broken file fails loudly, naming its problems)."""
    entries = []
    for path in sorted(LIBRARY_DIR.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        try:
            definition = Definition.parse(raw)
        except DefinitionError as exc:
            raise DefinitionError(
                {f"{path.name}:{k}": v for k, v in exc.problems.items()}
            ) from None
        entries.append(LibraryEntry(path.stem, raw["name"], raw.get("description", ""), definition))
    return entries


def seed_library(actor: User | None = None) -> list[str]:
    """Add the shipped templates that are missing (matched by family, then name). A template
    already here is left as it is, edits included. Returns what it did, one line each."""
    done = []
    for entry in library():
        exists = db.session.scalar(
            select(ScorecardTemplate.id).where(
                (ScorecardTemplate.family == entry.family)
                | (func.lower(ScorecardTemplate.name) == entry.name.lower())
            )
        )
        if exists is not None:
            continue
        save_template(
            None,
            entry.definition,
            actor=actor,
            name=entry.name,
            description=entry.description,
            family=entry.family,
            note="From the shipped library.",
        )
        done.append(f"added {entry.name}")
    return done
