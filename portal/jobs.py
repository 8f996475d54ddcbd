"""Background work: run inline by default, by RQ workers when REDIS_URL is set.

Work is recorded as a Job row so admins can see what ran, what failed and why. Either way a
job starts only after the transaction that asked for it has committed (the unit of work's
after-commit queue): with Redis it is pushed to RQ then, so a worker never looks for a row
that is not there yet; without Redis it runs then, in the same process, so a failing job never
spoils the change that asked for it and a change that is rolled back asks for nothing.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal import audit, unit_of_work
from portal.extensions import db
from portal.models import Job, JobStatus, utcnow

MAX_ATTEMPTS = 3
RETRY_INTERVALS = [5, 30]
QUEUE_NAME = "betteroff"
# A job RUNNING this long is taken as abandoned even when its worker's host cannot be asked.
STALE_AFTER = timedelta(minutes=15)

log = logging.getLogger(__name__)
# A handler does one kind of job; it may return what of its payload the job keeps once done
# (e.g. nothing of a mail that was sent), or None to keep it all.
Handler = Callable[[dict[str, Any]], dict[str, Any] | None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does one kind of job."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def uses_queue() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def enqueue(kind: str, payload: dict[str, Any], *, delay: timedelta | None = None) -> Job:
    """Ask for work to be done once this transaction commits: by a worker with Redis, in
    this process without. With `delay`, not before that much time has passed: RQ's scheduler
    holds it with Redis; without, `run_due()` (`flask jobs run-due`) runs it."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    run_after = utcnow() + delay if delay else None
    job = Job(kind=kind, payload=payload, status=JobStatus.QUEUED, run_after=run_after)
    db.session.add(job)
    db.session.flush()
    _dispatch_after_commit(job)
    return job


def enqueue_once(kind: str, payload: dict[str, Any], key: str, seconds: int = 600) -> bool:
    """Like enqueue, but with a queue at most once per `key` while `seconds` last: a page
    that is reloaded while its report is being prepared does not queue the work again.
    Returns whether a job was made."""
    if uses_queue():
        claimed = redis_client(current_app.config["REDIS_URL"]).set(
            f"betteroff:once:{kind}:{key}", 1, nx=True, ex=seconds
        )
        if not claimed:
            return False
    enqueue(kind, payload)
    return True


def _dispatch_after_commit(job: Job) -> None:
    if uses_queue():
        unit_of_work.after_commit(_push, job.id, job.run_after)
    elif job.run_after is None or job.run_after <= utcnow():
        unit_of_work.after_commit(_run_inline, job.id)
    # else it waits for run_due()


def _push(job_id: int, run_after: datetime | None = None) -> None:
    """Hand a committed job to RQ (to its scheduler when it must wait)."""
    from rq import Retry

    intervals = list(current_app.config.get("JOB_RETRY_INTERVALS", RETRY_INTERVALS))
    queue = redis_queue(current_app.config["REDIS_URL"])
    wait = (run_after - utcnow()) if run_after else None
    push = (
        functools.partial(queue.enqueue_in, wait)
        if wait and wait.total_seconds() > 0
        else (queue.enqueue)
    )
    push(
        run_job,
        job_id,
        job_id=f"betteroff-job-{job_id}-{utcnow():%Y%m%d%H%M%S%f}",
        retry=Retry(max=MAX_ATTEMPTS - 1, interval=intervals),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def _run_inline(job_id: int) -> None:
    """Run a committed job here and now, up to MAX_ATTEMPTS times, recording the outcome."""
    job = db.session.get(Job, job_id)
    if job is None or job.status in (JobStatus.DONE, JobStatus.CANCELLED):
        return
    job.attempts = 0
    while job.status is not JobStatus.DONE and job.attempts < MAX_ATTEMPTS:
        job.attempts += 1
        try:
            with db.session.begin_nested():
                kept = HANDLERS[job.kind](job.payload)
        except Exception as exc:  # noqa: BLE001 - recorded on the job for admins to see
            # The error's text stays on the job (erasure scrubs it); logs cannot be erased.
            log.warning("job %s (%s) failed: %s", job.id, job.kind, type(exc).__name__)
            job.last_error = _describe(exc)
            job.status = JobStatus.FAILED
        else:
            job.status = JobStatus.DONE
            job.last_error = None
            if kept is not None:
                job.payload = kept
    job.finished_at = utcnow()


def run_due(now: datetime | None = None) -> int:
    """Run the delayed jobs whose time has come, when there is no queue to hold them
    (`flask jobs run-due`, every minute from a timer). Returns how many ran."""
    if uses_queue():
        return 0
    now = now or utcnow()
    due = db.session.scalars(
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED, Job.run_after.is_not(None), Job.run_after <= now)
        .order_by(Job.run_after, Job.id)
    ).all()
    for job_id in due:
        _run_inline(job_id)
        unit_of_work.commit()
    return len(due)


class JobError(unit_of_work.DomainError):
    """The message is safe to show."""


def retry(job: Job) -> None:
    """Run a failed job again (admins do this from the jobs page)."""
    if job.status is not JobStatus.FAILED:
        raise JobError("Only failed jobs can be retried.")
    audit.record("job_retried", job)
    job.status = JobStatus.QUEUED
    job.attempts = 0
    job.last_error = None
    db.session.flush()
    _dispatch_after_commit(job)


def run_job(job_id: int) -> None:
    """Entry point for RQ workers (they run with an app context: see `flask rq worker`)."""
    try:
        _run_job(job_id)
    finally:
        db.session.remove()  # a long-lived worker starts every job with a fresh session


def _run_job(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.status in (JobStatus.DONE, JobStatus.CANCELLED):
        return
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.started_at, job.worker = utcnow(), worker_name()
    db.session.commit()
    try:
        kept = HANDLERS[job.kind](job.payload)
        # The work and its "done" commit together: a worker killed in between cannot leave
        # work on record under a job that still says it is running.
        job = db.session.get(Job, job_id)
        job.status = JobStatus.DONE
        job.finished_at = utcnow()
        if kept is not None:
            job.payload = kept
        unit_of_work.commit()
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.last_error = _describe(exc)
        job.status = JobStatus.FAILED if job.attempts >= MAX_ATTEMPTS else JobStatus.QUEUED
        job.finished_at = utcnow() if job.status is JobStatus.FAILED else None
        db.session.commit()
        raise  # RQ retries it


def forget_queued(job_ids: list[int]) -> int:
    """Delete the Redis copies (queued, finished or failed) of these jobs: RQ keeps a job's
    arguments, result and error text there. Returns how many were deleted."""
    from rq.job import Job as RQJob

    connection = redis_client(current_app.config["REDIS_URL"])
    deleted = 0
    for job_id in job_ids:
        for key in connection.scan_iter(match=f"rq:job:betteroff-job-{job_id}-*"):
            rq_id = key.decode().removeprefix("rq:job:")
            try:
                RQJob.fetch(rq_id, connection=connection).delete(remove_from_queue=True)
            except Exception:  # noqa: BLE001 - a half-written job: drop its key at least
                connection.delete(key)
            deleted += 1
    return deleted


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive_here(worker: str | None) -> bool | None:
    """Whether the process named "host:pid" runs; None when it is on another host."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned() -> list[int]:
    """Queue again the jobs a killed worker left behind, and queued jobs Redis has lost.

    A job is abandoned when it is RUNNING in a worker process of this host that no longer
    exists, or has been RUNNING for longer than STALE_AFTER (a worker on another host).
    Jobs are safe to run again: a render that finished is not redone, its file is written
    under a temporary name and renamed. Workers call this when they start and at each
    maintenance round (`flask rq worker`). Returns the ids queued again."""
    if not uses_queue():
        return []
    now = utcnow()
    connection = redis_client(current_app.config["REDIS_URL"])
    if not connection.set("betteroff:recovering", worker_name(), nx=True, ex=120):
        return []  # another worker is at it right now
    requeued = []
    for job in db.session.scalars(
        select(Job).where(Job.status.in_([JobStatus.RUNNING, JobStatus.QUEUED]))
    ):
        if job.status is JobStatus.RUNNING:
            alive = _alive_here(job.worker)
            stale = job.started_at is None or now - job.started_at > STALE_AFTER
            if alive or (alive is None and not stale):
                continue
        elif any(connection.scan_iter(match=f"rq:job:betteroff-job-{job.id}-*", count=1000)):
            continue  # still in the queue
        elif now - job.created_at < timedelta(minutes=1):
            continue  # may be waiting for its transaction to commit
        job.status, job.worker = JobStatus.QUEUED, None
        _dispatch_after_commit(job)
        requeued.append(job.id)
    if requeued:
        log.warning("re-queued %d abandoned job(s): %s", len(requeued), requeued)
    unit_of_work.commit()
    connection.delete("betteroff:recovering")
    return requeued


def process_alive(host: str, pid: int) -> bool | None:
    """Whether process `pid` on `host` runs; None when it is another host's."""
    return _alive_here(f"{host}:{pid}")


def _describe(exc: Exception) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]


@functools.cache
def redis_client(url: str):
    """One client (and connection pool) per process and URL; redis-py reconnects after a fork."""
    # rq and redis are the optional "redis" extra: imported only where a queue is configured.
    from redis import Redis

    return Redis.from_url(url)


def redis_queue(url: str):
    from rq import Queue

    return Queue(QUEUE_NAME, connection=redis_client(url))
