"""What the test suite's isolation costs on PostgreSQL: one rolled-back transaction per test
against deleting every row after it, in the same run on the same machine.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/betteroff_bench \\
        .venv/bin/python benchmarks/suite_isolation.py [-n auto] [pytest args...]

Runs the suite (browser, hostile-input and worker-kill tests left out: they are dominated by
Chromium, Hypothesis and a 60-second worker, not by cleanup) twice: first with every test
cleaned by deleting rows (BETTEROFF_TEST_CLEANUP=delete, the way before), then with the
transaction rollback. Prints wall time and the summed setup, call and teardown time of each.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter

PHASE = re.compile(r"^\s*([\d.]+)s (setup|call|teardown) ")
EXCLUDE = [
    "-m",
    "not browser",
    "--ignore",
    "tests/test_hostile_input.py",
    "--ignore",
    "tests/test_worker_kill.py",
]


def run(cleanup: str, workers: str, extra: list[str]) -> tuple[float, Counter, str]:
    env = {**os.environ, "BETTEROFF_TEST_CLEANUP": cleanup}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-n", workers]
    command += [*EXCLUDE, "--durations=0", "--durations-min=0", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    phases: Counter = Counter()
    for line in done.stdout.splitlines():
        match = PHASE.match(line)
        if match:
            phases[match.group(2)] += float(match.group(1))
    summary = next(
        (line for line in reversed(done.stdout.splitlines()) if " in " in line), "no summary"
    )
    return wall, phases, summary.strip("= ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", default="0", help="pytest-xdist workers (default: serial)")
    args, extra = parser.parse_known_args()
    if not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"):
        sys.exit("Set TEST_DATABASE_URL to a PostgreSQL database: SQLite always deletes rows.")
    print(f"{'cleanup':<22}{'wall s':>8}{'setup s':>9}{'call s':>8}{'teardown s':>12}  result")
    for label, cleanup in (("delete rows (before)", "delete"), ("rollback (now)", "rollback")):
        wall, phases, summary = run(cleanup, args.n, extra)
        print(
            f"{label:<22}{wall:>8.1f}{phases['setup']:>9.1f}{phases['call']:>8.1f}"
            f"{phases['teardown']:>12.1f}  {summary}",
            flush=True,
        )


if __name__ == "__main__":
    main()
