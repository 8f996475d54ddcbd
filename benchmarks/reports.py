"""Report rendering figures, measured in one run against the issue's budgets.

Run: .venv/bin/python benchmarks/reports.py [--rounds 100] [--other-rounds 9] [--reports 200]
                                            [--json PATH]

Prints, on a throw-away SQLite database with the demo data plus generated candidates:
- the WeasyPrint floor (a one-paragraph page),
- a typical interview report end to end (load, build HTML, render, store, commit) against
  WeasyPrint alone on the same final HTML, timed interleaved (A, B, A, B, … for --rounds
  pairs) so that a change in the machine's load moves both alike: medians, p50/p95/p99, the
  ratio of the medians and the spread of the per-pair ratios,
- the journey report of a candidate with 10 interviews,
- a cached download through the app, and its speed-up over a fresh render,
- `flask reports build` on N reports with one process and with every core,
- the peak memory of a worker process rendering N reports in a row.
It prints figures (and writes them as JSON); it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from weasyprint import HTML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.feedback import services  # noqa: E402
from portal.models import (  # noqa: E402
    Base,
    Candidate,
    Company,
    CompanyKind,
    Feedback,
    FeedbackState,
    Interview,
    InterviewFormat,
    PanelMember,
    Position,
    Report,
    Role,
    Stage,
    User,
    utcnow,
)
from portal.ops import requestlog  # noqa: E402
from portal.reports.cli import build_in_processes  # noqa: E402
from portal.reports.queries import build_interview_report  # noqa: E402
from portal.reports.renderer import html_to_pdf, render_html  # noqa: E402
from portal.reports.store import (  # noqa: E402
    ReportKind,
    ReportRequest,
    all_requests,
    get_or_build,
    report_path,
)
from tests.factories import scorecard_input  # noqa: E402

PARAGRAPH = (
    '<!doctype html><html lang="en"><head><title>One paragraph</title></head>'
    "<body><p>One paragraph of text.</p></body></html>"
)
STAGES = [Stage.FIRST, Stage.SECOND, Stage.FINAL]


def median_ms(
    work: Callable[[], object], rounds: int, before: Callable[[], object] | None = None
) -> float:
    work()  # warm-up: fonts, templates and caches are per process
    times = []
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linearly interpolated between the closest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(values_ms: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(values_ms),
        "p50_ms": percentile(values_ms, 50),
        "p95_ms": percentile(values_ms, 95),
        "p99_ms": percentile(values_ms, 99),
        "min_ms": min(values_ms),
        "max_ms": max(values_ms),
    }


def interleaved(
    a: Callable[[], object], b: Callable[[], object], pairs: int, before_b: Callable[[], object]
) -> dict:
    """Time A then B, `pairs` times over (after one untimed warm-up of each): whatever the
    machine does meanwhile falls on both alike. `before_b` runs untimed before every B."""
    a()
    before_b()
    b()
    a_ms, b_ms = [], []
    started = time.perf_counter()

    def timed(fn: Callable[[], object]) -> float:
        # The garbage of the previous render is collected first, and no collection runs
        # during the timed call: a pause then would fall on one side of the pair only.
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            fn()
            return (time.perf_counter() - t0) * 1000
        finally:
            gc.enable()

    for _ in range(pairs):
        a_ms.append(timed(a))
        before_b()
        b_ms.append(timed(b))
    ratios = [y / x for x, y in zip(a_ms, b_ms, strict=True)]
    return {
        "pairs": pairs,
        "seconds": time.perf_counter() - started,
        "weasyprint_alone": spread(a_ms),
        "end_to_end": spread(b_ms),
        "ratio_of_medians": statistics.median(b_ms) / statistics.median(a_ms),
        "pair_ratios": {
            "median": statistics.median(ratios),
            "min": min(ratios),
            "max": max(ratios),
            "p5": percentile(ratios, 5),
            "p95": percentile(ratios, 95),
        },
    }


def rounded(obj):
    if isinstance(obj, float):
        return round(obj, 3)
    if isinstance(obj, dict):
        return {k: rounded(v) for k, v in obj.items()}
    return obj


def make_app(tmp: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "REPORTS_DIR": str(tmp / "reports"),
            "OUTBOX_DIR": str(tmp / "outbox"),
            "SECRET_KEY": "benchmark-secret-key-with-enough-length",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
        }
    )
    # One JSON line per request would bury the figures: the benchmark's requests go unlogged.
    logging.getLogger(requestlog.LOGGER_NAME).setLevel(logging.WARNING)
    return app


def released(interview: Interview, author: User) -> Feedback:
    fb = services.start_feedback(interview, author)
    services.save_feedback(fb, scorecard_input(), actor=author, expected_version=fb.lock_version)
    services.submit_feedback(fb, actor=author)
    keys = {services.finding_key(f) for f in services.release_findings(fb)}
    services.release_feedback(fb, actor=author, acknowledged=keys)
    return fb


def add_data(n_reports: int) -> tuple[int, int]:
    """Candidates with one released interview each (two reports each), and one with ten."""
    author = db.session.scalar(select(User).where(User.role == Role.RECRUITER))
    company = Company(name="Benchmark Corp", kind=CompanyKind.CLIENT)
    position = Position(company=company, title="Analyst")
    db.session.add_all([company, position])
    start = utcnow() - timedelta(days=400)
    for i in range(n_reports // 2):
        cand = Candidate(name=f"Bench Candidate {i:03d}", email=f"bench{i}@example.com")
        interview = Interview(
            candidate=cand,
            position=position,
            interviewer=author,
            stage=Stage.FIRST,
            format=InterviewFormat.VIDEO,
            scheduled_at=start + timedelta(days=i),
        )
        interview.panel.append(PanelMember(user=author))  # only the panel writes scorecards
        db.session.add_all([cand, interview])
        db.session.flush()
        released(interview, author)
    ten = Candidate(name="Ten Interviews", email="ten@example.com")
    db.session.add(ten)
    for i in range(10):
        interview = Interview(
            candidate=ten,
            position=position,
            interviewer=author,
            stage=STAGES[min(i // 4, 2)],
            format=InterviewFormat.VIDEO,
            scheduled_at=start + timedelta(days=30 * i),
        )
        interview.panel.append(PanelMember(user=author))
        db.session.add(interview)
        db.session.flush()
        released(interview, author)
    db.session.commit()
    typical = db.session.scalar(
        select(Feedback.id)
        .join(Feedback.interview)
        .join(Interview.candidate)
        .where(Candidate.email == "candidate@example.com", Feedback.state == FeedbackState.RELEASED)
    )
    return typical, ten.id


def clear_reports(app) -> None:
    db.session.query(Report).delete()
    db.session.commit()
    shutil.rmtree(app.config["REPORTS_DIR"], ignore_errors=True)


def memory_child(tmp: Path, count: int) -> None:
    """Render `count` reports in a row in this fresh process; print the peak RSS in MB."""
    app = make_app(tmp)
    with app.app_context():
        requests = all_requests()[:count]
        for request in requests:
            get_or_build(request)
            db.session.commit()
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{len(requests)} {peak_kb / 1024:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds",
        type=int,
        default=100,
        help="interleaved pairs (WeasyPrint alone, end to end) for the ratio; 100 take about "
        "a minute on a quiet machine, under two on a busy one",
    )
    parser.add_argument(
        "--other-rounds",
        type=int,
        default=9,
        help="rounds of the other timed figures (floor, journey; the cached download takes "
        "5 x this, at least 30)",
    )
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--json", type=Path, help="where to write the figures as JSON")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(Path(args.memory_child), args.reports)
        return
    if args.rounds < 1 or args.other_rounds < 1:
        parser.error("--rounds and --other-rounds need at least 1")
    stamp = datetime.now(UTC)
    json_path = (
        args.json or Path(tempfile.gettempdir()) / f"betteroff-reports-{stamp:%Y%m%d-%H%M%S}.json"
    ).resolve()
    figures: dict = {
        "started": stamp.isoformat(timespec="seconds"),
        "load_average_start": os.getloadavg(),
        "settings": {
            "pairs": args.rounds,
            "other_rounds": args.other_rounds,
            "reports": args.reports,
        },
    }
    rounds = args.other_rounds

    tmp = Path(tempfile.mkdtemp(prefix="betteroff-bench-"))
    try:
        app = make_app(tmp)
        with app.app_context():
            Base.metadata.create_all(db.engine)
            seed_demo()
            db.session.commit()
            print(
                f"Preparing data: demo set plus {args.reports // 2} candidates "
                "and one with ten interviews …"
            )
            typical_id, ten_id = add_data(args.reports)
            typical = db.session.get(Feedback, typical_id)
            request = ReportRequest(
                ReportKind.INTERVIEW, typical.interview.candidate_id, typical_id
            )
            html = render_html(build_interview_report(typical_id))

            floor = median_ms(lambda: HTML(string=PARAGRAPH).write_pdf(), rounds)

            def remove_typical() -> None:
                report = db.session.scalar(
                    select(Report).where(Report.interview_id == typical.interview_id)
                )
                if report is not None:
                    report_path(report).unlink(missing_ok=True)
                    db.session.delete(report)
                    db.session.commit()

            def end_to_end() -> None:
                get_or_build(request)
                db.session.commit()

            print(
                f"Timing {args.rounds} interleaved pairs: WeasyPrint alone, then end to end …",
                flush=True,
            )
            pair = interleaved(lambda: html_to_pdf(html), end_to_end, args.rounds, remove_typical)
            full = pair["end_to_end"]["median_ms"]
            journey = ReportRequest(ReportKind.JOURNEY, ten_id)

            def remove_journey() -> None:
                db.session.query(Report).filter(
                    Report.candidate_id == ten_id, Report.kind == ReportKind.JOURNEY
                ).delete()
                db.session.commit()

            journey_ms = median_ms(
                lambda: (get_or_build(journey), db.session.commit()),
                rounds,
                before=remove_journey,
            )

            get_or_build(request)
            db.session.commit()
            client = app.test_client()
            client.post(
                "/sign-in", data={"email": "candidate@example.com", "password": DEMO_PASSWORD}
            )
            url = f"/reports/feedback/{typical_id}.pdf"
            assert client.get(url).status_code == 200
            cached = median_ms(lambda: client.get(url).data, max(rounds * 5, 30))

            a, b, spread_of = pair["weasyprint_alone"], pair["end_to_end"], pair["pair_ratios"]
            ratio = pair["ratio_of_medians"]
            print()
            print(f"WeasyPrint floor, one-paragraph page           {floor:8.1f} ms")
            print(
                f"Interview report, {args.rounds} interleaved pairs (A, B, A, B, …) in "
                f"{pair['seconds']:.0f} s"
            )
            print(f"  {'':56} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
            for label, times in (
                ("A  WeasyPrint alone on the same final HTML", a),
                ("B  end to end (load, build HTML, render, store, commit)", b),
            ):
                print(
                    f"  {label:56} {times['p50_ms']:8.1f} {times['p95_ms']:8.1f} "
                    f"{times['p99_ms']:8.1f}"
                )
            print(
                f"  B / A: ratio of medians {ratio:.2f}× (budget ≤ 1.20×: "
                f"{'MET' if ratio <= 1.2 else 'MISSED'})\n"
                f"         per pair: median {spread_of['median']:.2f}×, middle 90% "
                f"{spread_of['p5']:.2f}–{spread_of['p95']:.2f}×, min {spread_of['min']:.2f}×, "
                f"max {spread_of['max']:.2f}×"
            )
            print(f"Journey report, candidate with 10 interviews   {journey_ms:8.1f} ms")
            print(
                f"Cached download through the app                {cached:8.1f} ms   "
                f"fresh/cached {full / cached:.0f}× (budget ≥ 50×)"
            )
            figures.update(
                weasyprint_floor_ms=floor,
                interview_report=pair,
                interview_report_budget=1.2,
                journey_report_ms=journey_ms,
                cached_download_ms=cached,
                fresh_over_cached=full / cached,
                fresh_over_cached_budget=50,
            )

            clear_reports(app)
            requests = all_requests()[: args.reports]
            db.session.remove()
            started = time.perf_counter()
            build_in_processes(requests, 1)
            one = time.perf_counter() - started
            clear_reports(app)
            db.session.remove()
            cores = os.cpu_count() or 1
            started = time.perf_counter()
            build_in_processes(requests, cores)
            many = time.perf_counter() - started
            print(f"flask reports build, {len(requests)} reports, 1 process   {one:7.1f} s")
            print(
                f"flask reports build, {len(requests)} reports, {cores} processes  {many:7.1f} s   "
                f"ratio {many / one:.2f}× (budget ≤ 0.60×)"
            )
            figures["reports_build"] = {
                "reports": len(requests),
                "one_process_s": one,
                "processes": cores,
                "all_processes_s": many,
                "ratio": many / one,
                "budget": 0.6,
            }
            clear_reports(app)
            db.engine.dispose()

        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(tmp), "--reports", str(args.reports)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        print(
            f"Worker rendering {out[0]} reports in a row: peak memory {out[1]} MB (budget < 300 MB)"
        )
        figures["worker_memory"] = {"reports": int(out[0]), "peak_mb": int(out[1]), "budget": 300}
        figures["load_average_end"] = os.getloadavg()
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(rounded(figures), indent=2) + "\n")
        print(f"figures as JSON: {json_path}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
