"""Marshmallow fields that apply the portal's shared input rules (portal/text.py, the limits
in portal/forms.py), so the API accepts exactly what the forms accept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from marshmallow import ValidationError, fields, validate

from portal.forms import INT_MAX, MAX_YEAR, MIN_YEAR, TEXT_LIMITS
from portal.text import clean_name, clean_text

NOTHING_VISIBLE = "Use visible characters; only spaces or invisible characters were sent."


class Text(fields.String):
    """Clean text (NFC, no control or invisible characters, trimmed), within `max`
    characters. Nothing visible left: refused when required, else None."""

    def __init__(self, *, max: int | None = None, multiline: bool = False, **kwargs: Any):
        self.limit = max or TEXT_LIMITS["text" if multiline else "line"]
        self.multiline = multiline
        # The bound is checked here rather than by a validator (which would also see the None
        # a blank optional value becomes); the document says it all the same.
        metadata = {"maxLength": self.limit, **kwargs.pop("metadata", {})}
        if not kwargs.get("allow_none"):
            metadata.setdefault("minLength", 1)
        super().__init__(metadata=metadata, **kwargs)

    def _clean(self, value: str) -> str:
        return clean_text(value, multiline=self.multiline)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > self.limit:
            raise ValidationError(f"Longer than the limit of {self.limit} characters.")
        cleaned = self._clean(text)
        if not cleaned:
            if not self.allow_none:
                raise ValidationError(NOTHING_VISIBLE)
            return None
        return cleaned


class Name(Text):
    def _clean(self, value: str) -> str:
        return clean_name(value)


class Website(Text):
    """A full http(s) address, as the company form asks for."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None:
            try:
                validate.URL(schemes={"http", "https"}, require_tld=True)(text)
            except ValidationError:
                raise ValidationError("Enter a full address such as https://example.com.") from None
        return text


class Flag(fields.Boolean):
    """true or false, as JSON writes them: no 0, 1, "yes" or "on"."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Use true or false.")
        return value


class Email(fields.String):
    def __init__(self, **kwargs: Any):
        kwargs.setdefault("validate", validate.Length(max=254))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = clean_text(super()._deserialize(value, attr, data, **kwargs))
        try:
            return validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise ValidationError("Not a valid email address.") from None


class Id(fields.Integer):
    """A database id: 1 to 2³¹−1, a JSON integer (never a string or a boolean)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("validate", validate.Range(min=1, max=INT_MAX))
        super().__init__(strict=True, **kwargs)


class Count(fields.Integer):
    def __init__(self, *, min: int, max: int, **kwargs: Any):
        kwargs.setdefault("validate", validate.Range(min=min, max=max))
        super().__init__(strict=True, **kwargs)


class ExternalId(fields.String):
    """Another system's id for a record: visible text, no spaces at the ends, 120 at most."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("validate", validate.Length(min=1, max=120))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = clean_text(super()._deserialize(value, attr, data, **kwargs))
        if not text:
            raise ValidationError(NOTHING_VISIBLE)
        return text


class Timestamp(fields.DateTime):
    """ISO 8601; with a zone it is converted to UTC; stored naive UTC like every time here."""

    def __init__(self, **kwargs: Any):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        # The year first: converting 0001-01-01T00:00+01:00 to UTC would overflow.
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise ValidationError(f"Use a date between {MIN_YEAR} and {MAX_YEAR}.")
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.replace(microsecond=0).isoformat() + "Z"
