"""An applicant tracking system connected end to end: it pushes a position and an interview
through the API, a recruiter scores and releases the feedback, and the ATS's webhook receiver
(a real HTTP server) hears of it, signed, after two failed attempts and their retries; then it
reads the released feedback back through the link in the message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from standardwebhooks import Webhook

from portal import jobs
from portal.api import tokens
from portal.extensions import db
from portal.models import ApiScope, DeliveryStatus, Feedback, WebhookDelivery, utcnow
from portal.unit_of_work import commit
from portal.webhooks import services as webhooks
from tests import factories
from tests.factories import sign_in


def test_an_ats_pushes_an_interview_and_hears_of_the_release(
    app, client, admin, recruiter, webhook_receiver
):
    # The admin connects the ATS: a token acting as the recruiter, and an endpoint.
    _, secret = tokens.create_token(
        recruiter,
        name="Greenhouse",
        scopes={ApiScope.READ, ApiScope.WRITE},
        expires_in_days=30,
        source="greenhouse",
        actor=admin,
    )
    endpoint = webhooks.create_endpoint(
        url=webhook_receiver.url,
        description="Greenhouse",
        events=["interview.created", "feedback.released"],
        active=True,
        actor=admin,
    )
    commit()
    ats = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}

    # The ATS pushes what it knows.
    company = ats.post(
        "/api/v1/companies", json={"external_id": "gh-co-1", "name": "Contoso"}, headers=auth
    )
    position = ats.post(
        "/api/v1/positions",
        json={"external_id": "gh-job-7", "company_external_id": "gh-co-1", "title": "Analyst"},
        headers=auth,
    )
    candidate = ats.post(
        "/api/v1/candidates",
        json={"external_id": "gh-cand-3", "name": "Nia Okafor", "email": "nia@example.org"},
        headers=auth,
    )
    interview = ats.post(
        "/api/v1/interviews",
        json={
            "external_id": "gh-iv-12",
            "candidate_external_id": "gh-cand-3",
            "position_external_id": "gh-job-7",
            "stage": "first",
            "format": "video",
            "scheduled_at": (utcnow() - timedelta(hours=3)).isoformat() + "Z",
        },
        headers=auth,
    )
    assert [r.status_code for r in (company, position, candidate, interview)] == [201] * 4
    interview_id = interview.get_json()["id"]
    webhook_receiver.wait_for(1)
    created = webhook_receiver.of_type("interview.created")[0]
    assert created.json()["data"]["interview"]["external_id"] == "gh-iv-12"

    # The receiver is down for the next two attempts.
    webhook_receiver.fail_next(2)
    sign_in(client, recruiter.email)
    started = client.post(f"/interviews/{interview_id}/scorecard")
    assert started.status_code == 302, started.get_data(as_text=True)
    feedback = db.session.scalar(select(Feedback).where(Feedback.interview_id == interview_id))
    feedback = factories_release(feedback, recruiter)

    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.event == "feedback.released")
    )
    assert delivery.attempts == 1 and delivery.status is DeliveryStatus.PENDING
    first_wait = delivery.next_attempt_at
    assert jobs.run_due(now=first_wait + timedelta(seconds=1)) == 1  # second attempt: 500
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert delivery.attempts == 2 and delivery.next_attempt_at - first_wait > timedelta(0)
    assert jobs.run_due(now=delivery.next_attempt_at + timedelta(seconds=1)) == 1  # third: 2xx
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 3

    released = webhook_receiver.of_type("feedback.released")
    assert [r.answered for r in released] == [500, 500, 204]
    assert len({r.headers["webhook-id"] for r in released}) == 1  # one message, three tries
    last = released[-1]
    Webhook(endpoint.secret).verify(last.body, last.headers)  # raises if the signature is bad
    message = last.json()
    assert message["data"]["interview"]["external_id"] == "gh-iv-12"
    assert "PRIVATE-NOTE-7731" not in last.body.decode()

    # The ATS follows the link and reads what the candidate sees.
    link = message["data"]["links"]["feedback"]
    read = ats.get(link, headers=auth)
    assert read.status_code == 200 and read.get_json()["decision"] == "invite"
    assert "PRIVATE-NOTE-7731" not in read.get_data(as_text=True)

    # The admin's delivery log shows it all.
    log_client = app.test_client()
    sign_in(log_client, admin.email)
    page = log_client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "feedback.released" in page and "interview.created" in page
    row = next(r for r in page.split("<tr") if "feedback.released" in r and "Attempts" in r)
    assert "Delivered" in row and ">204<" in row
    assert '<td data-label="Attempts">3</td>' in row


def factories_release(feedback: Feedback, author) -> Feedback:
    """Score, submit and release through the real services (the pages' own calls)."""
    from portal.feedback import services
    from portal.release_check import screening

    services.save_feedback(
        feedback,
        factories.scorecard_input(),
        actor=author,
        expected_version=feedback.lock_version,
    )
    services.submit_feedback(feedback, actor=author)
    keys = {screening.finding_key(f) for f in services.release_findings(feedback)}
    services.release_feedback(feedback, actor=author, acknowledged=keys)
    commit()
    return feedback
