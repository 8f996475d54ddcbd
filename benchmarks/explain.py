"""EXPLAIN ANALYZE every statement a page sends, on a seeded PostgreSQL database.

    .venv/bin/python benchmarks/explain.py postgresql://postgres@127.0.0.1/betteroff_bench_20000 \
        /candidates/ "/interviews/?q=chen"

Signs in as a seeded recruiter (or --as EMAIL), requests each URL once to warm up, once more
while recording the statements, then prints each statement's plan with its actual time: the
plans in docs/scale.md were read this way.
"""

from __future__ import annotations

import argparse
import logging
import re

from sqlalchemy import event

from portal import create_app
from portal.config import normalise_database_url
from portal.extensions import db
from portal.ops.seed_scale import SCALE_PASSWORD

PLAN_TIME = re.compile(r"Execution Time: ([\d.]+) ms")


def main() -> None:
    """Print the plans of the statements behind each page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--as", dest="email", default="scale-recruiter-01@example.com")
    parser.add_argument("--all", action="store_true", help="print fast plans too")
    args = parser.parse_args()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(args.database_url),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    logging.getLogger("betteroff.requests").disabled = True
    client = app.test_client()
    client.post("/sign-in", data={"email": args.email, "password": SCALE_PASSWORD})
    for url in args.urls:
        client.get(url)
        with app.app_context():
            statements: list[tuple[str, object]] = []

            def record(_conn, _cursor, statement, parameters, _context, _many, into=statements):
                into.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", record)
            status = client.get(url).status_code
            event.remove(db.engine, "before_cursor_execute", record)
            print(f"\n######## {url}  ({status}, {len(statements)} statements)")
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                rows = db.session.connection().exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                )
                plan = "\n".join(row[0] for row in rows)
                took = float(PLAN_TIME.search(plan).group(1))
                head = " ".join(statement.split())[:160]
                print(f"--- {took:8.2f} ms  {head}")
                if args.all or took >= 1.0:
                    print(plan)
            db.session.rollback()


if __name__ == "__main__":
    main()
