"""Domain events become deliveries: one per active endpoint subscribed to the event.

The subscribers run inside the transaction of the change (portal/subscribers.py connects
them): the deliveries are rows of that transaction, and their first attempts are jobs, which
start only once it has committed. A change that is rolled back therefore sends nothing, and a
receiver that is slow or down cannot spoil the change.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    DeliveryStatus,
    Feedback,
    Interview,
    Referral,
    ReferralStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from portal.webhooks import delivery as sending
from portal.webhooks import payloads

ERASED_NOTE = "Not sent: the candidate's data was erased."


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def subscribed_endpoints(event: str) -> list[WebhookEndpoint]:
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id)
    )
    return [e for e in endpoints if event in (e.events or [])]


def queue_event(
    event: str, data: dict[str, Any], *, candidate_id: int | None
) -> list[WebhookDelivery]:
    """Record a delivery of `data` for each endpoint that wants `event`, and queue each."""
    made = []
    for endpoint in subscribed_endpoints(event):
        delivery = WebhookDelivery(
            endpoint=endpoint,
            event=str(event),
            message_id=new_message_id(),
            payload=data,
            candidate_id=candidate_id,
            status=DeliveryStatus.PENDING,
        )
        db.session.add(delivery)
        made.append(delivery)
    if made:
        db.session.flush()
        for delivery in made:
            sending.queue_attempt(delivery)
    return made


def forget_candidate(candidate_id: int) -> int:
    """Erasure: every delivery about the candidate keeps its log row but loses its payload;
    those still waiting are not sent again. Returns how many were blanked."""
    deliveries = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.candidate_id == candidate_id)
    ).all()
    for delivery in deliveries:
        delivery.payload = dict(payloads.ERASED)
        if delivery.status is DeliveryStatus.PENDING:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = ERASED_NOTE
        elif delivery.last_error and delivery.response_code:
            # The receiver's answer may have echoed what it was sent.
            delivery.last_error = f"HTTP {delivery.response_code} (its text erased)"
    db.session.flush()
    return len(deliveries)


# --- subscribers of the domain events ---------------------------------------------------------


def on_feedback_released(feedback: Feedback, *, amended: bool, **_: Any) -> None:
    event = WebhookEvent.FEEDBACK_AMENDED if amended else WebhookEvent.FEEDBACK_RELEASED
    queue_event(
        event,
        payloads.feedback_released(feedback, amended=amended),
        candidate_id=feedback.interview.candidate_id,
    )


def on_referral_transitioned(
    referral: Referral,
    *,
    from_status: ReferralStatus | None,
    to_status: ReferralStatus,
    **_: Any,
) -> None:
    queue_event(
        WebhookEvent.REFERRAL_TRANSITIONED,
        payloads.referral_transitioned(referral, from_status=from_status, to_status=to_status),
        candidate_id=referral.candidate_id,
    )


def on_interview_created(interview: Interview, **_: Any) -> None:
    queue_event(
        WebhookEvent.INTERVIEW_CREATED,
        payloads.interview_created(interview),
        candidate_id=interview.candidate_id,
    )


def on_candidate_erased(candidate_id: int, *, external: dict[str, Any] | None, **_: Any) -> None:
    """Blank what earlier deliveries said of the candidate, then tell the receivers."""
    forget_candidate(candidate_id)
    queue_event(
        WebhookEvent.CANDIDATE_ERASED,
        payloads.candidate_erased(candidate_id, external),
        candidate_id=candidate_id,
    )
