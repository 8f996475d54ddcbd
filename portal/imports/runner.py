"""Running an import: batches of IMPORT_BATCH_SIZE rows, each a job and a transaction.

`start_import` queues the first batch; each batch reads its rows (through the forms, see
`portal/imports/rows.py`), writes each one in a savepoint through the upsert services, adds
to the run's counts and refused rows, and queues the next batch in the same transaction, or
finishes the run (and deletes its file once that commits). A batch checks that the run stands
where it expects (`processed_rows`), so one queued twice does nothing the second time, and a
lost one can be queued again (`resume_import`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from portal import audit, jobs
from portal.extensions import db
from portal.imports.columns import missing_required
from portal.imports.rows import ReadRow, RowReader, reader_for
from portal.imports.services import (
    ImportRefused,
    batch_size,
    check_waiting,
    fail_run,
    forget_file,
    read_rows,
    stored_file,
)
from portal.models import ImportRun, ImportStatus, Job, JobStatus, User, utcnow
from portal.unit_of_work import PENDING, DomainError

log = logging.getLogger(__name__)


def start_import(run: ImportRun, *, actor: User) -> None:
    """Queue the import's first batch (it runs once this transaction commits)."""
    check_waiting(run)
    missing = missing_required(run.kind, run.columns or {})
    if missing:
        raise ImportRefused("Choose the file's columns first.")
    run.status = ImportStatus.RUNNING
    run.started_at = utcnow()
    run.processed_rows = 0
    run.created_count = run.updated_count = run.unchanged_count = run.refused_count = 0
    run.refused = []
    audit.record("import_started", run, actor=actor, rows=run.total_rows)
    jobs.enqueue("import.run", {"run_id": run.id})


@jobs.handler("import.run")
def import_batch(payload: dict[str, Any]) -> None:
    """One batch of rows: read, write, count; then queue the next batch, or finish."""
    run = db.session.get(ImportRun, payload["run_id"])
    start = int(payload.get("after", 0))
    if run is None or run.status is not ImportStatus.RUNNING or run.processed_rows != start:
        return  # done already (a batch that was queued twice), or stopped
    actor = db.session.get(User, run.created_by_id) if run.created_by_id else None
    if stored_file(run) is None or actor is None:
        fail_run(run, "The uploaded file is no longer here; upload it again.")
        return
    reader = reader_for(run.kind, run.source, run.columns)
    stop = start + batch_size()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    refused: list[dict[str, Any]] = []
    done = 0
    for row in read_rows(run, reader, start, stop):
        done += 1
        outcome = _write(reader, row, actor) if row.ok else None
        if outcome in counts:
            counts[outcome] += 1
        else:
            refused.append(
                {"row": row.number, "external_id": row.external_id, "problems": row.problems}
            )
    run.created_count += counts["created"]
    run.updated_count += counts["updated"]
    run.unchanged_count += counts["unchanged"]
    run.refused_count += len(refused)
    if refused:
        run.refused = [*run.refused, *refused]
    run.processed_rows = start + done
    if done == batch_size() and run.processed_rows < run.total_rows:
        jobs.enqueue("import.run", {"run_id": run.id, "after": run.processed_rows})
    else:
        _finish(run)


# Without Redis a batch runs right after the commit that queued it; one still queued this
# long after was lost with its process (a web worker killed at its timeout, say).
STALLED_AFTER = timedelta(minutes=2)


def stalled_batch(run: ImportRun) -> Job | None:
    """The queued batch of a running import that no process is running any more (inline jobs
    only: with Redis, workers re-queue abandoned jobs themselves), else None."""
    if run.status is not ImportStatus.RUNNING or jobs.uses_queue():
        return None
    queued = db.session.scalars(
        select(Job)
        .where(Job.kind == "import.run", Job.status == JobStatus.QUEUED)
        .order_by(Job.id.desc())
        .limit(100)
    )
    job = next((j for j in queued if j.payload.get("run_id") == run.id), None)
    if job is None or utcnow() - job.created_at < STALLED_AFTER:
        return None
    return job


def resume_import(run: ImportRun, *, actor: User) -> None:
    """Carry on from the last batch that committed, when the one after it was lost."""
    lost = stalled_batch(run)
    if lost is None:
        raise ImportRefused("This import is not stalled; it carries on by itself.")
    lost.status, lost.finished_at = JobStatus.CANCELLED, utcnow()
    audit.record("import_resumed", run, actor=actor, after=run.processed_rows)
    jobs.enqueue("import.run", {"run_id": run.id, "after": run.processed_rows})


def _write(reader: RowReader, row: ReadRow, actor: User) -> str | None:
    """Write one row in a savepoint: "created", "updated" or "unchanged", or None when it
    was refused (its problems then added to the row). Side effects it queued (webhooks, say)
    are dropped with a refused row, as `attempt` does."""
    pending = db.session.info.setdefault(PENDING, [])
    mark = len(pending)
    savepoint = db.session.begin_nested()
    try:
        _, outcome = reader.write(row, actor)
        db.session.flush()
    except Exception as exc:  # noqa: BLE001 - one row's failure must not stop the others
        savepoint.rollback()
        del pending[mark:]
        if isinstance(exc, DomainError):
            label = reader.field_label(exc.field)
            row.problems.append(f"{label}: {exc}" if label else str(exc))
        else:
            log.warning("import row %s failed: %s", row.number, type(exc).__name__)
            row.problems.append("This row could not be saved (an unexpected error); try again.")
        return None
    savepoint.commit()
    return outcome


def _finish(run: ImportRun) -> None:
    run.status = ImportStatus.DONE
    run.finished_at = utcnow()
    forget_file(run)
    audit.record(
        "import_finished",
        run,
        actor=run.created_by,
        created=run.created_count,
        updated=run.updated_count,
        unchanged=run.unchanged_count,
        refused=run.refused_count,
    )
