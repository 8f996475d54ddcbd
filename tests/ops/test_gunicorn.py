"""gunicorn.conf.py: workers recycled after max_requests keep answering, with their own
database connections."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    # A request may wait for a recycled worker to boot (the app's imports, a second or more on
    # a busy 2-core machine): generous, since the point is that it is answered, not how fast.
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return response.status, response.read().decode()


def test_recycled_workers_keep_answering_with_the_database(database_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret-key-with-enough-length",
        "REPORTS_DIR": str(tmp_path / "reports"),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_MAX_REQUESTS": "3",
        "GUNICORN_MAX_REQUESTS_JITTER": "0",
        "GUNICORN_ACCESS_LOG": "",
    }
    env.pop("REDIS_URL", None)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        answers = [get(f"{base}/readyz") for _ in range(24)]
        assert all(status == 200 and '"database":"ok"' in body for status, body in answers)
        text = log.read_text()
        assert text.count("Autorestarting worker") >= 4, text  # every worker was recycled
        assert "Traceback" not in text
    finally:
        server.terminate()
        server.wait(timeout=30)
