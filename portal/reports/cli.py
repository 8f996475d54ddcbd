"""`flask reports build`: render every missing or stale report, on all cores or via RQ."""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import time

import click
from flask.cli import AppGroup

from portal import jobs
from portal.extensions import db
from portal.models import JobStatus
from portal.reports.store import ReportRequest, all_requests, get_or_build, is_stale
from portal.reports.types import ReportUnavailable
from portal.unit_of_work import commit

reports_cli = AppGroup("reports", help="Build and maintain candidates' PDF reports.")


@reports_cli.command("build")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that render in parallel (default: one per core).",
)
@click.option("--all", "rebuild_all", is_flag=True, help="Render even reports that are up to date.")
def build_command(workers: int | None, rebuild_all: bool) -> None:
    """Render every report that is missing or out of date."""
    requests = [r for r in all_requests() if rebuild_all or is_stale(r)]
    db.session.remove()
    if not requests:
        click.echo("Every report is up to date.")
        return
    if jobs.uses_queue():
        for request in requests:
            jobs.enqueue("render_report", {**request.to_payload(), "force": rebuild_all})
        commit()
        click.echo(f"Queued {len(requests)} report(s) for the workers (flask rq worker).")
        return
    started = time.perf_counter()
    failures = build_in_processes(requests, workers or os.cpu_count() or 1, force=rebuild_all)
    elapsed = time.perf_counter() - started
    click.echo(f"Rendered {len(requests) - len(failures)} report(s) in {elapsed:.1f}s.")
    if failures:
        _retry_as_jobs(failures, force=rebuild_all)


def _retry_as_jobs(failures: list[tuple[ReportRequest, str]], *, force: bool) -> None:
    """Reports that failed in the pool go through the job machinery: retried, and recorded
    for admins under Admin > Jobs when they still fail."""
    queued = [
        (request, error, jobs.enqueue("render_report", {**request.to_payload(), "force": force}))
        for request, error in failures
    ]
    commit()  # the jobs run now (inline), or are pushed to the workers
    still_failing = 0
    for request, error, job in queued:
        if job.status is JobStatus.FAILED:
            still_failing += 1
            click.echo(f"failed: {request} — {job.last_error or error} (job {job.id})", err=True)
    if still_failing:
        click.echo(f"{still_failing} report(s) failed; see Admin > Jobs.", err=True)
        raise SystemExit(1)
    click.echo(f"Rendered {len(failures)} more on a second attempt.")


def build_in_processes(
    requests: list[ReportRequest], workers: int, *, force: bool = False
) -> list[tuple[ReportRequest, str]]:
    """Render with a pool of forked processes, each with its own database connections."""
    failures: list[tuple[ReportRequest, str]] = []
    render = functools.partial(_render_one, force=force)
    if workers == 1:
        return _collect(map(render, requests), len(requests), failures)
    db.engine.dispose()  # connections must not be shared with the children
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_child) as pool:
        return _collect(pool.imap_unordered(render, requests, chunksize=4), len(requests), failures)


def _collect(results, total: int, failures: list) -> list[tuple[ReportRequest, str]]:
    with click.progressbar(results, length=total, label="Rendering reports", show_pos=True) as bar:
        for request, error in bar:
            if error:
                failures.append((request, error))
    return failures


def _init_child() -> None:
    # A forked child must not reuse the parent's connections, nor its signal handlers
    # (a Python-level SIGTERM handler cannot run while the child waits on a lock).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    db.engine.dispose(close=False)


def _render_one(request: ReportRequest, force: bool) -> tuple[ReportRequest, str | None]:
    try:
        get_or_build(request, force=force)
        commit()
    except ReportUnavailable:
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - reported per report, the others go on
        db.session.rollback()
        return request, str(exc)
    finally:
        db.session.remove()
    return request, None
