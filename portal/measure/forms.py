"""The measure's period and grouping, read from the query string."""

from __future__ import annotations

from datetime import date

from wtforms import DateField
from wtforms.validators import Optional

from portal.forms import EnumField, QueryForm
from portal.measure.services import DEFAULT_DAYS, GroupBy, Period

DATE_HINT = "Enter a date like 2026-12-31."


def _date(label: str) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        format="%Y-%m-%d",
        description=DATE_HINT,
        invalid_value_message=DATE_HINT,
    )


class MeasureForm(QueryForm):
    """From / to (the interviews' dates) and the grouping; a value that does not parse gets a
    message next to its field and the default is used instead."""

    date_from = _date("Interviews from")
    date_to = _date("To")
    group = EnumField("Group by", enum_cls=GroupBy, validators=[Optional()])

    def period(self, today: date) -> Period:
        """The period asked for; the last DEFAULT_DAYS days up to today for what is missing.

        Call after validate(). An end before the start is refused next to the end date, and
        the default period is shown instead."""
        start = self.date_from.data if not self.date_from.errors else None
        end = self.date_to.data if not self.date_to.errors else None
        default = Period.ending(end or today)
        chosen = Period(start or default.start, end or default.end)
        if chosen.start > chosen.end:
            field = self.date_to if end is not None else self.date_from
            field.errors = [
                *field.errors,
                f"The end date is before the start date, so the last {DEFAULT_DAYS} days are "
                "shown instead.",
            ]
            return Period.ending(today)  # both fields keep what was typed
        self._show(chosen)
        return chosen

    def _show(self, period: Period) -> None:
        """Fill the empty date fields with the period shown (a field with an error keeps
        what was typed, next to its message)."""
        for field, value in ((self.date_from, period.start), (self.date_to, period.end)):
            if not field.errors:
                field.data, field.raw_data = value, None

    def group_by(self) -> GroupBy:
        return self.group.data if self.group.data and not self.group.errors else GroupBy.RECRUITER

    def query_args(self, period: Period) -> dict[str, str]:
        """The period and grouping shown, as query-string arguments (for the CSV link)."""
        return {
            "date_from": period.start.isoformat(),
            "date_to": period.end.isoformat(),
            "group": self.group_by().value,
        }
