"""CSV files people open in spreadsheet software: cells defused, rows streamed.

A cell that starts with =, +, -, @, a tab or a carriage return could be read as a formula by
a spreadsheet (CSV injection); such cells get a leading single quote, which the spreadsheet
shows as text. Imports store what was typed, verbatim; every export goes through `safe_cell`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text for one cell, defused if a spreadsheet could take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def stream_rows(header: Sequence[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header and then each row (every cell through `safe_cell`), as CSV text chunks of
    about 16 KB, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        if buffer.tell() > 16_384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
