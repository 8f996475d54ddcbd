"""How long argon2id takes here with the portal's parameters, and with argon2-cffi's defaults.

    .venv/bin/python benchmarks/passwords.py [--rounds 30]

Prints the median and 95th percentile of hashing (account creation, password change, rehash on
sign-in) and verifying (every sign-in), and what that means for sign-ins per second per core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from argon2 import PasswordHasher

from portal.config import DEFAULTS

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - a benchmark input


def timings(fn: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    fn()
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def row(label: str, hasher: PasswordHasher, rounds: int) -> None:
    """Print hash and verify times for one set of parameters."""
    stored = hasher.hash(PASSWORD)
    hashed = timings(lambda: hasher.hash(PASSWORD), rounds)
    verified = timings(lambda: hasher.verify(stored, PASSWORD), rounds)
    p95 = statistics.quantiles(verified, n=20)[-1]
    median = statistics.median(verified)
    print(
        f"{label:34} m={hasher.memory_cost // 1024:>3} MiB t={hasher.time_cost} "
        f"p={hasher.parallelism}  hash {statistics.median(hashed):6.1f} ms  "
        f"verify {median:6.1f} ms (p95 {p95:6.1f})  ~{1000 / median:5.0f} sign-ins/s/core"
    )


def main() -> None:
    """Measure the configured parameters and argon2-cffi's defaults."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(f"argon2id on {os.cpu_count()} cores, {args.rounds} rounds each, medians")
    configured = PasswordHasher(
        time_cost=DEFAULTS["ARGON2_TIME_COST"],
        memory_cost=DEFAULTS["ARGON2_MEMORY_COST"],
        parallelism=DEFAULTS["ARGON2_PARALLELISM"],
    )
    row("portal (OWASP minimum)", configured, args.rounds)
    row("argon2-cffi default (RFC 9106 low)", PasswordHasher(), args.rounds)


if __name__ == "__main__":
    main()
