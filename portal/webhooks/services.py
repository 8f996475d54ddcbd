"""The rules of webhook endpoints: register, change, remove, rotate the secret, redeliver.

Each function changes state, records an audit event and flushes; the view commits. Secrets
are Standard Webhooks secrets ("whsec_" and the base64 of 32 random bytes); the portal keeps
them (it must sign with them) and shows one in full only right after it was made.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app

from portal import audit
from portal.extensions import db
from portal.models import (
    DeliveryStatus,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from portal.unit_of_work import DomainError
from portal.webhooks import delivery as sending
from portal.webhooks import payloads
from portal.webhooks.outgoing import new_message_id

URL_LIMIT = 2000
DESCRIPTION_LIMIT = 200
SECRET_HINT_LENGTH = 12  # "whsec_" and six characters of the key
TEST_EVENT = "webhook.test"


class WebhookError(DomainError):
    """The message is safe to show."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_hint(secret: str) -> str:
    """What a page shows of a secret once it has been shown in full."""
    return secret[:SECRET_HINT_LENGTH] + "…"


def url_problem(url: str) -> str | None:
    """Why this cannot be a receiver's URL, or None when it can."""
    if not url:
        return "Enter the URL that should receive the events."
    if len(url) > URL_LIMIT:
        return f"Keep the URL under {URL_LIMIT} characters."
    if any(ch.isspace() for ch in url):
        return "A URL has no spaces; encode them as %20."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "This is not a URL we can send to; check the host and port."
    if parts.scheme.lower() not in ("http", "https"):
        return "Use an http:// or https:// URL."
    if not parts.hostname:
        return "Say which host receives the events, like https://ats.example.com/hooks."
    if parts.username or parts.password:
        return "Leave user names and passwords out of the URL; the signature proves the sender."
    return None


def _events(events: Iterable[str]) -> list[str]:
    known = [e.value for e in WebhookEvent]
    chosen = [e for e in known if e in set(events)]
    if not chosen:
        raise WebhookError("Choose at least one event.", field="events")
    return chosen


def _url(url: str) -> str:
    url = (url or "").strip()
    problem = url_problem(url)
    if problem:
        raise WebhookError(problem, field="url")
    return url


def create_endpoint(
    *, url: str, description: str | None, events: Iterable[str], active: bool, actor: User
) -> WebhookEndpoint:
    """Register a receiver with a fresh secret (read it from `endpoint.secret` now)."""
    endpoint = WebhookEndpoint(
        url=_url(url),
        description=(description or "").strip()[:DESCRIPTION_LIMIT] or None,
        events=_events(events),
        secret=new_secret(),
        active=active,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        "webhook_endpoint_created", endpoint, actor=actor, host=_host(endpoint.url),
        events=endpoint.events, active=active,
    )  # fmt: skip
    return endpoint


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str,
    description: str | None,
    events: Iterable[str],
    active: bool,
    actor: User,
) -> None:
    endpoint.url = _url(url)
    endpoint.description = (description or "").strip()[:DESCRIPTION_LIMIT] or None
    endpoint.events = _events(events)
    endpoint.active = active
    db.session.flush()
    audit.record(
        "webhook_endpoint_updated", endpoint, actor=actor, host=_host(endpoint.url),
        events=endpoint.events, active=active,
    )  # fmt: skip


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: User) -> None:
    """Remove the endpoint and its delivery log; nothing more is sent to it."""
    audit.record("webhook_endpoint_deleted", endpoint, actor=actor, host=_host(endpoint.url))
    db.session.delete(endpoint)
    db.session.flush()


def rotate_secret(endpoint: WebhookEndpoint, *, actor: User) -> str:
    """A new secret signs from now on; the old one signs beside it for the grace period
    (WEBHOOK_ROTATION_GRACE_HOURS), so receivers can switch without losing a message. A
    rotation during a grace period drops the oldest secret at once. Returns the new secret."""
    grace = timedelta(hours=current_app.config["WEBHOOK_ROTATION_GRACE_HOURS"])
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = utcnow() + grace
    endpoint.secret = new_secret()
    db.session.flush()
    audit.record(
        "webhook_secret_rotated", endpoint, actor=actor,
        previous_valid_until=endpoint.previous_secret_until.isoformat(timespec="minutes"),
    )  # fmt: skip
    return endpoint.secret


def redeliver(delivery: WebhookDelivery, *, actor: User) -> None:
    """Send a failed or delivered message again, now, with its message id (one attempt)."""
    if delivery.status is DeliveryStatus.PENDING:
        raise WebhookError("This delivery is still being tried; wait for its next attempt.")
    if delivery.payload.get("erased"):
        raise WebhookError("This delivery's content was erased with the candidate's data.")
    if not delivery.endpoint.active:
        raise WebhookError("The endpoint is inactive; activate it before redelivering.")
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = None
    db.session.flush()
    audit.record(
        "webhook_redelivered", delivery, actor=actor, endpoint_id=delivery.endpoint_id,
        event=delivery.event, attempts=delivery.attempts,
    )  # fmt: skip
    sending.queue_attempt(delivery, manual=True)


def send_test(endpoint: WebhookEndpoint, *, actor: User) -> WebhookDelivery:
    """A `webhook.test` delivery to this endpoint alone, to try the receiver."""
    if not endpoint.active:
        raise WebhookError("The endpoint is inactive; activate it before sending a test.")
    test = WebhookDelivery(
        endpoint=endpoint,
        event=TEST_EVENT,
        message_id=new_message_id(),
        payload=payloads.test_event(endpoint.id),
        status=DeliveryStatus.PENDING,
    )
    db.session.add(test)
    db.session.flush()
    audit.record("webhook_test_sent", endpoint, actor=actor, delivery_id=test.id)
    sending.queue_attempt(test, manual=True)
    return test


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
