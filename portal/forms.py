"""Form helpers shared by the blueprints."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls: type[enum.Enum], blank: str | None = None) -> list[SelectChoice]:
    """Options for an enum whose members have a `.label`; an optional blank first option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(m.value, getattr(m, "label", m.value)) for m in enum_cls]
