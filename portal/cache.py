"""Caches that cannot go stale: everything cached is keyed by version stamps that are bumped
in the same transaction as the change they stand for (key-based expiry, not time-based).

The stamps live in the `cache_versions` table, the source of truth. With REDIS_URL they are
mirrored in Redis after each commit, so every host reads them with one round trip; without it
(one host, SQLite) they are read from the database. A page cached under stamps that a later
commit bumped is simply never asked for again.

- **What bumps what** is decided in one place, `_classify`, from the rows a transaction flushed:
  a candidate's rows (interviews, scorecards, ratings, revisions, referrals, answers, threads,
  reports) bump `candidate:<id>`; a user's row bumps `user:<id>`; reference data (companies,
  positions, templates, settings, staff names) bumps `shared`; anything tracked bumps `all`.
  An unknown row bumps `shared` and `all`: too much invalidation, never too little. Bulk
  statements that bypass the ORM call `bump()` themselves (sign-out, erasure), and so does the
  `scorecard_changed` event for `scores` (a draft saved changes no average).
- **Sessions** (`CACHE_SESSIONS`): a signed-in request reads the user's stamp and, while it is
  the one the session was last checked under, trusts a snapshot of the user and session held
  in this process instead of reading them from the database. Signing out, signing out
  everywhere, a password change, deactivation and erasure all bump the user's stamp, so the
  very next request is checked against the database again (and refused).
- **Pages** (`CACHE_PAGES`): views marked `@cached_page(...)` are kept whole (in this process,
  bounded by CACHE_PAGES_MAX_MB) under their stamps, the user and the URL, and the minute for
  pages that show what the clock decides (overdue, still open for answers); the CSRF token is
  put in at serving time. Pages are
  never stored when a flash message is waiting or the answer is not a plain 200.
- **Erasure** bumps `purge`: each process drops every cached page and session snapshot at its
  next request.

docs/scale.md ("Caching") has the figures and the reasoning.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db

# --- the version stamps, named here and nowhere else --------------------------------------------

ALL = "all"  # anything a staff list or dashboard can show
SHARED = "shared"  # what every candidate's pages show too: companies, positions, staff names
SCORES = "scores"  # submitted and released scorecards: the dashboard's averages
PURGE = "purge"  # an erasure: every process forgets every cached page and session
GLOBAL = (ALL, SHARED, SCORES, PURGE)
USER_PREFIX = "user:"
CANDIDATE_PREFIX = "candidate:"


def user_stamp(user_id: int) -> str:
    return f"{USER_PREFIX}{user_id}"


def candidate_stamp(candidate_id: int | None) -> str:
    return f"{CANDIDATE_PREFIX}{candidate_id or 0}"


def user_stamp_sql(user_id_column: Any) -> Any:
    """`user_stamp` as SQL, for reading a user and their stamp in one statement."""
    return sa.literal(USER_PREFIX).concat(sa.cast(user_id_column, sa.String))


@dataclass(frozen=True)
class Who:
    """Whose page this is: enough to name its stamps without loading anything."""

    user_id: int
    staff: bool
    candidate_id: int | None


def candidate_page(who: Who) -> list[str]:
    """A candidate's own pages: their account, their candidate record, reference data."""
    return [user_stamp(who.user_id), candidate_stamp(who.candidate_id), SHARED, PURGE]


def staff_page(who: Who) -> list[str]:
    """A recruiter's or admin's page over everyone's data."""
    return [user_stamp(who.user_id), ALL, PURGE]


def home_page(who: Who) -> list[str]:
    return staff_page(who) if who.staff else candidate_page(who)


def averages_key(kind: str, user_id: int | None) -> str:
    """Where the dashboard's aggregates are kept (Flask-Caching, shared through Redis); skill
    names come from the templates, so reference data counts too."""
    held = versions([SCORES, SHARED])
    return f"averages:{kind}:{user_id or 'team'}:{held[SCORES]}:{held[SHARED]}"


# --- bumping, in the committing transaction ----------------------------------------------------

BUMPS = "cache_bumps"  # session.info: stamps to bump when the transaction commits
LOOKUPS = "cache_lookups"  # session.info: (table, id) whose candidate is found at commit
PUBLISH = "cache_publish"  # session.info: stamps bumped, to mirror in Redis after the commit

# Rows no cached page shows: the audit trail (and download log), jobs, deliveries, digests, tokens
# and the stamps themselves. (A session's row bumps only its user's stamp.)
UNTRACKED = frozenset(
    {
        "audit_events",
        "jobs",
        "webhook_deliveries",
        "digest_sends",
        "api_tokens",
        "cache_versions",
    }
)
# A row without a candidate_id reaches its candidate through one of these columns.
VIA = (
    ("interview_id", "interviews"),
    ("feedback_id", "feedback"),
    ("referral_id", "referrals"),
    ("thread_id", "feedback_threads"),
)
# Columns that change on every sign-in and that no cached page shows.
SIGN_IN_COLUMNS = frozenset({"last_login_at", "password_hash"})


def bump(*names: str) -> None:
    """Bump these stamps when the current transaction commits (for changes made with bulk
    statements, which the flush does not see)."""
    db.session.info.setdefault(BUMPS, set()).update(names)


def _after_flush(session: Session, _context: Any) -> None:
    names: set[str] = session.info.setdefault(BUMPS, set())
    lookups: set[tuple[str, int]] = session.info.setdefault(LOOKUPS, set())
    for obj in session.new:
        _classify(obj, names, lookups, changed=None)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _classify(obj, names, lookups, changed=_changed_columns(obj))
    for obj in session.deleted:
        _classify(obj, names, lookups, changed=None)


def _changed_columns(obj: Any) -> set[str]:
    state = sa.inspect(obj)
    return {
        attr.key
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes()
    }


def _values(obj: Any, key: str) -> set[Any]:
    """The column's value now and before this flush, without loading anything."""
    state = sa.inspect(obj)
    history = state.attrs[key].history
    values = {*history.added, *history.unchanged, *history.deleted}
    if key in state.dict:
        values.add(state.dict[key])
    values.discard(None)
    return values


def _classify(
    obj: Any, names: set[str], lookups: set[tuple[str, int]], changed: set[str] | None
) -> None:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table is None or table in UNTRACKED:
        return
    if table == "user_sessions":  # (the once-a-minute touch is a bulk statement: no bump)
        names.update(user_stamp(uid) for uid in _values(obj, "user_id"))
        return
    if table == "users":
        for user_id in _values(obj, "id"):
            names.add(user_stamp(user_id))
        if changed is not None and changed <= SIGN_IN_COLUMNS:
            return
        names.add(ALL)
        if obj.role is None or obj.is_staff or (changed is not None and "role" in changed):
            names.add(SHARED)
        return
    names.add(ALL)
    if table == "candidates":
        names.update(candidate_stamp(cid) for cid in _values(obj, "id"))
        names.update(user_stamp(uid) for uid in _values(obj, "user_id"))
        return
    columns = obj.__table__.columns
    if "candidate_id" in columns:
        found = _values(obj, "candidate_id")
        names.update(candidate_stamp(cid) for cid in found)
        if found:
            return
    for column, target in VIA:
        if column in columns:
            found = _values(obj, column)
            lookups.update((target, ident) for ident in found)
            if found:
                return
    names.add(SHARED)  # reference data, or a row whose candidate is unknown


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the stamps are bumped when the whole transaction commits
    if session.new or session.dirty or session.deleted:
        session.flush()
    names: set[str] = session.info.pop(BUMPS, set())
    lookups = session.info.pop(LOOKUPS, set())
    if lookups:
        names |= _candidates_of(session, lookups)
    if names:
        session.info[PUBLISH] = _bump_rows(session, sorted(names))


def _candidates_of(session: Session, lookups: set[tuple[str, int]]) -> set[str]:
    """The candidates of rows that reach them through another table (one query per table);
    a row that is gone (deleted in this transaction) bumps `shared` instead."""
    from portal.models import Feedback as Scorecard
    from portal.models import FeedbackThread, Interview, Referral

    queries = {
        "interviews": lambda ids: sa.select(Interview.id, Interview.candidate_id).where(
            Interview.id.in_(ids)
        ),
        "feedback": lambda ids: (
            sa.select(Scorecard.id, Interview.candidate_id)
            .join(Interview, Interview.id == Scorecard.interview_id)
            .where(Scorecard.id.in_(ids))
        ),
        "referrals": lambda ids: sa.select(Referral.id, Referral.candidate_id).where(
            Referral.id.in_(ids)
        ),
        "feedback_threads": lambda ids: sa.select(
            FeedbackThread.id, FeedbackThread.candidate_id
        ).where(FeedbackThread.id.in_(ids)),
    }
    names: set[str] = set()
    for table, query in queries.items():
        ids = sorted({ident for name, ident in lookups if name == table})
        if not ids:
            continue
        found = dict(session.execute(query(ids)).all())
        names.update(candidate_stamp(cid) for cid in found.values())
        if len(found) < len(ids):
            names.add(SHARED)
    return names


def _bump_rows(session: Session, names: list[str]) -> dict[str, int]:
    """One upsert for all the stamps, in name order (so concurrent commits lock them in the
    same order): a stamp seen for the first time starts at the current time in microseconds,
    so a database restored from a backup never reuses a stamp a cache still holds."""
    from sqlalchemy.dialects import postgresql, sqlite

    from portal.models import CacheVersion

    table = CacheVersion.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    start = time.time_ns() // 1000
    statement = insert(table).values([{"name": name, "value": start} for name in names])
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.name], set_={"value": table.c.value + 1}
    ).returning(table.c.name, table.c.value)
    return {name: value for name, value in session.execute(statement).all()}


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    published = session.info.pop(PUBLISH, None)
    if published and has_app_context():  # (the session exists only inside one)
        _store().versions.publish(published)
        if has_app_context():
            g.pop("cache_versions", None)  # this request reads its own commit afresh


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(PUBLISH, None)  # a commit that failed: nothing to mirror


# --- reading stamps -----------------------------------------------------------------------------

REDIS_PREFIX = "betteroff:stamp:"
# A mirrored stamp is read from the database again after this long unmoved: the only way a
# stamp in Redis could lag the database is a process killed between its commit and the
# publish below, and this bounds that case.
REDIS_STAMP_SECONDS = 300
# Sets each key to its value only where that is greater than what Redis holds, so a reader
# that copies an older stamp from the database never moves a newer one back.
RAISE_SCRIPT = """
for i, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if (not held) or tonumber(held) < tonumber(ARGV[i + 1]) then
    redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1])
  end
end
return 1
"""


# One fixed statement for any number of names (passed as a JSON array).
STAMPS_SQLITE = (
    "SELECT name, value FROM cache_versions WHERE name IN (SELECT value FROM json_each(?))"
)


class Versions:
    """Reads stamps from Redis when configured (falling back to the database), else from the
    database; mirrors bumped stamps into Redis after a commit."""

    def __init__(self, redis_url: str | None, sqlite_file: str | None = None) -> None:
        self.redis_url = redis_url
        self._raise = None
        self.sqlite_file = sqlite_file
        self._local = threading.local()

    def _client(self):
        from portal.jobs import redis_client

        client = redis_client(self.redis_url)
        if self._raise is None:
            self._raise = client.register_script(RAISE_SCRIPT)
        return client

    def read(self, names: list[str]) -> dict[str, int]:
        if self.redis_url:
            try:
                return self._read_redis(names)
            except Exception:  # noqa: BLE001 - Redis down: the database answers
                current_app.logger.warning("cache stamps read from the database: Redis failed")
        if self.sqlite_file:
            return self._read_sqlite(names)
        return from_database(names)

    def _read_sqlite(self, names: list[str]) -> dict[str, int]:
        """SQLite (one host): the stamps as committed, read on a connection of this thread's
        own in autocommit mode, without the pool's check-out, ping and transaction."""
        import os
        import sqlite3

        held = getattr(self._local, "conn", None)
        if held is None or held[0] != os.getpid():
            conn = sqlite3.connect(self.sqlite_file, isolation_level=None, timeout=10)
            held = self._local.conn = (os.getpid(), conn)
        try:
            rows = held[1].execute(STAMPS_SQLITE, (json.dumps(names),)).fetchall()
        except sqlite3.Error:
            return from_database(names)  # not migrated yet, or the file moved: ask the pool
        found = dict(rows)
        return {name: found.get(name, 0) for name in names}

    def _read_redis(self, names: list[str]) -> dict[str, int]:
        client = self._client()
        held = client.mget([REDIS_PREFIX + name for name in names])
        found = {name: int(value) for name, value in zip(names, held, strict=True) if value}
        missing = [name for name in names if name not in found]
        if missing:
            loaded = from_database(missing)
            self.publish(loaded)
            found.update(loaded)
        return found

    def publish(self, stamps: dict[str, int]) -> None:
        if not self.redis_url or not stamps:
            return
        try:
            self._client()
            keys = [REDIS_PREFIX + name for name in stamps]
            self._raise(keys=keys, args=[REDIS_STAMP_SECONDS, *stamps.values()])
        except Exception:  # noqa: BLE001 - readers fall back to the database
            current_app.logger.exception("cache stamps not mirrored to Redis")
            with contextlib.suppress(Exception):  # readers then ask the database
                self._client().delete(*[REDIS_PREFIX + name for name in stamps])


def from_database(names: list[str]) -> dict[str, int]:
    """The stamps as committed (0 for one never bumped), read in this request's session."""
    from portal.models import CacheVersion

    table = CacheVersion.__table__  # a Core statement on the session's connection: no ORM
    rows = db.session.connection().execute(
        sa.select(table.c.name, table.c.value).where(table.c.name.in_(names))
    )
    found = dict(rows.all())
    return {name: found.get(name, 0) for name in names}


def versions(names: list[str]) -> dict[str, int]:
    """The stamps, read at most once per request (before the data they stand for)."""
    memo: dict[str, int] = g.setdefault("cache_versions", {})
    missing = [name for name in names if name not in memo]
    if missing:
        # The few global stamps come along: a page needing more of them costs no second read.
        missing += [name for name in GLOBAL if name not in memo and name not in missing]
        memo.update(_store().versions.read(missing))
    return {name: memo[name] for name in names}


# --- the in-process stores ------------------------------------------------------------------------


class Bounded:
    """A thread-safe LRU dict bounded by the total size of its values."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Any, value: Any, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def discard(self, key: Any) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Store:
    """One app's caches: stamps, pages and session snapshots."""

    versions: Versions
    pages: Bounded
    sessions: Bounded
    purge_seen: int | None = None

    def observe_purge(self, value: int) -> None:
        """Forget everything cached in this process when an erasure was committed."""
        if self.purge_seen is not None and value != self.purge_seen:
            self.pages.clear()
            self.sessions.clear()
        self.purge_seen = value


def held(names: list[str]) -> dict[str, int]:
    """`versions(names + [PURGE])`, having forgotten what this process keeps if an erasure
    moved `purge`: every reader of the caches comes through here."""
    stamps = versions([*names, PURGE])
    _store().observe_purge(stamps[PURGE])
    return stamps


def _store() -> Store:
    return current_app.extensions["betteroff_cache"]


def sessions_enabled() -> bool:
    return bool(current_app.config.get("CACHE_SESSIONS"))


def session_snapshots() -> Bounded:
    return _store().sessions


# --- pages ------------------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])
CSRF_MARK = b"\x00csrf\x00"


@dataclass(frozen=True)
class Page:
    body: bytes
    mimetype: str


@dataclass(frozen=True)
class PageRule:
    names: Callable[[Who], list[str]]
    by_minute: bool


def cached_page(names: Callable[[Who], list[str]], *, by_minute: bool = False) -> Callable[[F], F]:
    """Keep this GET view's page whole under the stamps `names(who)` (see the module), and
    under the minute too when it shows what the clock decides (overdue, still open)."""

    def mark(view: F) -> F:
        view.cache_rule = PageRule(names, by_minute)  # type: ignore[attr-defined]
        return view

    return mark


def _rule_for_request(app: Flask) -> PageRule | None:
    if request.method != "GET" or not app.config.get("CACHE_PAGES"):
        return None
    view = app.view_functions.get(request.endpoint or "")
    return getattr(view, "cache_rule", None)


def _page_key(who: Who, rule: PageRule) -> tuple:
    names = rule.names(who)
    stamps = held(names)
    minute = int(time.time() // 60) if rule.by_minute else 0
    return (request.endpoint, request.full_path, who.user_id, minute, *(stamps[n] for n in names))


def serve_cached_page(app: Flask) -> Response | None:
    """before_request: a page kept under the stamps it has now, else None (and remember the
    key, so that the page the view renders is kept)."""
    rule = _rule_for_request(app)
    if rule is None or "_flashes" in session:
        return None
    from portal.auth import sessions as signed_in

    who = signed_in.who()  # the session check (from a snapshot when nothing changed)
    if who is None:
        return None
    key = _page_key(who, rule)
    page = _store().pages.get(key)
    if page is None:
        g.cache_page_key = key
        return None
    response = Response(_with_csrf(page.body), mimetype=page.mimetype)
    response.headers["X-BetterOff-Cache"] = "hit"
    return response


def keep_page(response: Response) -> Response:
    """after_request: keep the page the view rendered under the key found before it ran."""
    key = g.pop("cache_page_key", None)
    if key is None:
        return response
    from portal.unit_of_work import was_discarded

    if (
        response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "_flashes" in session
        or was_discarded()
        or _changes_pending()  # a page showing what might yet be rolled back
    ):
        return response
    body = response.get_data()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode(), CSRF_MARK)
    size = len(body) + len(request.full_path) + 200
    _store().pages.put(key, Page(body, response.mimetype or "text/html"), size)
    response.headers["X-BetterOff-Cache"] = "miss"
    return response


def recall(label: str, *parts: Any) -> Any:
    """A value `keep` stored for this person under the stamps of their pages (`home_page`),
    else None; with CACHE_PAGES off, always None."""
    if not current_app.config.get("CACHE_PAGES"):
        return None
    from portal.auth import sessions as signed_in

    who = signed_in.who()
    if who is None:
        return None
    names = home_page(who)
    stamps = held(names)
    key = (label, *parts, who.user_id, *(stamps[n] for n in names))
    if len(repr(key)) > 500:
        return None
    g.setdefault("cache_value_keys", {})[label] = key
    return _store().pages.get(key)


def keep(label: str, value: Any, size: int = 512) -> None:
    """Store `value` under the key the last `recall(label, ...)` of this request named."""
    key = g.get("cache_value_keys", {}).pop(label, None)
    if key is not None:
        _store().pages.put(key, value, size)


def _changes_pending() -> bool:
    work = db.session
    return bool(
        work.info.get(BUMPS)
        or work.new
        or work.deleted
        or any(work.is_modified(obj) for obj in work.dirty)
    )


def _with_csrf(body: bytes) -> bytes:
    if CSRF_MARK not in body:
        return body
    from flask_wtf.csrf import generate_csrf

    return body.replace(CSRF_MARK, generate_csrf().encode())


# --- set-up ------------------------------------------------------------------------------------


def register(app: Flask) -> None:
    """Attach this app's stores and the session listeners; serve and keep marked pages."""
    megabytes = int(app.config.get("CACHE_PAGES_MAX_MB") or 64)
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    sqlite_file = (
        url.database
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        else None
    )
    app.extensions["betteroff_cache"] = Store(
        Versions(app.config.get("REDIS_URL"), sqlite_file),
        Bounded(megabytes * 1024 * 1024),
        Bounded(16 * 1024 * 1024),
    )
    for name, listener in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)

    @app.before_request
    def serve_page() -> Response | None:
        return serve_cached_page(app)

    app.after_request(keep_page)
