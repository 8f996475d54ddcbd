"""Report rendering figures, measured in one run against the issue's budgets.

Run: .venv/bin/python benchmarks/reports.py [--rounds 9] [--reports 200]

Prints, on a throw-away SQLite database with the demo data plus generated candidates:
- the WeasyPrint floor (a one-paragraph page),
- a typical interview report end to end (load, build HTML, render, store) next to WeasyPrint
  alone on the same final HTML,
- the journey report of a candidate with 10 interviews,
- a cached download through the app, and its speed-up over a fresh render,
- `flask reports build` on N reports with one process and with every core,
- the peak memory of a worker process rendering N reports in a row.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
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
from datetime import timedelta
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(Path(args.memory_child), args.reports)
        return

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

            floor = median_ms(lambda: HTML(string=PARAGRAPH).write_pdf(), args.rounds)
            weasy = median_ms(lambda: html_to_pdf(html), args.rounds)

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

            full = median_ms(end_to_end, args.rounds, before=remove_typical)
            journey = ReportRequest(ReportKind.JOURNEY, ten_id)

            def remove_journey() -> None:
                db.session.query(Report).filter(
                    Report.candidate_id == ten_id, Report.kind == ReportKind.JOURNEY
                ).delete()
                db.session.commit()

            journey_ms = median_ms(
                lambda: (get_or_build(journey), db.session.commit()),
                args.rounds,
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
            cached = median_ms(lambda: client.get(url).data, max(args.rounds * 5, 30))

            print()
            print(f"WeasyPrint floor, one-paragraph page           {floor:8.1f} ms")
            print(f"Interview report, WeasyPrint alone (same HTML) {weasy:8.1f} ms")
            print(
                f"Interview report, end to end (load→store)      {full:8.1f} ms   "
                f"ratio {full / weasy:.2f}× (budget ≤ 1.20×)"
            )
            print(f"Journey report, candidate with 10 interviews   {journey_ms:8.1f} ms")
            print(
                f"Cached download through the app                {cached:8.1f} ms   "
                f"fresh/cached {full / cached:.0f}× (budget ≥ 50×)"
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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
