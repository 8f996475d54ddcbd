"""`flask reports build`: render every missing or stale report, on all cores or via RQ."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import click
from flask.cli import AppGroup

from portal import jobs
from portal.extensions import db
from portal.reports.data import ReportUnavailable
from portal.reports.store import ReportRequest, all_requests, get_or_build, is_stale

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
            jobs.enqueue("render_report", request.to_payload())
        db.session.commit()
        click.echo(f"Queued {len(requests)} report(s) for the workers (flask rq worker).")
        return
    started = time.perf_counter()
    failures = build_in_processes(requests, workers or os.cpu_count() or 1)
    elapsed = time.perf_counter() - started
    click.echo(f"Rendered {len(requests) - len(failures)} report(s) in {elapsed:.1f}s.")
    for request, error in failures:
        click.echo(f"failed: {request} — {error}", err=True)
    if failures:
        raise SystemExit(1)


def build_in_processes(
    requests: list[ReportRequest], workers: int
) -> list[tuple[ReportRequest, str]]:
    """Render with a pool of forked processes, each with its own database connections."""
    failures: list[tuple[ReportRequest, str]] = []
    if workers == 1:
        results = map(_render_one, requests)
        return _collect(results, len(requests), failures)
    db.engine.dispose()  # connections must not be shared with the children
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_child) as pool:
        return _collect(
            pool.imap_unordered(_render_one, requests, chunksize=4), len(requests), failures
        )


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


def _render_one(request: ReportRequest) -> tuple[ReportRequest, str | None]:
    try:
        get_or_build(request)
        db.session.commit()
    except ReportUnavailable:
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - reported per report, the others go on
        db.session.rollback()
        return request, str(exc)
    finally:
        db.session.remove()
    return request, None
