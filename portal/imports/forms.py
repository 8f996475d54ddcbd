from __future__ import annotations

from typing import Any

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.forms import EnumField, Form, Required, choices
from portal.imports.columns import columns_of
from portal.models import ImportKind


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class UploadForm(Form):
    kind = EnumField(
        "The file holds", enum_cls=ImportKind, validators=[Required("Choose what the file holds.")]
    )
    source = StringField(
        "Source",
        filters=[_lower],
        validators=[
            DataRequired("Name the system the file comes from, like greenhouse."),
            Length(max=40),
            Regexp(
                r"^[a-z0-9][a-z0-9_-]*$",
                message="Use lower-case letters, digits and dashes only, like greenhouse.",
            ),
        ],
        description="A short name for the system the file comes from, like greenhouse or "
        "lever. Its external ids and column choices are remembered under this name.",
    )
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv", "tsv", "txt"], "Choose a CSV file (.csv, .tsv or .txt)."),
        ],
        description="UTF-8, columns separated by commas, semicolons or tabs, a header row first.",
    )


class ConfirmForm(Form):
    """A button that changes something (import, discard): CSRF only."""


def mapping_form(kind: ImportKind, headers: list[str], prefill: dict[str, str]) -> Form:
    """One select per field of the kind, offering the file's headers."""

    class MappingForm(Form):
        pass

    options = choices([("", "— not in the file —"), *((h, h) for h in headers)])
    for column in columns_of(kind):
        validators = (
            [Required(f"Choose the column that holds {column.label.lower()}.")]
            if column.required
            else [Optional()]
        )
        setattr(
            MappingForm,
            column.name,
            SelectField(
                column.label, choices=options, validators=validators, description=column.hint
            ),
        )
    return MappingForm(data=prefill)
