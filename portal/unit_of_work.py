"""One unit of work per request: commit once at the end, or roll everything back.

The rules, as Indico's request handler keeps them (indico/web/rh.py):

- **The framework owns the transaction.** A request commits once, after its view has returned
  a response; an error page (any HTTP error or an unexpected exception) rolls it back instead
  (`portal/errors.py` calls `discard()`). Views and services never commit or roll back; CLI
  commands, jobs and seeders call `commit()`.
- **A refused action is a DomainError** with a message safe to show. A view tries a change
  inside `attempt(...)`: a savepoint that is rolled back when the change is refused, so nothing
  of it stays, while the rest of the request (an audit event of a failed sign-in, say) still
  commits. The message goes next to the form field it is about, or into a flash message, and
  the view renders the form again with what was typed.
- **Side effects wait for the commit.** Mail, report renders, queue pushes, cache invalidation
  and, later, webhooks are queued with `after_commit(fn, ...)` — usually by a subscriber of a
  domain event (`portal/events.py`) — and run once the transaction has committed, each in a
  transaction of its own; a rollback drops them. A failing side effect is logged (and recorded
  on its job) but never undoes the committed work.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, flash, has_request_context
from sqlalchemy import event

from portal.extensions import db

log = logging.getLogger(__name__)

PENDING = "uow_pending"  # queued in the open transaction
READY = "uow_ready"  # its transaction committed: to run now
DISCARDED = "uow_discarded"


class DomainError(Exception):
    """A rule refused the action; the message is safe to show to the person who asked.

    `field` names the form field the message belongs next to; `category` is the flash
    category used otherwise ("error", "warning" or "info")."""

    field: str | None = None
    category: str = "error"

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


def after_commit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `fn(*args, **kwargs)` once the current transaction has committed (never if it is
    rolled back, or if the attempt that queued it was refused)."""
    db.session.info.setdefault(PENDING, []).append(functools.partial(fn, *args, **kwargs))


def commit() -> None:
    """Commit, then run the side effects of what was committed (CLI commands, jobs, seeders
    and tests; requests do this by themselves)."""
    db.session.commit()
    run_committed()


def run_committed() -> None:
    """Run what committed transactions queued, each in a transaction of its own."""
    while ready := db.session.info.pop(READY, None):
        for effect in ready:
            try:
                effect()
                db.session.commit()  # what the effect recorded (a job's outcome, say)
            except Exception:
                log.exception("a side effect after commit failed: %s", _name(effect))
                db.session.rollback()


def discard() -> None:
    """Roll the request back: an error page is being shown instead of its response."""
    db.session.rollback()
    db.session.info.pop(PENDING, None)
    db.session.info[DISCARDED] = True


def was_discarded() -> bool:
    """Whether this request was rolled back for an error page (see `discard`)."""
    return bool(db.session.info.get(DISCARDED))


@dataclass
class Outcome:
    """What `attempt` saw: the refusal, if the change was refused."""

    error: DomainError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None


@contextmanager
def attempt(form: Any = None, *, show: bool = True) -> Iterator[Outcome]:
    """Try a change in a savepoint. A DomainError rolls the change back (and drops the side
    effects it queued), is shown next to its field of `form` or as a flash message (unless
    show=False), and is kept on the outcome; the view carries on, e.g. to render the form
    again with what was typed."""
    outcome = Outcome()
    pending = db.session.info.setdefault(PENDING, [])
    mark = len(pending)
    savepoint = db.session.begin_nested()
    try:
        yield outcome
    except DomainError as exc:
        if savepoint.is_active:
            savepoint.rollback()
        del pending[mark:]
        outcome.error = exc
        if show:
            show_error(exc, form)
    else:
        if savepoint.is_active:
            savepoint.commit()


def show_error(exc: DomainError, form: Any = None) -> None:
    """Put a refusal where the person will read it: beside its fields, else as a flash."""
    problems = getattr(exc, "problems", None)
    if form is not None and isinstance(problems, dict):
        # A form may know where each problem goes (`show_problems`); else by field name.
        placer = getattr(form, "show_problems", None)
        if placer is not None:
            placer(problems)
            return
        placed = [name for name in problems if name in form]
        for name in placed:
            form[name].errors = [*form[name].errors, problems[name]]
        if len(placed) == len(problems):
            return
    if form is not None and exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    elif has_request_context():
        flash(str(exc), exc.category)


def _name(effect: Callable[..., Any]) -> str:
    fn = getattr(effect, "func", effect)
    return getattr(fn, "__qualname__", repr(fn))


def _move_to_ready(session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        session.info.setdefault(READY, []).extend(pending)


def _drop_pending(session) -> None:
    session.info.pop(PENDING, None)


def register(app: Flask) -> None:
    for name, listener in (("after_commit", _move_to_ready), ("after_rollback", _drop_pending)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)

    @app.before_request
    def begin() -> None:
        db.session.info.pop(DISCARDED, None)

    @app.after_request
    def commit_request(response):
        if db.session.info.pop(DISCARDED, False) or response.status_code >= 500:
            db.session.rollback()
        else:
            commit()
        return response
