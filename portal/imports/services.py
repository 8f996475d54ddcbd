"""CSV imports: upload, map the columns, preview every row's problems, import in batches.

An upload is checked and stored under IMPORTS_DIR (the instance folder's imports/) as
`<run id>.csv`; the import runs as jobs of IMPORT_BATCH_SIZE rows each, every batch in a
transaction of its own (so the progress bar moves and a long import never holds the database
for long), the next batch queued by the one before. Each row is read through the pages' own
forms (`portal/imports/rows.py`) and written through the upsert services, which find a record
by its external id: importing the same file again changes nothing. The file is deleted when
the import finishes; an upload never imported is deleted after IMPORT_UPLOAD_TTL_HOURS (on the
next upload, or by `flask imports purge`).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.utils import secure_filename

from portal import audit
from portal.extensions import db
from portal.imports import csvfile
from portal.imports.columns import columns_of, guess_mapping, missing_required
from portal.imports.rows import ReadRow, RowReader, reader_for
from portal.models import (
    ImportKind,
    ImportMapping,
    ImportRun,
    ImportStatus,
    User,
    utcnow,
)
from portal.unit_of_work import DomainError, after_commit

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
PROBLEMS_SHOWN = 500  # problem rows the preview lists (all are counted)
UPLOAD_TTL_HOURS = 24


class ImportRefused(DomainError):
    """The message is safe to show."""


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or 20 * 1024 * 1024)


def size_label(size: int | None = None) -> str:
    """IMPORT_MAX_BYTES (or `size`) as people read it: 20 MB, 500 KB."""
    size = max_bytes() if size is None else size
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(size // 1024, 1)} KB"


def imports_dir() -> Path:
    configured = current_app.config.get("IMPORTS_DIR")
    return Path(configured or Path(current_app.instance_path) / "imports")


def batch_size() -> int:
    return int(current_app.config.get("IMPORT_BATCH_SIZE") or 500)


# --- upload and mapping -----------------------------------------------------------------------


def create_run(
    *, kind: ImportKind, source: str, filename: str, data: bytes, actor: User
) -> ImportRun:
    """Check the upload, store it, and guess its mapping (remembered for this source and
    kind, else by the headers' names). Raises UploadError with what is wrong with the file."""
    purge_stale_uploads()
    if len(data) > max_bytes():
        raise csvfile.UploadError(
            f"The file is larger than {size_label()}. Split it and import the parts one after "
            "another."
        )
    table = csvfile.read_upload(data)
    run = ImportRun(
        kind=kind,
        source=source,
        filename=(secure_filename(filename) or "upload.csv")[:255],
        status=ImportStatus.UPLOADED,
        total_rows=table.rows,
        created_by_id=actor.id,
        columns=guess_mapping(kind, table.headers, remembered_mapping(source, kind)),
        refused=[],
    )
    db.session.add(run)
    db.session.flush()
    path = imports_dir() / f"{run.id}.csv"
    csvfile.store(table.text, path)
    run.stored_path = str(path)
    # Should this transaction roll back, the stray file is purged like a stale upload.
    audit.record(
        "import_uploaded", run, actor=actor, kind=kind.value, source=source, rows=table.rows
    )
    return run


def remembered_mapping(source: str, kind: ImportKind) -> dict[str, str]:
    mapping = db.session.scalar(
        select(ImportMapping).where(ImportMapping.source == source, ImportMapping.kind == kind)
    )
    return dict(mapping.columns) if mapping else {}


def headers_of(run: ImportRun) -> list[str]:
    path = stored_file(run)
    if path is None:
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def choose_mapping(run: ImportRun, mapping: dict[str, str], *, actor: User) -> None:
    """Keep the mapping on the run, and remember it for the next file from this source."""
    check_waiting(run)
    headers = set(headers_of(run))
    mapping = {k: v for k, v in mapping.items() if v and v in headers}
    missing = missing_required(run.kind, mapping)
    if missing:
        raise ImportRefused("Choose a column for " + ", ".join(c.label for c in missing) + ".")
    used = list(mapping.values())
    if len(set(used)) != len(used):
        raise ImportRefused("Each column can hold one field only; one was chosen twice.")
    run.columns = mapping
    remembered = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.source == run.source, ImportMapping.kind == run.kind
        )
    )
    if remembered is None:
        db.session.add(ImportMapping(source=run.source, kind=run.kind, columns=mapping))
    else:
        remembered.columns = mapping
    audit.record("import_mapped", run, actor=actor, columns=sorted(mapping))


def check_waiting(run: ImportRun) -> None:
    if run.status is not ImportStatus.UPLOADED:
        raise ImportRefused("This import has started already; upload the file again to redo it.")
    if stored_file(run) is None:
        raise ImportRefused("The uploaded file is no longer here; upload it again.")


def stored_file(run: ImportRun) -> Path | None:
    path = Path(run.stored_path) if run.stored_path else None
    return path if path is not None and path.exists() else None


# --- preview ----------------------------------------------------------------------------------


@dataclass
class Preview:
    headers: list[str]  # the import's fields, as labels
    first: list[tuple[ReadRow, list[str]]]  # the first rows: read, and shown
    problems: list[ReadRow]  # rows with problems (up to PROBLEMS_SHOWN)
    ok_count: int
    problem_count: int


def preview(run: ImportRun) -> Preview:
    """Read every row as the import would (without writing anything): the first rows as
    they would be read, and each row's problems. What only a write can tell (an email address
    another candidate uses, a panel that may no longer change) is found at import time and
    reported with the refused rows."""
    reader = reader_for(run.kind, run.source, run.columns)
    first, problems = [], []
    ok = bad = 0
    for row in read_rows(run, reader):
        if len(first) < PREVIEW_ROWS:
            first.append((row, reader.shown(row)))
        if row.ok:
            ok += 1
        else:
            bad += 1
            if len(problems) < PROBLEMS_SHOWN:
                problems.append(row)
    return Preview([c.label for c in columns_of(run.kind)], first, problems, ok, bad)


def read_rows(
    run: ImportRun, reader: RowReader, start: int = 0, stop: int | None = None
) -> Iterator[ReadRow]:
    """The rows [start, stop) of the file, read; a row whose external id an earlier row has
    already is refused (only the first of them is imported)."""
    path = stored_file(run)
    if path is None:
        return
    first_seen: dict[str, int] = {}
    chunk: list[tuple[int, dict[str, str]]] = []
    for index, (number, record) in enumerate(csvfile.records(path)):
        external_id = reader.external_id(record)
        if external_id:
            first_seen.setdefault(external_id, number)
        if index < start:
            continue
        if stop is not None and index >= stop:
            break
        chunk.append((number, record))
        if len(chunk) >= 500:
            yield from _read_chunk(reader, chunk, first_seen)
            chunk = []
    yield from _read_chunk(reader, chunk, first_seen)


def _read_chunk(
    reader: RowReader, chunk: list[tuple[int, dict[str, str]]], first_seen: dict[str, int]
) -> Iterator[ReadRow]:
    reader.prime([record for _, record in chunk])
    for number, record in chunk:
        row = reader.read(number, record)
        first = first_seen.get(row.external_id, number)
        if row.external_id and first != number:
            row.problems.append(
                f"External id: row {first} has the same one; only the first is imported."
            )
        yield row


def fail_run(run: ImportRun, message: str) -> None:
    run.status = ImportStatus.FAILED
    run.last_error = message
    run.finished_at = utcnow()
    forget_file(run)


def forget_file(run: ImportRun) -> None:
    """The upload holds personal data: it goes once its transaction has committed."""
    if run.stored_path:
        after_commit(delete_file, Path(run.stored_path))
    run.stored_path = None


def delete_file(path: Path) -> None:
    path.unlink(missing_ok=True)


def discard(run: ImportRun, *, actor: User) -> None:
    """Delete an upload that will not be imported."""
    if run.status is not ImportStatus.UPLOADED:
        raise ImportRefused("Only an upload that was not imported can be discarded.")
    fail_run(run, "Discarded before it was imported.")
    audit.record("import_discarded", run, actor=actor)


def purge_stale_uploads(now: Any = None) -> int:
    """Delete uploads that waited longer than IMPORT_UPLOAD_TTL_HOURS without being
    imported, and stray files no waiting upload owns. Returns how many runs were purged."""
    now = now or utcnow()
    hours = int(current_app.config.get("IMPORT_UPLOAD_TTL_HOURS") or UPLOAD_TTL_HOURS)
    cutoff = now - timedelta(hours=hours)
    stale = db.session.scalars(
        select(ImportRun).where(
            ImportRun.status == ImportStatus.UPLOADED, ImportRun.created_at < cutoff
        )
    ).all()
    for run in stale:
        fail_run(run, f"Not imported within {hours} hours, so the uploaded file was deleted.")
    kept = set(
        db.session.scalars(select(ImportRun.stored_path).where(ImportRun.stored_path.is_not(None)))
    )
    folder, oldest = imports_dir(), cutoff.replace(tzinfo=UTC).timestamp()
    if folder.exists():
        for path in folder.glob("*.csv"):
            if str(path) not in kept and path.stat().st_mtime < oldest:
                after_commit(delete_file, path)
    return len(stale)


# --- the report of refused rows ---------------------------------------------------------------

REPORT_HEADER = ("row", "external id", "problems")


def report_rows(run: ImportRun) -> Iterator[list[object]]:
    """The refused rows, read now: the CSV streams after the request's session has closed."""
    entries = list(run.refused or [])
    return _report_lines(entries)


def _report_lines(entries: list[dict]) -> Iterator[list[object]]:
    for entry in entries:
        yield [entry.get("row"), entry.get("external_id"), " | ".join(entry.get("problems", []))]
