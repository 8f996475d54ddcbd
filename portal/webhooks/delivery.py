"""Sending one delivery: signed as the Standard Webhooks specification says, POSTed with the
standard library, its outcome recorded on the delivery.

One job makes one attempt. A failure (anything but a 2xx answer, a redirect, a timeout, a
refused connection) leaves the delivery pending and queues the next attempt with a delay that
doubles each time (WEBHOOK_RETRY_BASE_SECONDS × 2^(attempts−1), at most an hour), until
WEBHOOK_MAX_ATTEMPTS have failed: then it is FAILED and waits for an admin to redeliver it.
A failure is never raised to the job queue, which would retry on its own schedule.

Every attempt carries the same `webhook-id` (the delivery's message id) and the same body, so
a receiver can drop repeats; the `webhook-timestamp` is the attempt's own, as the signature
covers it and receivers refuse old ones.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from standardwebhooks import Webhook

from portal import jobs
from portal.extensions import db
from portal.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, utcnow
from portal.text import clean_text
from portal.webhooks.payloads import iso

JOB_KIND = "webhook.deliver"
USER_AGENT = "BetterOff-Webhooks/1"
MAX_BACKOFF = timedelta(hours=1)
EXCERPT_LIMIT = 200  # of the receiver's answer, kept with the error

log = logging.getLogger(__name__)


def envelope(delivery: WebhookDelivery) -> dict[str, Any]:
    return {"type": delivery.event, "timestamp": iso(delivery.created_at), "data": delivery.payload}


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (and signed): the same on every attempt."""
    return json.dumps(envelope(delivery), separators=(",", ":"), ensure_ascii=False).encode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    """The current secret, and the one it replaced while the rotation's grace period lasts."""
    now = now or utcnow()
    secrets = [endpoint.secret]
    if endpoint.previous_secret and (endpoint.previous_secret_until or now) > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def signed_headers(
    delivery: WebhookDelivery, body: bytes, secrets: list[str], sent_at: datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers; one v1 signature per secret, space-separated."""
    text = body.decode()
    signatures = [Webhook(s).sign(delivery.message_id, sent_at, text) for s in secrets]
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: int | None = None
    error: str | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as the failure it is: the receiver's URL is the one registered."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST once; never raises for what the network or the receiver does."""
    # Only http(s) URLs are registered (services.url_problem), never file: or others.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            code = response.status
    except urllib.error.HTTPError as exc:
        with exc:
            if 300 <= exc.code < 400:
                return Outcome(False, exc.code, f"HTTP {exc.code}: redirects are not followed.")
            excerpt = _excerpt(exc.read(EXCERPT_LIMIT * 4))
        said = f"HTTP {exc.code} {exc.reason}".strip()
        return Outcome(False, exc.code, f"{said}: {excerpt}" if excerpt else said)
    except TimeoutError:
        return Outcome(False, None, f"No answer within {timeout:g} seconds.")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return Outcome(False, None, f"No answer within {timeout:g} seconds.")
        return Outcome(False, None, _excerpt(f"Could not connect: {exc.reason}"))
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return Outcome(False, None, _excerpt(f"{type(exc).__name__}: {exc}"))
    if 200 <= code < 300:
        return Outcome(True, code)
    return Outcome(False, code, f"HTTP {code}: only a 2xx answer counts as received.")


def _excerpt(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = clean_text(" ".join(text.split()))
    return text if len(text) <= EXCERPT_LIMIT else text[: EXCERPT_LIMIT - 1] + "…"


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure."""
    base = current_app.config["WEBHOOK_RETRY_BASE_SECONDS"]
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def queue_attempt(
    delivery: WebhookDelivery, *, delay: timedelta | None = None, manual: bool = False
) -> None:
    """Ask the job queue for the delivery's next attempt (after the commit)."""
    payload: dict[str, Any] = {"delivery_id": delivery.id, "attempt": delivery.attempts + 1}
    if manual:
        payload["manual"] = True
    jobs.enqueue(JOB_KIND, payload, delay=delay)


def attempt(delivery: WebhookDelivery, *, manual: bool = False) -> Outcome:
    """Make one attempt now and record it. A manual redelivery is one attempt, retried by
    nobody: if it fails the delivery is FAILED again."""
    endpoint = delivery.endpoint
    if not endpoint.active:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = "Not sent: the endpoint is inactive."
        return Outcome(False, None, delivery.last_error)
    body = body_of(delivery)
    sent_at = datetime.now(UTC)
    headers = signed_headers(delivery, body, signing_secrets(endpoint), sent_at)
    outcome = post(endpoint.url, body, headers, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    delivery.attempts += 1
    delivery.response_code = outcome.code
    if outcome.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = utcnow()
        delivery.last_error = None
        delivery.next_attempt_at = None
    elif manual or delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = outcome.error
        delivery.next_attempt_at = None
    else:
        wait = backoff(delivery.attempts)
        delivery.status = DeliveryStatus.PENDING
        delivery.last_error = outcome.error
        delivery.next_attempt_at = utcnow() + wait
        queue_attempt(delivery, delay=wait)
    db.session.flush()
    log.info(
        "webhook delivery %s attempt %s: %s", delivery.id, delivery.attempts, outcome.code or "-"
    )
    return outcome


@jobs.handler(JOB_KIND)
def deliver(payload: dict[str, Any]) -> None:
    """The job: one attempt, unless the delivery was settled (or attempted) meanwhile."""
    delivery = db.session.get(WebhookDelivery, payload.get("delivery_id"))
    if delivery is None or delivery.status is not DeliveryStatus.PENDING:
        return None
    if payload.get("attempt", delivery.attempts + 1) != delivery.attempts + 1:
        return None  # another job made this attempt already
    if delivery.payload.get("erased"):
        return None
    attempt(delivery, manual=bool(payload.get("manual")))
    return None
