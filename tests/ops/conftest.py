"""Fixtures for the operations tests: a Redis database of this test worker's own."""

from __future__ import annotations

import os

import pytest
import redis

REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def redis_url(worker_id: str) -> str:
    """Redis database 4-9 by xdist worker (tests/test_jobs.py uses 10-15), emptied first."""
    number = 4 + (int(worker_id[2:]) % 6 if worker_id.startswith("gw") else 0)
    url = f"{REDIS_BASE}/{number}"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({url})")
        pytest.skip(f"no Redis at {url}")
    redis.Redis.from_url(url).flushdb()
    return url
