"""Load benchmark: gunicorn on loopback, measured with wrk, on PostgreSQL and on SQLite.

    apt-get install wrk            # once; the benchmark is not part of CI
    .venv/bin/python benchmarks/load.py [--engine both] [--configs before,sessions,after]
                                        [--duration 10] [--warmup 2] [--quick] [--reseed]
                                        [--json PATH]

Two engine sections, each with its own bare Flask page (benchmarks/bare_app.py) measured under
the same gunicorn.conf.py at the start and at the end of the section; every percentage is
against the faster of the two:

- postgresql: databases betteroff_bench_20000 and betteroff_bench_1000 on --server, Redis
  (--redis, flushed before every portal start) for jobs and the cache, one RQ worker;
- sqlite: `make run`'s embedded defaults: a file database per size in instance/bench/, no
  Redis (jobs run inline, so an uncached report renders inside the request; the cache is per
  process).

Both data sets are made by `flask seed-scale` and kept for the next run (--reseed rebuilds).
Within a section the portal (benchmarks/bench_app.py) is started once per cache configuration
(CACHE_SESSIONS / CACHE_PAGES: before = 0/0, sessions = 1/0, after = 1/1), and every workload
runs under each. Lists also run on the 1,000-candidate data set under `before` and `after`
(p95 ratio), sign-in only under `after`. Every wrk run stops after --duration seconds (after a
--warmup); before each measurement the script waits until the server has answered the
requests wrk left in flight (a slow page keeps a worker busy after wrk stops), and the list
URLs are replayed once unmeasured so that lists and their browsing/searching halves meet the
same cache state. Answers with another status than expected are counted and flagged with
"!!!" (and a few replayed to show their statuses). The servers started are stopped, and all
figures go to a JSON file (--json; benchmarks/load_compare.py compares two) as well as to
Markdown tables on stdout.

Scorecard submits use the seeded drafts of the ten scale recruiters, each submitted once, in
disjoint portions per configuration; after a few runs none are left and the workload is
skipped with a note: run with --reseed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = ROOT / "benchmarks" / "wrk_requests.lua"
SQLITE_DIR = ROOT / "instance" / "bench"  # git-ignored; kept between runs
HOST = "127.0.0.1"
PASSWORD = "betteroff-scale"  # noqa: S105 - the documented seed-scale login
RECRUITER = "scale-recruiter-01@example.com"
RECRUITER_PATTERN = "scale-recruiter-%@example.com"  # all ten recruiters draft scorecards
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEARCH_TERMS = ["chen", "weber", "analyst", "maya", "nordic", "rossi"]
ENGINES = ("postgresql", "sqlite")
CONFIGS = {
    "before": {"CACHE_SESSIONS": "0", "CACHE_PAGES": "0"},
    "sessions": {"CACHE_SESSIONS": "1", "CACHE_PAGES": "0"},
    "after": {"CACHE_SESSIONS": "1", "CACHE_PAGES": "1"},
}
SMALL_CONFIGS = ("before", "after")  # the 1,000-candidate lists, for the p95 ratio
# Submits are sized for at most this many per second: each draft can be submitted once, and a
# wrk run that goes through its lines starts again from the first (already submitted) ones.
SUBMIT_CEILING = 200
WRK_THREADS = 2


def workload_labels(large: int, small: int) -> dict[str, str]:
    """Every workload a section can run, in table order."""
    return {
        "floor": "signed-in floor (user only, no page)",
        "landing": "candidate portal landing",
        "feedback": "candidate feedback page",
        "report": "cached report download",
        "dashboard": "recruiter dashboard",
        "lists": f"recruiter lists ({large:,})",
        "browse": f"  of which browsing ({large:,})",
        "search": f"  of which searching ({large:,})",
        "detail": "candidate detail",
        "submit": "scorecard submit",
        "sign_in": "sign-in (argon2id verify)",
        "lists_small": f"recruiter lists ({small:,})",
        "browse_small": f"  of which browsing ({small:,})",
        "search_small": f"  of which searching ({small:,})",
    }


@dataclass
class Result:
    """One workload's figures from wrk."""

    name: str
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    unexpected: int  # answers whose status was not `expected`
    socket_errors: int  # connect, read, write errors and timeouts
    expected: int
    lines: int  # distinct requests replayed
    probe: dict[str, int] = field(default_factory=dict)  # statuses seen on a replay, if any
    # Seconds spent waiting for requests still running when wrk stopped: before the warm-up,
    # before the measured run (both: the previous run's or warm-up's), and after it.
    drain_before_s: float = 0.0
    drain_after_s: float = 0.0
    # gunicorn workers recycled (max_requests) while measuring, and during the warm-up.
    worker_restarts: int = 0
    worker_restarts_warmup: int = 0
    note: str = ""
    share_of_bare: float | None = None  # req/s over the engine section's bare page

    @property
    def bad(self) -> int:
        return self.unexpected + self.socket_errors

    def line(self) -> str:
        return (
            f"{self.name:44} {self.rps:8.1f} {self.p50:8.1f} {self.p95:8.1f} {self.p99:8.1f}"
            f"{self.requests:9d}"
        )


# --- servers ---------------------------------------------------------------------------------


def log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


SERVER_LOG: list[Path] = []  # the log of the gunicorn running now, for worker restarts


def worker_restarts() -> int:
    """How often the running gunicorn has recycled a worker so far (max_requests): each
    restart costs a second or two of start-up and empties that worker's in-process caches."""
    if not SERVER_LOG:
        return 0
    try:
        return SERVER_LOG[-1].read_text(errors="replace").count("Autorestarting worker")
    except OSError:
        return 0


@contextmanager
def gunicorn(module: str, port: int, env: dict[str, str], log: Path) -> Iterator[None]:
    """gunicorn with gunicorn.conf.py on 127.0.0.1:port; stopped on exit."""
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}"}
    SERVER_LOG.append(log)
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), module],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(port, proc, log)
        yield
    finally:
        SERVER_LOG.pop()
        proc.terminate()
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def rq_worker(env: dict[str, str], log: Path) -> Iterator[None]:
    """`flask rq worker` (report rendering and mail); stopped on exit."""
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            [str(BIN / "flask"), "rq", "worker"],
            cwd=ROOT,
            env={**env, "FLASK_APP": "wsgi:app"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_until_up(port: int, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn on port {port} exited early; {log} ends:\n{log_tail(log)}")
        try:
            request(port, "GET", "/")
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn on port {port} did not answer within {timeout} s; see {log}")


# --- HTTP as a browser would -------------------------------------------------------------


def request(
    port: int, method: str, path: str, cookie: str = "", body: dict | str | None = None
) -> tuple[int, dict[str, str], str]:
    """One request on loopback: status, headers (last value wins), text."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = body if isinstance(body, str) else urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, dict(response.getheaders()), text


def session_cookie(headers: dict[str, str], fallback: str = "") -> str:
    raw = headers.get("Set-Cookie", "")
    match = re.search(r"(session=[^;]+)", raw)
    return match.group(1) if match else fallback


def csrf_session(port: int) -> tuple[str, str]:
    """A fresh anonymous session and its CSRF token, as the sign-in form gives them."""
    _, headers, text = request(port, "GET", "/sign-in")
    return session_cookie(headers), CSRF.search(text).group(1)


def sign_in(port: int, email: str) -> str:
    """The session cookie of a signed-in user, as a browser holds it after the first page
    (which adds the session's CSRF secret: replaying the cookie from before it would make
    every request write a new one and send a new cookie back)."""
    cookie, token = csrf_session(port)
    status, headers, _ = request(
        port,
        "POST",
        "/sign-in",
        cookie,
        {"email": email, "password": PASSWORD, "csrf_token": token},
    )
    if status != 302:
        sys.exit(f"sign-in as {email} failed with {status}")
    cookie = session_cookie(headers)
    _, headers, _ = request(port, "GET", "/", cookie)
    return session_cookie(headers, cookie)


# --- wrk -------------------------------------------------------------------------------------


def probe_statuses(port: int, lines: list[str], count: int = 12) -> dict[str, int]:
    """Replay the first few request lines one by one: which statuses do they get?"""
    seen: Counter[str] = Counter()
    for line in lines[:count]:
        method, path, cookie, body = (line.split("\t", 3) + [""])[:4]
        try:
            status = request(port, method, path, cookie, body or None)[0]
            seen[str(status)] += 1
        except OSError as exc:
            seen[type(exc).__name__] += 1
    return dict(seen)


def open_connections(port: int) -> int:
    """Connections to our server still being answered or waiting to be (Linux, from
    /proc/net/tcp): established or half-closed sockets on the port plus its accept queue."""
    count = 0
    try:
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return 0
    for row in table:
        fields = row.split()
        local, state, queues = fields[1], fields[3], fields[4]
        if int(local.rsplit(":", 1)[1], 16) != port:
            continue
        if state == "0A":  # LISTEN: rx_queue is the accept backlog
            count += int(queues.split(":")[1], 16)
        elif state in ("01", "03", "08"):  # ESTABLISHED, SYN_RECV, CLOSE_WAIT
            count += 1
    return count


def wait_drained(port: int, timeout: float = 300) -> float:
    """When wrk stops, the requests it had in flight still run in the server's workers (a
    slow page for many seconds): wait for them, so they do not slow the next measurement."""
    started = time.perf_counter()
    while open_connections(port) and time.perf_counter() - started < timeout:
        time.sleep(0.1)
    return time.perf_counter() - started


def run_wrk(
    name: str,
    port: int,
    lines: list[str],
    expected: int,
    args: argparse.Namespace,
    warm: list[str] | None = None,
    repeatable: bool = True,
) -> Result:
    """Replay the request lines for --duration seconds, after a short warm-up on `warm`
    (by default the same lines; requests that succeed only once need lines of their own).
    Unexpected answers are flagged and, for repeatable requests, a few are replayed to show
    which statuses came back."""
    drained = wait_drained(port)
    restarts = worker_restarts()
    if args.warmup and warm != []:
        wrk(port, lines if warm is None else warm, expected, args.warmup, args)
        drained += wait_drained(port)
    measured_from = worker_restarts()
    out = wrk(port, lines, expected, args.duration, args)
    after = wait_drained(port)
    recycled = worker_restarts() - measured_from
    recycled_in_warmup = measured_from - restarts
    figures = json.loads(out.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    result = Result(
        name=name,
        rps=figures["requests"] / seconds,
        p50=figures["p50_us"] / 1000,
        p95=figures["p95_us"] / 1000,
        p99=figures["p99_us"] / 1000,
        requests=figures["requests"],
        unexpected=figures["unexpected"],
        socket_errors=figures["socket_errors"],
        expected=expected,
        lines=len(lines),
        drain_before_s=round(drained, 1),
        drain_after_s=round(after, 1),
        worker_restarts=recycled,
        worker_restarts_warmup=recycled_in_warmup,
    )
    if result.requests < args.connections:
        result.note = (
            f"only {result.requests} answers in {args.duration} s with {args.connections} "
            "connections: requests take longer than the run; the figures mean little"
        )
    if not repeatable and result.requests > len(lines):
        result.note += (
            f"ran out of single-use requests: {result.requests} sent for {len(lines)} lines, "
            "so some were sent twice"
        )
    if result.bad and repeatable:
        result.probe = probe_statuses(port, lines)
    drain = ""
    if max(result.drain_before_s, result.drain_after_s) >= 1:
        drain = (
            f"   (waited {result.drain_before_s:.1f} s before and {result.drain_after_s:.1f} s "
            "after for requests still running)"
        )
    if result.worker_restarts:
        drain += f"   ({result.worker_restarts} worker restart(s) while measuring)"
    print(result.line() + drain, flush=True)
    if result.bad:
        probe = (
            f"; replaying {sum(result.probe.values())} gave {result.probe}" if result.probe else ""
        )
        print(
            f"  !!! {result.unexpected} UNEXPECTED ANSWERS (expected {expected}) and "
            f"{result.socket_errors} socket errors out of {result.requests}{probe}",
            flush=True,
        )
    if result.note:
        print(f"  !!! {result.note}", flush=True)
    return result


def wrk(port: int, lines: list[str], expected: int, seconds: int, args) -> str:
    """wrk replaying the lines through benchmarks/wrk_requests.lua; its JSON line."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(lines) + "\n")
    try:
        return subprocess.run(
            [  # noqa: S603
                "wrk",
                "-d",
                f"{seconds}s",
                f"-t{WRK_THREADS}",
                f"-c{args.connections}",
                "--timeout",
                "10s",
                "-s",
                str(LUA),
                f"http://{HOST}:{port}",
                "--",
                fh.name,
                str(expected),
                str(WRK_THREADS),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(fh.name)


def prime(port: int, lines: list[str], expected: int, seconds: int, args) -> None:
    """Replay the lines for `seconds`, measuring nothing (fills the caches), then wait for the
    requests still running."""
    wait_drained(port)
    wrk(port, lines, expected, seconds, args)
    wait_drained(port)


def get_lines(paths: list[str], cookie: str = "") -> list[str]:
    return [f"GET\t{path}\t{cookie}\t" for path in paths]


# --- data ------------------------------------------------------------------------------------


def plain_env() -> dict[str, str]:
    """The environment without anything that would choose the portal's engine, queue or
    cache: each section sets its own."""
    drop = {"DATABASE_URL", "REDIS_URL", "CACHE_SESSIONS", "CACHE_PAGES", "FLASK_APP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def database_url(engine: str, server: str, n: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{SQLITE_DIR / f'betteroff_bench_{n}.sqlite'}"
    return f"{server.rstrip('/')}/betteroff_bench_{n}"


def engine_for(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def count_candidates(url: str) -> int | None:
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT count(*) FROM candidates"))
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def flask_env(url: str) -> dict[str, str]:
    return {**plain_env(), "FLASK_APP": "wsgi:app", "DATABASE_URL": url}


def migrate(url: str) -> None:
    """`flask db upgrade`: a kept data set follows the schema of the code under test."""
    done = subprocess.run(
        [str(BIN / "flask"), "db", "upgrade"],  # noqa: S603
        cwd=ROOT,
        env=flask_env(url),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"flask db upgrade failed on {url}:\n{done.stderr[-3000:]}")


def reuse(url: str, name: str, n: int) -> dict:
    started = time.perf_counter()
    migrate(url)
    took = time.perf_counter() - started
    print(f"reusing {name} ({n:,} candidates; migrated to head in {took:.1f} s)")
    return {"reused": True}


def ensure_seeded(engine: str, server: str, n: int, reseed: bool, log: Path) -> tuple[str, dict]:
    """A database with n seeded candidates: reused when present, else created and seeded.
    Returns its URL and what was done ({"reused": True} or the seeding time)."""
    url = database_url(engine, server, n)
    if engine == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        name = path.name
        if path.exists() and not reseed and count_candidates(url) == n:
            return url, reuse(url, path.name, n)
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        admin = engine_for(f"{server.rstrip('/')}/postgres").execution_options(
            isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if exists and not reseed and count_candidates(url) == n:
                admin.dispose()
                return url, reuse(url, name, n)
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    env = flask_env(url)
    print(f"seeding {name} with {n:,} candidates …", flush=True)
    started = time.perf_counter()
    migrate(url)
    migrated = time.perf_counter()
    seeded = subprocess.run(
        [str(BIN / "flask"), "seed-scale", "--candidates", str(n)],  # noqa: S603
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        sys.exit(f"flask seed-scale failed on {url}:\n{seeded.stderr[-3000:]}")
    out = seeded.stdout
    done = time.perf_counter()
    log.write_text(out)
    last = out.strip().splitlines()[-1] if out.strip() else ""
    print(
        f"seeded {name} on {engine}: {done - migrated:.1f} s for seed-scale "
        f"(+{migrated - started:.1f} s migrations); {last}",
        flush=True,
    )
    return url, {
        "reused": False,
        "migrate_s": round(migrated - started, 1),
        "seed_s": round(done - migrated, 1),
        "summary": last,
    }


@dataclass
class Picks:
    """Realistic targets read from the seeded database."""

    candidate_ids: list[int]
    candidates: list[tuple[str, int]]  # (candidate login, one of their released scorecards)
    drafts: list[tuple[str, int, int]]  # (author, scorecard id, lock_version), authors mixed


def read_picks(url: str, rng: random.Random) -> Picks:
    engine = engine_for(url)
    with engine.connect() as conn:
        ids = conn.scalars(sa.text("SELECT id FROM candidates ORDER BY id")).all()
        # The first released scorecard of each of the first 200 candidates with an account.
        released = conn.execute(
            sa.text(
                "SELECT u.email, min(f.id) FROM feedback f "
                "JOIN interviews i ON i.id = f.interview_id "
                "JOIN candidates c ON c.id = i.candidate_id "
                "JOIN users u ON u.id = c.user_id "
                "WHERE f.state = 'released' GROUP BY u.id, u.email ORDER BY u.id "
                "LIMIT 200"
            )
        ).all()
        drafts = conn.execute(
            sa.text(
                "SELECT u.email, f.id, f.lock_version FROM feedback f "
                "JOIN users u ON u.id = f.author_id "
                "WHERE u.email LIKE :e AND f.state = 'draft' ORDER BY u.email, f.id"
            ),
            {"e": RECRUITER_PATTERN},
        ).all()
    engine.dispose()
    # Interleave the recruiters' drafts, so every portion spreads over all of them.
    by_author: dict[str, list[tuple[str, int, int]]] = {}
    for email, fid, lv in drafts:
        by_author.setdefault(email, []).append((email, fid, lv))
    mixed = [
        d for group in itertools.zip_longest(*by_author.values()) for d in group if d is not None
    ]
    return Picks(
        rng.sample(ids, 200),
        rng.sample([tuple(r) for r in released], 10),
        mixed,
    )


def browse_paths(pages: int) -> list[str]:
    """The lists as recruiters page through them (pages that exist at both data sizes)."""
    paths = ["/candidates/", "/interviews/", "/candidates/?sort=newest", "/interviews/?sort=date"]
    paths += [f"/candidates/?page={p}" for p in range(2, pages + 1)]
    paths += [f"/interviews/?page={p}" for p in range(2, pages + 1)]
    return paths


def search_paths() -> list[str]:
    """Searches by name, email, position and company."""
    return [f"/{kind}/?q={t}" for kind in ("candidates", "interviews") for t in SEARCH_TERMS]


def list_paths(pages: int) -> list[str]:
    """The recruiting lists as recruiters use them: first pages, later pages, searches."""
    return browse_paths(pages) + search_paths()


def scorecard_body(lock_version: int, token: str) -> str:
    fields = {
        f"score_{d}": "4"
        for d in ("presence", "exchange", "listening", "questions", "preparation", "composure")
    }
    fields.update(
        decision="invite",
        next_step="A second interview with the team lead.",
        strengths="You explained the dashboard rebuild step by step, with numbers.",
        improvements="Give one concrete example when asked about stakeholder conflict.",
        practice_suggestions="Prepare two short stories.\nRead the last two announcements.",
        insight_plans="The team is building self-service reporting next year.",
        private_notes="Benchmark submit.",
        lock_version=str(lock_version),
        csrf_token=token,
        submit="Save and submit",
    )
    return urlencode(fields)


@dataclass
class SubmitPlan:
    """Each configuration's own drafts: a warm-up part and a measured part."""

    portions: dict[str, tuple[list, list]]
    available: int
    note: str


def plan_submits(drafts: list, configs: list[str], args: argparse.Namespace) -> SubmitPlan:
    warm_need = SUBMIT_CEILING * args.warmup
    run_need = SUBMIT_CEILING * args.duration
    need = warm_need + run_need
    available = len(drafts)
    per_config = min(need, available // max(len(configs), 1))
    if per_config < need // 2 or per_config - warm_need < args.duration * 20:
        note = (
            f"scorecard submit SKIPPED: {available:,} drafts left across the recruiters, "
            f"{need:,} needed per configuration; run with --reseed to make new ones"
        )
        return SubmitPlan({}, available, note)
    portions = {}
    for i, config in enumerate(configs):
        part = drafts[i * per_config : (i + 1) * per_config]
        warm_n = min(warm_need, len(part) * args.warmup // (args.warmup + args.duration))
        portions[config] = (part[:warm_n], part[warm_n:])
    note = (
        f"scorecard submit: {available:,} drafts left across the recruiters; this run reserves "
        f"{per_config:,} per configuration (sized for {SUBMIT_CEILING} req/s; only those sent "
        f"are used up); the workload is skipped once fewer than {need // 2 * len(configs):,} "
        "are left (then run with --reseed)"
    )
    if per_config < need:
        note += "; fewer than the full sizing: a fast configuration may run out (flagged)"
    return SubmitPlan(portions, available, note)


# --- the run ---------------------------------------------------------------------------------


def run_lists(
    n: int, suffix: str, cookie: str, labels: dict[str, str], args: argparse.Namespace
) -> dict[str, Result]:
    """The list workload on the data set of n candidates, then its browsing and searching
    halves on their own; results keyed lists/browse/search plus suffix.

    The three share their URLs, so with a page cache whichever ran first would warm it for
    the others: all the list URLs are first replayed, unmeasured, for 2 x --warmup seconds
    (at least 3), so that the three are measured on the same cache state."""
    workloads = [
        ("lists", list_paths(pages=20)),
        ("browse", browse_paths(20)),
        ("search", search_paths()),
    ]
    prime(args.port, get_lines(list_paths(pages=20), cookie), 200, max(2 * args.warmup, 3), args)
    return {
        key + suffix: run_wrk(labels[key + suffix], args.port, get_lines(paths, cookie), 200, args)
        for key, paths in workloads
    }


def portal_env(
    engine: str, url: str, redis_url: str, folder: Path, config: str, access_log: Path
) -> dict[str, str]:
    env = {
        **plain_env(),
        "BETTEROFF_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "REPORTS_DIR": str(folder / "reports"),
        "OUTBOX_DIR": str(folder / "outbox"),
        "GUNICORN_ACCESS_LOG": str(access_log),
        **CONFIGS[config],
    }
    if engine == "postgresql":
        # JIT costs more than it saves on short queries (README.md, "Production deployment").
        env["DATABASE_URL"] = f"{url}?options=-c%20jit%3Doff"
        env["REDIS_URL"] = redis_url
    else:
        env["DATABASE_URL"] = url  # and no REDIS_URL: inline jobs, per-process cache
    return env


def prepare_reports(port: int, picks: Picks, cookies: dict[str, str]) -> dict:
    """Ask for the reports once, uncached (their folder is new): with Redis each answers 202
    at once while the RQ worker renders it; inline (no Redis) it renders inside the request
    and answers 200. Then wait until every one answers 200."""
    answered, started = [], time.perf_counter()
    for email, feedback_id in picks.candidates:
        t0 = time.perf_counter()
        status, _, _ = request(port, "GET", f"/reports/feedback/{feedback_id}.pdf", cookies[email])
        answered.append(((time.perf_counter() - t0) * 1000, status))
    pending = [
        c for c, (_, status) in zip(picks.candidates, answered, strict=True) if status != 200
    ]
    while pending and time.perf_counter() - started < 300:
        time.sleep(0.5)
        pending = [
            (email, fid)
            for email, fid in pending
            if request(port, "GET", f"/reports/feedback/{fid}.pdf", cookies[email])[0] != 200
        ]
    rendered = time.perf_counter() - started
    times = sorted(ms for ms, _ in answered)
    statuses = sorted({s for _, s in answered})
    info = {
        "statuses": statuses,
        "median_ms": round(times[len(times) // 2], 1),
        "max_ms": round(times[-1], 1),
        "all_ready_s": round(rendered, 1),
        "count": len(answered),
        "still_pending": len(pending),
    }
    where = "inside the requests" if statuses == [200] else "by the RQ worker"
    print(
        f"uncached report downloads: statuses {statuses}, answered in {info['median_ms']} ms "
        f"median / {info['max_ms']} ms max; all {len(answered)} ready in {rendered:.1f} s "
        f"(rendered {where})" + (f"  !!! {len(pending)} STILL PENDING" if pending else ""),
        flush=True,
    )
    unexpected = [s for s in statuses if s not in (200, 202)]
    if unexpected:
        print(f"  !!! UNEXPECTED STATUSES for uncached reports: {unexpected}", flush=True)
    return info


def submit_lines(port: int, drafts: list, cookies: dict[str, str]) -> list[str]:
    """One POST line per draft, each with its author's session and CSRF token."""
    editors: dict[str, tuple[str, str]] = {}
    lines = []
    for email, fid, lv in drafts:
        if email not in editors:
            # The form's CSRF token is kept in the session: use the cookie that came with it.
            _, headers, page = request(port, "GET", f"/feedback/{fid}/edit", cookies[email])
            match = CSRF.search(page)
            if match is None:
                sys.exit(f"no CSRF token on /feedback/{fid}/edit for {email}")
            editors[email] = (session_cookie(headers, cookies[email]), match.group(1))
        editor, token = editors[email]
        lines.append(f"POST\t/feedback/{fid}/edit\t{editor}\t{scorecard_body(lv, token)}")
    return lines


def run_config(
    engine: str,
    config: str,
    urls: dict[str, str],
    picks: Picks,
    submits: tuple[list, list] | None,
    labels: dict[str, str],
    work: Path,
    args: argparse.Namespace,
) -> dict:
    """Every workload of one cache configuration on one engine (one gunicorn start, plus one
    on the small data set for `before` and `after`)."""
    flushed = "; Redis db flushed before each start" if engine == "postgresql" else ""
    env_text = " ".join(f"{k}={v}" for k, v in CONFIGS[config].items())
    print(f"\n--- {engine}, configuration '{config}' ({env_text}{flushed}) ---", flush=True)
    folder = work / engine / config
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, Result] = {}
    out: dict = {"env": CONFIGS[config], "workloads": results}
    portal = portal_env(engine, urls["large"], args.redis, folder, config, folder / "access.log")
    with ExitStack() as stack:
        if engine == "postgresql":
            flush_redis(args.redis)
            stack.enter_context(rq_worker(portal, folder / "worker.log"))
        stack.enter_context(
            gunicorn("benchmarks.bench_app:app", args.port, portal, folder / "portal-large.log")
        )
        port = args.port
        recruiter = sign_in(port, RECRUITER)
        cookies = {email: sign_in(port, email) for email, _ in picks.candidates}
        results["floor"] = run_wrk(
            labels["floor"], port, get_lines(["/bench/signed-in"], recruiter), 200, args
        )
        results["landing"] = run_wrk(
            labels["landing"],
            port,
            [line for email, _ in picks.candidates for line in get_lines(["/"], cookies[email])],
            200,
            args,
        )
        results["feedback"] = run_wrk(
            labels["feedback"],
            port,
            [
                line
                for email, fid in picks.candidates
                for line in get_lines([f"/my/feedback/{fid}"], cookies[email])
            ],
            200,
            args,
        )
        out["uncached_reports"] = prepare_reports(port, picks, cookies)
        downloads = [
            line
            for email, fid in picks.candidates
            for line in get_lines([f"/reports/feedback/{fid}.pdf"], cookies[email])
        ]
        results["report"] = run_wrk(labels["report"], port, downloads, 200, args)
        results["dashboard"] = run_wrk(
            labels["dashboard"], port, get_lines(["/"], recruiter), 200, args
        )
        results.update(run_lists(args.large, "", recruiter, labels, args))
        results["detail"] = run_wrk(
            labels["detail"],
            port,
            get_lines([f"/candidates/{i}" for i in picks.candidate_ids], recruiter),
            200,
            args,
        )
        if submits:
            warm, measured = submits
            authors = {email for email, _, _ in warm + measured}
            recruiters = {email: sign_in(port, email) for email in sorted(authors)}
            results["submit"] = run_wrk(
                labels["submit"],
                port,
                submit_lines(port, measured, recruiters),
                302,
                args,
                warm=submit_lines(port, warm, recruiters),
                repeatable=False,
            )
        if config == "after":
            sign_ins = []
            for email, _ in picks.candidates:
                cookie, csrf = csrf_session(port)
                body = urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf})
                sign_ins.append(f"POST\t/sign-in\t{cookie}\t{body}")
            results["sign_in"] = run_wrk(labels["sign_in"], port, sign_ins, 302, args)

    if config in SMALL_CONFIGS and "small" in urls:
        small = portal_env(
            engine, urls["small"], args.redis, folder / "small", config, folder / "access.log"
        )
        if engine == "postgresql":
            flush_redis(args.redis)  # the cache's keys (user ids, pages) would collide
        with gunicorn("benchmarks.bench_app:app", args.port, small, folder / "portal-small.log"):
            recruiter = sign_in(args.port, RECRUITER)
            results.update(run_lists(args.small, "_small", recruiter, labels, args))
    return out


def flush_redis(url: str) -> None:
    import redis  # the "redis" extra

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def run_engine(engine: str, configs: list[str], work: Path, args: argparse.Namespace) -> dict:
    """One engine's section: data, bare page, every configuration."""
    started = time.perf_counter()
    labels = workload_labels(args.large, args.small)
    print(f"\n===== {engine} =====  (load average {os.getloadavg()})", flush=True)
    if engine == "postgresql":
        flush_redis(args.redis)
    section: dict = {"configs": {}, "seeding": {}}
    (work / engine).mkdir(parents=True, exist_ok=True)
    urls = {}
    urls["large"], section["seeding"][str(args.large)] = ensure_seeded(
        engine, args.server, args.large, args.reseed, work / engine / "seed-large.txt"
    )
    if any(c in SMALL_CONFIGS for c in configs):
        urls["small"], section["seeding"][str(args.small)] = ensure_seeded(
            engine, args.server, args.small, args.reseed, work / engine / "seed-small.txt"
        )
    picks = read_picks(urls["large"], random.Random(8))
    plan = plan_submits(picks.drafts, configs, args)
    print(plan.note, flush=True)
    section["submit_plan"] = plan.note

    print(
        f"\n{'workload':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>8}",
        flush=True,
    )
    bare_env = {**plain_env(), "GUNICORN_ACCESS_LOG": str(work / engine / "access-bare.log")}
    with gunicorn("benchmarks.bare_app:app", args.port, bare_env, work / engine / "bare.log"):
        first = run_wrk("bare Flask page", args.port, get_lines(["/"]), 200, args)
    for config in configs:
        section["configs"][config] = run_config(
            engine, config, urls, picks, plan.portions.get(config), labels, work, args
        )
    # The bare page again at the end: the machine's pace drifts over a section (2,352 to 4,784
    # req/s were seen), so shares are taken against the faster of the two, the harder test.
    with gunicorn("benchmarks.bare_app:app", args.port, bare_env, work / engine / "bare.log"):
        last = run_wrk("bare Flask page, again at the end", args.port, get_lines(["/"]), 200, args)
    bare = max(first, last, key=lambda r: r.rps)
    section["bare"], section["bare_first"], section["bare_last"] = bare, first, last
    for config in section["configs"].values():
        for result in config["workloads"].values():
            result.share_of_bare = result.rps / bare.rps
    section["elapsed_s"] = round(time.perf_counter() - started, 1)
    section["load_average_end"] = os.getloadavg()
    print_section(engine, section, configs, labels, args.large)
    return section


# --- output ----------------------------------------------------------------------------------


def fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def goals(section: dict, configs: list[str], large: int) -> tuple[str, str | None, list[dict]]:
    """The goals, measured on `after` (or the last configuration run), with `before` beside."""
    target = "after" if "after" in configs else configs[-1]
    beside = "before" if "before" in configs and target != "before" else None
    bare = section["bare"].rps

    def of(config: str | None, key: str) -> Result | None:
        if config is None:
            return None
        return section["configs"][config]["workloads"].get(key)

    def share(key: str) -> Callable[[str | None], float | None]:
        return lambda c: (r.rps / bare) if (r := of(c, key)) else None

    def p95_ratio(key: str) -> Callable[[str | None], float | None]:
        def ratio(c: str | None) -> float | None:
            big, small = of(c, key), of(c, key + "_small")
            return big.p95 / small.p95 if big and small and small.p95 else None

        return ratio

    rows = [
        ("candidate portal landing, share of bare req/s", share("landing"), 0.25, "min"),
        ("cached report download, share of bare req/s", share("report"), 0.35, "min"),
        ("recruiter dashboard, share of bare req/s", share("dashboard"), 0.10, "min"),
        (f"recruiter lists and search ({large:,}), share of bare", share("lists"), 0.10, "min"),
        ("list p95, large vs small data set", p95_ratio("lists"), 1.5, "max"),
        ("  browsing only", p95_ratio("browse"), 1.5, "max"),
        ("  searching only", p95_ratio("search"), 1.5, "max"),
        ("signed-in floor, share of bare (informational)", share("floor"), None, "info"),
    ]
    out = []
    for label, measure, limit, kind in rows:
        value, before = measure(target), measure(beside)
        met = None
        if value is not None and kind == "min":
            met = value >= limit
        elif value is not None and kind == "max":
            met = value <= limit
        out.append(
            {
                "goal": label,
                "kind": kind,
                "limit": limit,
                "value": value,
                "before": before,
                "met": met,
                "ratio": kind == "max",
            }
        )
    return target, beside, out


def md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def print_section(
    engine: str, section: dict, configs: list[str], labels: dict[str, str], large: int
) -> None:
    bare: Result = section["bare"]
    print(f"\n### {engine}: req/s, share of the bare page, latency\n")
    print(
        f"bare Flask page ({engine} section, the faster of its runs at the start "
        f"({section['bare_first'].rps:.1f} req/s) and at the end "
        f"({section['bare_last'].rps:.1f})): {bare.rps:.1f} req/s, p50/p95/p99 "
        f"{bare.p50:.1f} / {bare.p95:.1f} / {bare.p99:.1f} ms; section took "
        f"{section['elapsed_s'] / 60:.1f} min\n"
    )
    header = ["workload"]
    for config in configs:
        header += [f"{config} req/s", "% bare", "p50 / p95 / p99 ms"]
    print(md_row(header))
    print(md_row(["---"] + ["---:"] * (len(header) - 1)))
    flagged = []
    for key, label in labels.items():
        cells, present = [label.replace("  of which", "↳ of which")], False
        for config in configs:
            r = section["configs"][config]["workloads"].get(key)
            if r is None:
                cells += ["", "", ""]
                continue
            present = True
            mark = " (!)" if r.bad or r.note else ""
            if mark:
                flagged.append((config, r))
            cells += [
                f"{r.rps:.1f}{mark}",
                f"{r.rps / bare.rps * 100:.1f} %",
                f"{r.p50:.1f} / {r.p95:.1f} / {r.p99:.1f}",
            ]
        if present:
            print(md_row(cells))
    print()
    for config in configs:
        info = section["configs"][config].get("uncached_reports")
        if info:
            print(
                f"- uncached report downloads, {config}: statuses {info['statuses']}, "
                f"{info['median_ms']} ms median / {info['max_ms']} ms max, all "
                f"{info['count']} ready in {info['all_ready_s']} s"
                + (f", {info['still_pending']} STILL PENDING" if info["still_pending"] else "")
            )
    print(f"- {section['submit_plan']}")
    recycled = [
        f"{config} / {r.name.strip()} ({r.worker_restarts})"
        for config in configs
        for r in section["configs"][config]["workloads"].values()
        if r.worker_restarts
    ]
    if recycled:
        print(
            "- gunicorn recycled workers (max_requests) while measuring, each restart a "
            "second or two of start-up and a worker's in-process caches emptied: "
            + ", ".join(recycled)
        )
    for n, seeding in section["seeding"].items():
        if not seeding.get("reused"):
            print(f"- seeding {int(n):,} candidates on {engine}: {seeding['seed_s']} s")
    if flagged:
        print(f"\n!!! {engine}: workloads with unexpected answers (a wrong status is a bug):")
        for config, r in flagged:
            print(
                f"!!!   {config:8} {r.name.strip()}: {r.unexpected} unexpected (expected "
                f"{r.expected}), {r.socket_errors} socket errors of {r.requests}"
                + (f"; replay gave {r.probe}" if r.probe else "")
                + (f"; {r.note}" if r.note else "")
            )

    target, beside, rows = goals(section, configs, large)
    section["goals"] = {"measured_on": target, "beside": beside, "rows": rows}
    print(f"\n### {engine}: goals, measured on '{target}'\n")
    head = ["goal", "limit"] + ([beside] if beside else []) + [target, ""]
    print(md_row(head))
    print(md_row(["---", "---:"] + ["---:"] * (len(head) - 3) + ["---"]))
    for row in rows:

        def show(v: float | None, ratio: bool = row["ratio"]) -> str:
            if v is None:
                return "—"
            return f"{v:.2f}×" if ratio else fmt_pct(v)

        if row["kind"] == "info":
            limit, verdict = "—", ""
        else:
            limit = ("≤ " if row["kind"] == "max" else "≥ ") + show(row["limit"])
            verdict = {True: "MET", False: "**MISSED**", None: "n/a"}[row["met"]]
        cells = [row["goal"].replace("  browsing", "↳ browsing").replace("  search", "↳ search")]
        cells.append(limit)
        if beside:
            cells.append(show(row["before"]))
        cells += [show(row["value"]), verdict]
        print(md_row(cells))


def to_json(obj):
    if isinstance(obj, Result):
        return to_json({**asdict(obj), "bad": obj.bad})
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    if isinstance(obj, float):
        return round(obj, 4)
    return obj


def write_json(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)


def main() -> None:
    """Seed (or reuse) the data sets, serve, load, print figures and goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=[*ENGINES, "both"], default="both")
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help="comma-separated cache configurations, of: " + ", ".join(CONFIGS),
    )
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each workload")
    parser.add_argument("--quick", action="store_true", help="--duration 4 --warmup 1")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--json", type=Path, help="default: load.json in the run's log folder")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup = 4, 1
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown or not configs:
        parser.error(f"--configs: unknown {unknown}; choose from {', '.join(CONFIGS)}")
    engines = list(ENGINES) if args.engine == "both" else [args.engine]
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="betteroff-load-"))
    json_path = (args.json or work / "load.json").resolve()
    workers = (
        os.environ.get("GUNICORN_WORKERS") or f"{(os.cpu_count() or 1) * 2 + 1} (2 x cores + 1)"
    )
    print(
        f"BetterOff load benchmark; engines {engines}, configurations {configs}; logs in {work}; "
        f"JSON to {json_path}\nload average {os.getloadavg()}; gunicorn: gunicorn.conf.py, sync "
        f"workers: {workers}; wrk: {WRK_THREADS} threads, {args.connections} connections, "
        f"{args.duration} s per workload after {args.warmup} s of warm-up",
        flush=True,
    )
    report: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_start": os.getloadavg(),
        },
        "settings": {
            "engines": engines,
            "configs": configs,
            "config_env": {c: CONFIGS[c] for c in configs},
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "wrk_threads": WRK_THREADS,
            "gunicorn_workers": workers,
            "large": args.large,
            "small": args.small,
        },
        "engines": {},
        "logs": str(work),
    }
    for engine in engines:
        report["engines"][engine] = run_engine(engine, configs, work, args)
        write_json(json_path, report)
    elapsed = time.perf_counter() - started
    report["elapsed_s"] = round(elapsed, 1)
    report["machine"]["load_average_end"] = os.getloadavg()
    write_json(json_path, report)
    per_engine = ", ".join(
        f"{e} {s['elapsed_s'] / 60:.1f} min" for e, s in report["engines"].items()
    )
    bad = [
        (e, c, r.name.strip())
        for e, s in report["engines"].items()
        for c, cfg in s["configs"].items()
        for r in cfg["workloads"].values()
        if r.bad or r.note
    ]
    if bad:
        print(f"\n!!! {len(bad)} workload(s) had unexpected answers: {bad}")
    note = (
        "\nscorecard submit figures use drafts that can be submitted once; when the plan above "
        "says none are left, run again with --reseed."
    )
    print(note)
    print(
        f"\nwhole run: {elapsed / 60:.1f} min ({per_engine}); load average at the end "
        f"{os.getloadavg()}\nfigures as JSON: {json_path}"
    )


if __name__ == "__main__":
    main()
