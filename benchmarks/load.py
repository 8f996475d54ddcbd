"""Load benchmark: gunicorn + PostgreSQL + Redis on loopback, measured with wrk.

    apt-get install wrk            # once; the benchmark is not part of CI
    .venv/bin/python benchmarks/load.py [--duration 10] [--connections 8] [--reseed]

Serves a bare Flask page and the portal with the same gunicorn.conf.py, against PostgreSQL
seeded by `flask seed-scale` (20,000 candidates, and 1,000 for comparison; the databases are
kept for the next run) and Redis for jobs, with a real RQ worker. For each workload it prints
requests/s and p50/p95/p99 latency, then checks the budgets of docs/scale.md. Everything runs
on 127.0.0.1, every wrk run stops after --duration seconds, and the servers it started are
stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = ROOT / "benchmarks" / "wrk_requests.lua"
HOST = "127.0.0.1"
PASSWORD = "betteroff-scale"  # noqa: S105 - the documented seed-scale login
RECRUITER = "scale-recruiter-01@example.com"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEARCH_TERMS = ["chen", "weber", "analyst", "maya", "nordic", "rossi"]


@dataclass
class Result:
    """One workload's figures from wrk."""

    name: str
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    unexpected: int

    def line(self) -> str:
        flag = f"  ({self.unexpected} unexpected answers)" if self.unexpected else ""
        return (
            f"{self.name:44} {self.rps:8.1f} {self.p50:8.1f} {self.p95:8.1f} {self.p99:8.1f}"
            f"{self.requests:9d}{flag}"
        )


# --- servers ---------------------------------------------------------------------------------


@contextmanager
def gunicorn(module: str, port: int, env: dict[str, str], log: Path) -> Iterator[None]:
    """gunicorn with gunicorn.conf.py on 127.0.0.1:port; stopped on exit."""
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}"}
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), module],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(port, proc)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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
        proc.wait(timeout=30)


def wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn on port {port} exited early; see the log")
        try:
            request(port, "GET", "/")
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn on port {port} did not answer within {timeout} s")


# --- HTTP as a browser would -------------------------------------------------------------


def request(
    port: int, method: str, path: str, cookie: str = "", body: dict | None = None
) -> tuple[int, dict[str, str], str]:
    """One request on loopback: status, headers (last value wins), text."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urlencode(body)
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
    """The session cookie of a signed-in user."""
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
    return session_cookie(headers)


# --- wrk -------------------------------------------------------------------------------------


def run_wrk(
    name: str,
    port: int,
    lines: list[str],
    expected: int,
    args: argparse.Namespace,
    warm: list[str] | None = None,
) -> Result:
    """Replay the request lines for --duration seconds, after a short warm-up on `warm`
    (by default the same lines; requests that succeed only once need lines of their own)."""
    threads = 2
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(lines) + "\n")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as warm_fh:
        warm_fh.write("\n".join(warm or lines) + "\n")
    try:
        base = [
            "wrk",
            f"-t{threads}",
            f"-c{args.connections}",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://{HOST}:{port}",
        ]
        tail = ["--", fh.name, str(expected), str(threads)]
        warm_tail = ["--", warm_fh.name, str(expected), str(threads)]
        if args.warmup:
            subprocess.run(
                [*base[:1], "-d", f"{args.warmup}s", *base[1:], *warm_tail],  # noqa: S603
                check=True,
                capture_output=True,
            )
        out = subprocess.run(
            [*base[:1], "-d", f"{args.duration}s", *base[1:], *tail],  # noqa: S603
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(fh.name)
        os.unlink(warm_fh.name)
    figures = json.loads(out.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    result = Result(
        name,
        figures["requests"] / seconds,
        figures["p50_us"] / 1000,
        figures["p95_us"] / 1000,
        figures["p99_us"] / 1000,
        figures["requests"],
        figures["unexpected"] + figures["socket_errors"],
    )
    print(result.line(), flush=True)
    return result


def get_lines(paths: list[str], cookie: str = "") -> list[str]:
    return [f"GET\t{path}\t{cookie}\t" for path in paths]


# --- data ------------------------------------------------------------------------------------


def database_url(server: str, n: int) -> str:
    return f"{server.rstrip('/')}/betteroff_bench_{n}"


def engine_for(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def ensure_seeded(server: str, n: int, reseed: bool, log: Path) -> str:
    """A database with n seeded candidates: reused when present, else created and seeded."""
    url = database_url(server, n)
    name = url.rsplit("/", 1)[1]
    admin = engine_for(f"{server.rstrip('/')}/postgres").execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and not reseed:
            with engine_for(url).connect() as db_conn:
                try:
                    count = db_conn.scalar(sa.text("SELECT count(*) FROM candidates"))
                except sa.exc.ProgrammingError:
                    count = None
            if count == n:
                print(f"reusing {name} ({n:,} candidates)")
                return url
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    env = {**os.environ, "FLASK_APP": "wsgi:app", "DATABASE_URL": url}
    subprocess.run(
        [str(BIN / "flask"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,  # noqa: S603
        capture_output=True,
    )
    out = subprocess.run(
        [str(BIN / "flask"), "seed-scale", "--candidates", str(n)],  # noqa: S603
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    log.write_text(out)
    print(f"seeded {name}: {out.strip().splitlines()[-1]}")
    return url


@dataclass
class Picks:
    """Realistic targets read from the seeded database."""

    candidate_ids: list[int]
    candidates: list[tuple[str, int]]  # (candidate login, one of their released scorecards)
    drafts: list[tuple[int, int]]  # (scorecard id, lock_version) of RECRUITER's drafts


def read_picks(url: str, rng: random.Random) -> Picks:
    with engine_for(url).connect() as conn:
        ids = conn.scalars(sa.text("SELECT id FROM candidates ORDER BY id")).all()
        released = conn.execute(
            sa.text(
                "SELECT DISTINCT ON (u.id) u.email, f.id FROM feedback f "
                "JOIN interviews i ON i.id = f.interview_id "
                "JOIN candidates c ON c.id = i.candidate_id "
                "JOIN users u ON u.id = c.user_id "
                "WHERE f.state = 'released' ORDER BY u.id, f.id "
                "LIMIT 200"
            )
        ).all()
        drafts = conn.execute(
            sa.text(
                "SELECT f.id, f.lock_version FROM feedback f JOIN users u ON u.id = f.author_id "
                "WHERE u.email = :e AND f.state = 'draft' ORDER BY f.id"
            ),
            {"e": RECRUITER},
        ).all()
    return Picks(
        rng.sample(ids, 200),
        rng.sample([tuple(r) for r in released], 10),
        [tuple(r) for r in drafts],
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


# --- the run ---------------------------------------------------------------------------------


def run_lists(n: int, suffix: str, cookie: str, args: argparse.Namespace) -> dict[str, Result]:
    """The list workload on the data set of n candidates, then its browsing and searching
    halves on their own; results keyed lists/browse/search plus suffix."""
    workloads = [
        ("lists", "recruiter lists", list_paths(pages=20)),
        ("browse", "  of which browsing", browse_paths(20)),
        ("search", "  of which searching", search_paths()),
    ]
    return {
        key + suffix: run_wrk(f"{label} ({n:,})", args.port, get_lines(paths, cookie), 200, args)
        for key, label, paths in workloads
    }


def portal_env(url: str, redis_url: str, reports: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BETTEROFF_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        # JIT costs more than it saves on short queries (README.md, "Production deployment").
        "DATABASE_URL": f"{url}?options=-c%20jit%3Doff",
        "REDIS_URL": redis_url,
        "REPORTS_DIR": str(reports),
        "OUTBOX_DIR": str(reports.parent / "outbox"),
    }


def prepare_reports(port: int, picks: Picks, cookies: dict[str, str]) -> None:
    """Ask for uncached reports: each answers 202 at once while the RQ worker renders it."""
    answered, started = [], time.perf_counter()
    for email, feedback_id in picks.candidates:
        t0 = time.perf_counter()
        status, _, _ = request(port, "GET", f"/reports/feedback/{feedback_id}.pdf", cookies[email])
        answered.append(((time.perf_counter() - t0) * 1000, status))
    pending = list(picks.candidates)
    while pending and time.perf_counter() - started < 300:
        time.sleep(0.5)
        pending = [
            (email, fid)
            for email, fid in pending
            if request(port, "GET", f"/reports/feedback/{fid}.pdf", cookies[email])[0] != 200
        ]
    rendered = time.perf_counter() - started
    times = sorted(ms for ms, _ in answered)
    print(
        f"uncached report downloads: statuses {sorted({s for _, s in answered})}, answered in "
        f"{times[len(times) // 2]:.1f} ms median / {times[-1]:.1f} ms max; the RQ worker "
        f"rendered all {len(answered)} in {rendered:.1f} s"
        + (f" ({len(pending)} still pending!)" if pending else "")
    )


def main() -> None:
    """Seed (or reuse) the databases, serve, load, print figures and budgets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each workload")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    import redis  # the "redis" extra

    work = Path(tempfile.mkdtemp(prefix="betteroff-load-"))
    rng = random.Random(8)
    print(f"BetterOff load benchmark; logs in {work}; load average {os.getloadavg()}")
    large = ensure_seeded(args.server, args.large, args.reseed, work / "seed-large.txt")
    small = ensure_seeded(args.server, args.small, args.reseed, work / "seed-small.txt")
    redis.Redis.from_url(args.redis).flushdb()
    workers = (
        os.environ.get("GUNICORN_WORKERS") or f"{(os.cpu_count() or 1) * 2 + 1} (2 x cores + 1)"
    )
    print(
        f"gunicorn: gunicorn.conf.py, sync workers: {workers}; wrk: 2 threads, "
        f"{args.connections} connections, {args.duration} s per workload\n"
    )
    print(f"{'workload':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>8}")
    results: dict[str, Result] = {}
    env = {**os.environ, "GUNICORN_ACCESS_LOG": str(work / "access.log")}

    with gunicorn("benchmarks.bare_app:app", args.port, env, work / "bare.log"):
        results["bare"] = run_wrk("bare Flask page", args.port, get_lines(["/"]), 200, args)

    picks = read_picks(large, rng)
    portal = {**portal_env(large, args.redis, work / "reports"), **env}
    with (
        rq_worker(portal, work / "worker.log"),
        gunicorn("benchmarks.bench_app:app", args.port, portal, work / "portal-large.log"),
    ):
        recruiter = sign_in(args.port, RECRUITER)
        cookies = {email: sign_in(args.port, email) for email, _ in picks.candidates}
        results["floor"] = run_wrk(
            "signed-in floor (user only, no page)",
            args.port,
            get_lines(["/bench/signed-in"], recruiter),
            200,
            args,
        )
        results.update(run_lists(args.large, "", recruiter, args))
        results["detail"] = run_wrk(
            "candidate detail",
            args.port,
            get_lines([f"/candidates/{i}" for i in picks.candidate_ids], recruiter),
            200,
            args,
        )
        results["dashboard"] = run_wrk(
            "recruiter dashboard", args.port, get_lines(["/"], recruiter), 200, args
        )
        # The form's CSRF token is kept in the session: use the cookie that came with it.
        _, headers, page = request(
            args.port, "GET", f"/feedback/{picks.drafts[0][0]}/edit", recruiter
        )
        token, editor = CSRF.search(page).group(1), session_cookie(headers, recruiter)
        submits = [
            f"POST\t/feedback/{fid}/edit\t{editor}\t{scorecard_body(lv, token)}"
            for fid, lv in picks.drafts
        ]
        # Each draft can be submitted once: the warm-up gets its own third of them.
        third = len(submits) // 3
        results["submit"] = run_wrk(
            "scorecard submit", args.port, submits[third:], 302, args, warm=submits[:third]
        )
        portal_pages = [
            line
            for email, fid in picks.candidates
            for line in get_lines(["/", f"/my/feedback/{fid}"], cookies[email])
        ]
        results["portal"] = run_wrk("candidate portal", args.port, portal_pages, 200, args)
        prepare_reports(args.port, picks, cookies)
        downloads = [
            line
            for email, fid in picks.candidates
            for line in get_lines([f"/reports/feedback/{fid}.pdf"], cookies[email])
        ]
        results["report"] = run_wrk("cached report download", args.port, downloads, 200, args)
        sign_ins = []
        for email, _ in picks.candidates:
            cookie, csrf = csrf_session(args.port)
            body = urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf})
            sign_ins.append(f"POST\t/sign-in\t{cookie}\t{body}")
        results["sign_in"] = run_wrk("sign-in (argon2id verify)", args.port, sign_ins, 302, args)

    small_env = {**portal_env(small, args.redis, work / "reports-small"), **env}
    with gunicorn("benchmarks.bench_app:app", args.port, small_env, work / "portal-small.log"):
        recruiter = sign_in(args.port, RECRUITER)
        results.update(run_lists(args.small, "_small", recruiter, args))
    report_budgets(results)
    print(f"\nload average at the end {os.getloadavg()}")


def report_budgets(r: dict[str, Result]) -> None:
    """The budgets of issue 8, met or not."""
    bare = r["bare"].rps
    checks = [
        ("candidate portal >= 25% of bare req/s", r["portal"].rps / bare, 0.25, True),
        ("recruiter lists >= 25% of bare req/s", r["lists"].rps / bare, 0.25, True),
        ("cached report download >= 50% of bare req/s", r["report"].rps / bare, 0.50, True),
        (
            "list p95 at large <= 1.5 x list p95 at small",
            r["lists"].p95 / r["lists_small"].p95,
            1.5,
            False,
        ),
        ("  browsing only", r["browse"].p95 / r["browse_small"].p95, 1.5, False),
        ("  searching only", r["search"].p95 / r["search_small"].p95, 1.5, False),
    ]
    print(
        f"\nfor scale: the signed-in floor serves {r['floor'].rps / bare:.2f} of the bare "
        "page's req/s before any page does its own work"
    )
    print("\nbudgets")
    for label, value, limit, at_least in checks:
        met = value >= limit if at_least else value <= limit
        print(f"  {'MET   ' if met else 'MISSED'} {label:48} {value:6.2f} (limit {limit})")


if __name__ == "__main__":
    main()
