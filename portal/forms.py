"""The one place where input is shaped and checked before any service or query sees it.

Every form in the portal derives from `Form` (query strings from `QueryForm`). Its Meta binds
each field with the shared rules for its type, so a view or a form cannot forget them:

- **Text** (StringField and its kinds, TextAreaField): cleaned by `portal.text` — Unicode NFC,
  no control or invisible formatting characters, trimmed — and refused with a message when
  something was typed but nothing visible is left. Every text field is bounded: its declared
  Length, or `TEXT_LIMITS` for its kind. `NameField` also collapses spaces and drops bidi marks.
  Passwords are bounded but never changed.
- **Numbers and ids** (IntegerField, id selects, `IdField`, `VersionField`): within the
  database's integer range, ASCII digits only; a value out of range is an error (or, for a
  version, a value that never matches), never an overflow in a query.
- **Choices** (SelectField, RadioField, `EnumField`): blank means "no choice"; anything else
  must be one of the choices; `EnumField` hands the view the enum member, never a raw string.

Bad input therefore comes back as the form with its messages and what was typed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from flask import abort, request
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, StopValidation

from portal.text import clean_name, clean_text

# The integer range every engine stores (PostgreSQL's INTEGER; SQLite's is wider).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Bounds for text fields that declare none (single line, multi-line, password).
TEXT_LIMITS = {"line": 255, "text": 10_000, "password": 256}
MAX_LIST_ITEMS = 500
MIN_YEAR, MAX_YEAR = 1900, 2199


def parse_id(raw: Any) -> int | None:
    """A database id (1 to INT_MAX) from a form or query value, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= INT_MAX else None
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= INT_MAX else None


def id_arg(name: str) -> int | None:
    """An id from the query string: None when absent, 404 when it is not a valid id."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    value = parse_id(raw)
    if value is None:
        abort(404)
    return value


def _id_or_error(raw: Any) -> int | None:
    """Coerce for id selects: blank is no choice, a bad id is an invalid choice."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = parse_id(raw)
    if value is None:
        raise ValueError("Not a valid choice.")
    return value


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls: type[enum.Enum], blank: str | None = None) -> list[SelectChoice]:
    """Options for an enum whose members have a `.label`; an optional blank first option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(m.value, getattr(m, "label", m.value)) for m in enum_cls]


def enum_or_none(enum_cls: type[enum.Enum], raw: Any) -> Any:
    """The member whose value is `raw`, or None for anything else (never ValueError)."""
    if isinstance(raw, enum_cls):
        return raw
    try:
        return enum_cls(raw)
    except ValueError:
        return None


# --- fields with a shape of their own --------------------------------------------------------


class NameField(StringField):
    """A person's or an organisation's name: one line, single spaces, no bidi marks."""


class _EnumChoice:
    """Shared by EnumField and EnumRadioField: data is the member (or None for blank)."""

    def __init__(self, label=None, validators=None, *, enum_cls, blank=None, **kwargs):
        self.enum_cls = enum_cls
        kwargs.setdefault("choices", enum_choices(enum_cls, blank))
        super().__init__(label, validators, coerce=self._coerce, **kwargs)

    def _coerce(self, raw: Any) -> Any:
        if raw is None or isinstance(raw, self.enum_cls):
            return raw
        if isinstance(raw, str) and not raw.strip():
            return None
        try:
            return self.enum_cls(raw)
        except ValueError:
            raise ValueError(self.gettext("Not a valid choice.")) from None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = None
            self.data = self._coerce(valuelist[0])  # ValueError becomes the field's message

    def pre_validate(self, form: Any) -> None:
        # A value that is not a member was already reported while coercing; a blank one is
        # for the field's validators (InputRequired) to judge.
        if self.process_errors or self.data is None:
            return
        super().pre_validate(form)


class EnumField(_EnumChoice, SelectField):
    pass


class EnumRadioField(_EnumChoice, RadioField):
    pass


class IdSelectField(SelectField):
    """A choice among database rows by id: data is the id (an int) or None when blank."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs["coerce"] = _id_or_error
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:  # a mangled id: said as plainly as an id that is not offered
            self.data = None
            raise ValueError(self.gettext("Not a valid choice.")) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors or self.data is None:
            return  # a mangled id was reported while coercing; blank is for Required
        super().pre_validate(form)


class IdField(HiddenField):
    """A hidden id: a valid id or None, never an error the person cannot see."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = parse_id(valuelist[0]) if valuelist else None

    def process_data(self, value: Any) -> None:
        self.data = parse_id(value)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class VersionField(IdField):
    """The version the object had when the form was loaded (optimistic locking)."""

    @property
    def expected(self) -> int:
        """What a save is checked against: the version *submitted* with the form. A missing or
        mangled one is -1, which never matches, so the save is refused as a conflict rather
        than overwriting (the default the form was built with does not count)."""
        submitted = parse_id(self.raw_data[0]) if self.raw_data else None
        return -1 if submitted is None else submitted


class IdListField(Field):
    """Several ids under one name (checkboxes): the valid ones, at most MAX_LIST_ITEMS."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        ids = (parse_id(v) for v in valuelist[: MAX_LIST_ITEMS * 2])
        self.data = list(dict.fromkeys(i for i in ids if i is not None))[:MAX_LIST_ITEMS]

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


class KeyListField(Field):
    """Several short keys under one name (e.g. release-check findings kept on purpose)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        keys = (clean_text(str(v))[:300] for v in valuelist[:MAX_LIST_ITEMS])
        self.data = set(k for k in keys if k)

    def process_data(self, value: Any) -> None:
        self.data = set(value or ())


# --- validators --------------------------------------------------------------------------------


class Required:
    """A choice must be made: blank (or whitespace) is refused with `message`; a value that
    was already refused (not a valid choice) keeps that message alone."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if field.errors:
            raise StopValidation()
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(self.message)


class VisibleText:
    """Refuse input that was not blank but had nothing visible (only invisible characters)."""

    message = "Use visible characters: this has only spaces, control or invisible characters."

    def __call__(self, form: Any, field: Field) -> None:
        raw = field.raw_data[0] if field.raw_data else None
        if isinstance(raw, str) and raw.strip() and not field.data:
            field.errors[:] = []
            raise StopValidation(self.message)


class SensibleDate:
    """Dates from 1900 to 2199: "9999-12-31" is a typo, and a day after it is no date at all."""

    message = "Enter a date between 1900 and 2199, like 2026-12-31."

    def __call__(self, form: Any, field: Field) -> None:
        if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
            raise StopValidation(self.message)


def _clean_line(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _clean_multiline(value: Any) -> Any:
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def _clean_name(value: Any) -> Any:
    return clean_name(value) if isinstance(value, str) else value


def _blank_choice(value: Any) -> Any:
    return "" if isinstance(value, str) and not value.strip() else value


def _has(validators: list[Any], kind: type) -> bool:
    return any(isinstance(v, kind) for v in validators)


def _bounded_range(validators: list[Any]) -> bool:
    return any(
        isinstance(v, NumberRange) and v.min is not None and v.max is not None for v in validators
    )


def shared_rules(field_class: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The filters, validators and coercion a field of this class gets, merged with its own."""
    filters = list(kwargs.get("filters") or ())
    validators = list(kwargs.get("validators") or ())
    extra: dict[str, Any] = {}
    if issubclass(field_class, PasswordField):
        if not _has(validators, Length):
            validators.append(Length(max=TEXT_LIMITS["password"]))
    elif issubclass(field_class, IdField):
        pass
    elif issubclass(field_class, StringField):
        multiline = issubclass(field_class, TextAreaField)
        if issubclass(field_class, NameField):
            filters.insert(0, _clean_name)
        else:
            filters.insert(0, _clean_multiline if multiline else _clean_line)
        if not _has(validators, Length):
            validators.append(Length(max=TEXT_LIMITS["text" if multiline else "line"]))
        if not issubclass(field_class, HiddenField):
            validators.append(VisibleText())
    elif issubclass(field_class, (DateField, DateTimeField)):
        validators.append(SensibleDate())
    elif issubclass(field_class, IntegerField):
        if not _bounded_range(validators):
            validators.append(
                NumberRange(INT_MIN, INT_MAX, "Enter a whole number of sensible size.")
            )
    elif issubclass(field_class, (SelectField, RadioField, SelectMultipleField)):
        if kwargs.get("coerce") is int:
            extra["coerce"] = _id_or_error
        if not issubclass(field_class, _EnumChoice):
            filters.insert(0, _blank_choice)
    return {**extra, "filters": filters, "validators": validators}


class Form(FlaskForm):
    """Base of every form: binds each field with `shared_rules` (see the module docstring)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            rules = shared_rules(unbound_field.field_class, unbound_field.kwargs)
            return unbound_field.bind(form=form, **options, **rules)


class QueryForm(Form):
    """Filters and searches read from the query string: the same rules, no CSRF token."""

    class Meta:
        csrf = False
