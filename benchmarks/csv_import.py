"""What a CSV import costs: 10,000 candidates and 10,000 interviews, each file imported twice
(the first run creates every row, the second finds every row unchanged), next to a baseline
in the same run: the same rows created through the plain services (create_candidate,
save_interview) with a commit every 500, without the CSV reader, the forms and the upserts.

Run: .venv/bin/python benchmarks/csv_import.py [--rows 10000] [--database URL]

On a throw-away SQLite database unless --database names another (an empty PostgreSQL
database, say). Imports run inline (no Redis), in batches of IMPORT_BATCH_SIZE (500) rows,
each its own transaction, exactly as the "Import" button runs them. Preview is timed too (it
reads every row through the forms, writing nothing). It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.candidates.services import create_candidate  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.imports import runner, services  # noqa: E402
from portal.imports.columns import columns_of  # noqa: E402
from portal.interviews.services import save_interview  # noqa: E402
from portal.models import (  # noqa: E402
    Candidate,
    Company,
    CompanyKind,
    ImportKind,
    ImportStatus,
    InterviewFormat,
    Position,
    Role,
    Stage,
    User,
)
from portal.unit_of_work import commit  # noqa: E402

POSITIONS = 10
RECRUITERS = 5
START = datetime(2027, 1, 4, 9, 0)


def candidates_csv(rows: int, domain: str) -> str:
    lines = ["external_id,name,email,phone,headline"]
    lines += [
        f"c-{n},Person {n},person{n}@{domain},+44 20 {n:07d},Analyst {n % 7}" for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


def interviews_csv(rows: int) -> str:
    lines = ["external_id,candidate,position,interviewer,stage,format,scheduled_at,location"]
    for n in range(rows):
        when = START + timedelta(minutes=30 * n)
        lines.append(
            f"i-{n},c-{n},Company {n % POSITIONS} / Role {n % POSITIONS},"
            f"rec{n % RECRUITERS}@example.com,first,video,{when:%Y-%m-%dT%H:%M:%SZ},Room {n % 9}"
        )
    return "\n".join(lines) + "\n"


def make_app(url: str, tmp: Path):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "REPORTS_DIR": str(tmp / "reports"),
            "OUTBOX_DIR": str(tmp / "outbox"),
            "IMPORTS_DIR": str(tmp / "imports"),
            "REDIS_URL": None,
            "RENDER_REPORTS_ON_RELEASE": False,
        }
    )


def seed() -> tuple[User, list[User], list[Position]]:
    db.drop_all()
    db.create_all()
    admin = User(email="admin@example.com", name="Ada Admin", role=Role.ADMIN)
    recruiters = [
        User(email=f"rec{i}@example.com", name=f"Recruiter {i}", role=Role.RECRUITER)
        for i in range(RECRUITERS)
    ]
    positions = [
        Position(title=f"Role {i}", company=Company(name=f"Company {i}", kind=CompanyKind.CLIENT))
        for i in range(POSITIONS)
    ]
    db.session.add_all([admin, *recruiters, *positions])
    commit()
    return admin, recruiters, positions


def run_import(kind: ImportKind, text: str, admin: User) -> tuple[float, float, dict]:
    """Upload, map, preview and import one file: (preview seconds, import seconds, counts)."""
    run = services.create_run(
        kind=kind, source="bench", filename="bench.csv", data=text.encode(), actor=admin
    )
    services.choose_mapping(run, {c.name: c.name for c in columns_of(kind)}, actor=admin)
    commit()
    started = time.perf_counter()
    preview = services.preview(run)
    previewed = time.perf_counter() - started
    assert preview.problem_count == 0, preview.problems[:3]
    started = time.perf_counter()
    runner.start_import(run, actor=admin)
    commit()  # the batches run now, one transaction each, as after the button's request
    took = time.perf_counter() - started
    db.session.expire_all()
    assert run.status is ImportStatus.DONE, run.last_error
    counts = {
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "refused": run.refused_count,
    }
    return previewed, took, counts


def baseline_candidates(rows: int, admin: User) -> float:
    started = time.perf_counter()
    for n in range(rows):
        create_candidate(
            name=f"Person {n}",
            email=f"person{n}@base.example",
            phone=f"+44 20 {n:07d}",
            headline=f"Analyst {n % 7}",
            actor=admin,
            invite=False,
            external_source="base",
            external_id=f"c-{n}",
        )
        if n % 500 == 499:
            commit()
    commit()
    return time.perf_counter() - started


def baseline_interviews(rows: int, admin: User, recruiters, positions) -> float:
    candidate_ids = db.session.scalars(db.select(Candidate.id).order_by(Candidate.id)).all()
    started = time.perf_counter()
    for n in range(rows):
        save_interview(
            None,
            actor=admin,
            candidate_id=candidate_ids[n],
            position_id=positions[n % POSITIONS].id,
            interviewer_id=recruiters[n % RECRUITERS].id,
            stage=Stage.FIRST,
            format=InterviewFormat.VIDEO,
            scheduled_at=START + timedelta(minutes=30 * n),
            location=f"Room {n % 9}",
            external_source="base",
            external_id=f"i-{n}",
        )
        if n % 500 == 499:
            commit()
    commit()
    return time.perf_counter() - started


def line(label: str, rows: int, seconds: float, counts: dict | None = None) -> None:
    outcome = " ".join(f"{k}={v}" for k, v in (counts or {}).items() if v)
    print(f"{label:<44} {seconds:8.1f} s {rows / seconds:9.0f} rows/s  {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", help="an empty database to use (default: SQLite)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = args.database or f"sqlite:///{tmp / 'b.sqlite3'}"
    rows = args.rows
    app = make_app(url, tmp)
    with app.app_context():
        print(f"{rows:,} rows per file, on {db.engine.dialect.name}\n")
        admin, recruiters, positions = seed()
        line("baseline: create_candidate × N", rows, baseline_candidates(rows, admin))
        line(
            "baseline: save_interview × N",
            rows,
            baseline_interviews(rows, admin, recruiters, positions),
        )
        admin, recruiters, positions = seed()
        people, meetings = candidates_csv(rows, "example.com"), interviews_csv(rows)
        for label, kind, text in (
            ("candidates", ImportKind.CANDIDATES, people),
            ("interviews", ImportKind.INTERVIEWS, meetings),
        ):
            for attempt in ("first import", "second import"):
                previewed, took, counts = run_import(kind, text, admin)
                if attempt == "first import":
                    line(f"preview {label} (every row, no writes)", rows, previewed)
                line(f"{attempt}: {label}", rows, took, counts)
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
