"""Declarative base, naming convention and small column helpers shared by all models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC now: every timestamp is stored as UTC without a zone, on every engine."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum], **kwargs: Any) -> sa.Enum:
    """Store an enum by its value as a short string (portable, readable in SQL)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=max(len(m.value) for m in enum_cls) + 4,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kwargs,
    )
