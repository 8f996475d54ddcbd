"""Hiring clients, partner companies and their positions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from portal import audit
from portal.database import flush_unique
from portal.extensions import db
from portal.models import Company, CompanyKind, Dimension, Position, User
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
    weights: dict[str, int],
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
    if weights and not any(weights.get(d.value, 1) for d in Dimension):
        raise CompanyError("At least one engagement dimension needs a weight above 0.")
    created = position is None
    position = position or Position(company=company)
    position.title = title
    position.location = (fields.get("location") or "").strip() or None
    position.description = (fields.get("description") or "").strip() or None
    position.is_open = bool(fields.get("is_open", True))
    # Only non-default weights are stored, so the default stays visible as "1".
    position.rubric_weights = {k: v for k, v in weights.items() if v != 1}
    db.session.add(position)
    flush_unique(
        CompanyError(f"{company.name} already has a position called {title}.", field="title")
    )
    audit.record(
        "position_created" if created else "position_updated",
        position,
        actor=actor,
        weights=position.rubric_weights,
    )
    return position
