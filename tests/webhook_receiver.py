"""A real HTTP server that receives webhooks in a test: it records every request and answers
with the status codes it is told to.

Use the `webhook_receiver` fixture (tests/conftest.py makes it available to every test file):

    def test_something(webhook_receiver):
        webhook_receiver.fail_next(2, status=500)   # the first two requests get 500, then 204
        ...register an endpoint with webhook_receiver.url ...
        request = webhook_receiver.wait_for(1)[0]
        Webhook(secret).verify(request.body, request.headers)

or, outside pytest, `with WebhookReceiver() as receiver: ...`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    answered: int  # the status code the receiver answered with

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event(self) -> str | None:
        return self.json().get("type")


@dataclass
class WebhookReceiver:
    """Listens on 127.0.0.1 and a free port, in a thread of its own."""

    path: str = "/hooks"
    default_status: int = 204
    requests: list[ReceivedRequest] = field(default_factory=list)
    # Status codes for the next requests, in order; then `default_status`.
    script: list[int] = field(default_factory=list)
    delay_seconds: float = 0.0  # wait this long before answering (to provoke timeouts)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ------------------------------------------------------------------------------

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next `count` requests with `status` (then `default_status` again)."""
        with self._lock:
            self.script.extend([status] * count)

    def answer_with(self, *statuses: int) -> None:
        with self._lock:
            self.script.extend(statuses)

    @property
    def url(self) -> str:
        assert self._server is not None, "the receiver is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def events(self) -> list[str | None]:
        with self._lock:
            return [r.event for r in self.requests]

    def of_type(self, event: str) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self.requests if r.event == event]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        """Block until at least `count` requests have arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} webhook request(s), got {len(self.requests)}"
                    )
                self._arrived.wait(left)
            return list(self.requests)

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the http.server convention
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if receiver.delay_seconds:
                    time.sleep(receiver.delay_seconds)
                with receiver._lock:
                    status = receiver.script.pop(0) if receiver.script else receiver.default_status
                    receiver.requests.append(
                        ReceivedRequest(
                            method=self.command,
                            path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                            answered=status,
                        )
                    )
                    receiver._arrived.notify_all()
                answer = b"" if status == 204 else f"status {status}".encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                if answer:
                    self.wfile.write(answer)

            do_PUT = do_GET = do_POST  # noqa: N815 - recorded too, should anyone send one

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A started receiver answering 204 unless told otherwise; stopped after the test."""
    with WebhookReceiver() as receiver:
        yield receiver
