"""What role skills cost: a scorecard page and an interview report with a template's role
skills and questions, next to the same without (the baseline), in one run.

Run: .venv/bin/python benchmarks/role_skills.py [--rounds 15]

On a throw-away SQLite database with the demo data: the median time and statements of the
scorecard form (GET) and of building + rendering the interview PDF, for a Data Analyst
scorecard (data analytics template: 4 role skills, 2 questions) and for one scored on the
engagement dimensions only. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Feedback, FeedbackState  # noqa: E402
from portal.reports.queries import build_interview_report  # noqa: E402
from portal.reports.renderer import render_pdf  # noqa: E402
from portal.unit_of_work import commit  # noqa: E402
from tests.querycount import count_queries  # noqa: E402


def timed(fn, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="bench-skills-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'b.sqlite3'}",
            "REPORTS_DIR": str(tmp / "reports"),
            "OUTBOX_DIR": str(tmp / "outbox"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        commit()
        base = db.session.scalars(
            sa.select(Feedback)
            .where(Feedback.state == FeedbackState.RELEASED)
            .where(Feedback.template_version_id.is_not(None))
            .order_by(Feedback.id)
        ).first()
        # The baseline is the same scorecard with its template part taken away.
        rows = {}
        for label, feedback_id, strip in (
            ("with role skills", base.id, False),
            ("engagement only", base.id, True),
        ):
            if strip:
                fb = db.session.get(Feedback, feedback_id)
                for rev in fb.revisions:
                    rev.content = {**rev.content, "skills": [], "answers": []}
                fb.skill_ratings.clear()
                fb.answers.clear()
                fb.template_version = None
                commit()
            client = app.test_client()
            client.post(
                "/sign-in", data={"email": "recruiter@example.com", "password": DEMO_PASSWORD}
            )
            url = f"/feedback/{feedback_id}"
            with count_queries() as page_queries:
                assert client.get(url).status_code == 200
            page_ms = timed(lambda url=url, client=client: client.get(url), args.rounds)
            with count_queries() as report_queries:
                data = build_interview_report(feedback_id)
            pdf = render_pdf(data)  # warm-up: fonts and templates loaded before timing
            pdf_ms = timed(
                lambda fid=feedback_id: render_pdf(build_interview_report(fid)),
                max(3, args.rounds // 3),
            )
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            rows[label] = (page_ms, len(page_queries), pdf_ms, len(report_queries), pages)
        head = ("scorecard page", "statements", "report PDF", "statements", "pages")
        print(f"{'':18} {head[0]:>16} {head[1]:>11} {head[2]:>12} {head[3]:>11} {head[4]:>6}")
        for label, (page_ms, pq, pdf_ms, rq, pages) in rows.items():
            print(f"{label:18} {page_ms:13.1f} ms {pq:11d} {pdf_ms:9.1f} ms {rq:11d} {pages:6d}")
        (a, _, c, _, _), (b, _, d, _, _) = rows.values()
        print(
            f"role skills cost: page {a - b:+.1f} ms ({(a / b - 1) * 100:+.0f} %), "
            f"report {c - d:+.1f} ms ({(c / d - 1) * 100:+.0f} %)"
        )


if __name__ == "__main__":
    main()
