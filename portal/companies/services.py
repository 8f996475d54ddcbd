"""Hiring clients, partner companies and their positions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from portal import audit
from portal.database import flush_unique
from portal.extensions import db
from portal.models import Company, CompanyKind, Position, ScorecardTemplate, Stage, User
from portal.scorecards import services as scorecards
from portal.unit_of_work import DomainError


class CompanyError(DomainError):
    """The message is safe to show next to the form."""


def save_company(company: Company | None, *, actor: User, **fields: Any) -> Company:
    name = fields["name"].strip()
    clash = db.session.scalar(
        select(Company.id).where(
            func.lower(Company.name) == func.lower(name),
            Company.id != (company.id if company else -1),
        )
    )
    if clash is not None:
        raise CompanyError("A company with this name already exists.", field="name")
    created = company is None
    company = company or Company(kind=CompanyKind.CLIENT)
    company.name = name
    company.kind = CompanyKind(fields["kind"])
    company.website = (fields.get("website") or "").strip() or None
    company.notes = (fields.get("notes") or "").strip() or None
    company.active = bool(fields.get("active", True))
    db.session.add(company)
    flush_unique(CompanyError("A company with this name already exists.", field="name"))
    audit.record("company_created" if created else "company_updated", company, actor=actor)
    return company


def save_position(
    position: Position | None,
    company: Company,
    *,
    actor: User,
    template_id: int | None = None,
    stage_templates: dict[Stage, int | None] | None = None,
    **fields: Any,
) -> Position:
    title = fields["title"].strip()
    clash = db.session.scalar(
        select(Position.id).where(
            Position.company_id == company.id,
            func.lower(Position.title) == func.lower(title),
            Position.id != (position.id if position else -1),
        )
    )
    if clash is not None:
        raise CompanyError(f"{company.name} already has a position called {title}.", field="title")
    created = position is None
    position = position or Position(company=company)
    position.title = title
    position.location = (fields.get("location") or "").strip() or None
    position.description = (fields.get("description") or "").strip() or None
    position.is_open = bool(fields.get("is_open", True))
    db.session.add(position)
    per_stage = {stage: _template(tid) for stage, tid in (stage_templates or {}).items()}
    try:
        scorecards.assign(position, _template(template_id), per_stage, actor=actor)
    except scorecards.TemplateError as exc:
        raise CompanyError(str(exc), field="template_id") from None
    flush_unique(
        CompanyError(f"{company.name} already has a position called {title}.", field="title")
    )
    audit.record(
        "position_created" if created else "position_updated",
        position,
        actor=actor,
        template_id=position.template_id,
        stage_templates={row.stage.value: row.template_id for row in position.stage_templates},
    )
    return position


def _template(template_id: int | None) -> ScorecardTemplate | None:
    if template_id is None:
        return None
    template = db.session.get(ScorecardTemplate, template_id)
    if template is None:
        raise CompanyError("That scorecard template does not exist any more.", field="template_id")
    return template


def templates_offered(position: Position | None) -> list[ScorecardTemplate]:
    """The templates a position may pick: every active one, and those it already uses."""
    offered = scorecards.active_templates()
    in_use = []
    if position is not None:
        in_use = [position.template, *(row.template for row in position.stage_templates)]
    for template in in_use:
        if template is not None and template not in offered:
            offered.append(template)
    return offered
