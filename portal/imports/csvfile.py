"""Reading an uploaded CSV file: refuse what is not one, and store it in one plain shape.

An upload is checked once, when it arrives: UTF-8 (with or without the byte-order mark Excel
writes), text not binary, columns separated by commas, semicolons or tabs, a header row naming
the columns, and at least one row below it. It is then stored as comma-separated UTF-8 with a
cleaned header, so every later reading (preview, each batch of the import) is a plain
`csv.reader` over a file known to be good.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal.text import clean_text
from portal.unit_of_work import DomainError

DELIMITERS = ",;\t"
# The longest cell the reader takes; the fields' own limits are far below it, so a longer
# cell is a file that is not what it says it is.
MAX_CELL = 100_000
MAX_COLUMNS = 200
MAX_HEADER = 100


class UploadError(DomainError):
    """The file cannot be imported; the message says why and what to do."""

    field = "file"


@dataclass(frozen=True)
class CsvTable:
    headers: list[str]
    rows: int
    text: str  # the whole file, comma-separated, header first


def read_upload(data: bytes) -> CsvTable:
    """The file as a table, or UploadError with a message fit to show next to the form."""
    if not data.strip():
        raise UploadError("The file is empty. Choose a CSV file with a header row and rows.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError(
            "The file is UTF-16 text, not UTF-8. Save it as “CSV UTF-8” (Excel) or UTF-8 CSV "
            "(other spreadsheets), then upload it again."
        )
    if b"\x00" in data[:65_536]:
        raise UploadError(
            "This is not a CSV text file (it holds binary data). Export a CSV file from your "
            "system or spreadsheet and upload that."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” (Excel) or UTF-8 CSV "
            "(other spreadsheets), then upload it again."
        ) from None
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous = csv.field_size_limit(MAX_CELL)
    try:
        records = list(reader)
    except csv.Error:
        raise UploadError(
            "The file could not be read as CSV: a quoted cell is not closed, or a cell is "
            f"longer than {MAX_CELL:,} characters. Export it again from your system."
        ) from None
    finally:
        csv.field_size_limit(previous)
    # Blank rows stay (as empty lines), so row numbers are those a spreadsheet shows.
    while records and not _filled(records[0]):
        records.pop(0)
    while records and not _filled(records[-1]):
        records.pop()
    if not records:
        raise UploadError("The file is empty. Choose a CSV file with a header row and rows.")
    headers = _headers(records[0])
    rows = sum(1 for row in records[1:] if _filled(row))
    if not rows:
        raise UploadError("The file has a header row but no rows below it: nothing to import.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(row if _filled(row) else [""] for row in records[1:])
    return CsvTable(headers=headers, rows=rows, text=out.getvalue())


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _sniff(text: str) -> str:
    sample = text[:65_536]
    first_line = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line or sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or a separator we do not read: the header check says which.
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _headers(row: list[str]) -> list[str]:
    if len(row) > MAX_COLUMNS:
        raise UploadError(f"The file has more than {MAX_COLUMNS} columns; import fewer at once.")
    headers = [clean_text(cell)[:MAX_HEADER] for cell in row]
    if len(headers) < 2:
        raise UploadError(
            "Only one column was found. Separate the columns with commas, semicolons or tabs, "
            "and keep the header row first."
        )
    if any(not h for h in headers):
        raise UploadError(
            "Every column needs a name in the first row (the header); at least one is blank."
        )
    if len({h.casefold() for h in headers}) != len(headers):
        raise UploadError("Two columns have the same name in the header row; rename one.")
    if any("@" in h or h.replace(".", "").isdigit() for h in headers):
        raise UploadError(
            "The first row looks like data (an email address or a number), not column names. "
            "Add a header row naming the columns, like external_id,name,email."
        )
    return headers


def store(text: str, path: Path) -> None:
    """Write the table where it waits for its import (readable by this user alone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The stored table's rows, numbered as a spreadsheet shows them (the header is row 1),
    each a {header: cell} mapping (missing cells are ""). Blank rows are skipped."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        headers = next(reader)
        previous = csv.field_size_limit(MAX_CELL)
        try:
            for number, row in enumerate(reader, start=2):
                if _filled(row):
                    cells = row + [""] * (len(headers) - len(row))
                    yield number, dict(zip(headers, cells, strict=False))
        finally:
            csv.field_size_limit(previous)
