"""Signed webhooks, end to end: a real HTTP receiver in the test hears of releases, amendments,
referral moves, new interviews and erasures; signatures verify with the standardwebhooks
library; failures are retried with growing pauses; the admin pages show it all."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from portal import jobs
from portal.extensions import db
from portal.feedback import services as feedback_services
from portal.interviews import services as interview_services
from portal.models import (
    AuditEvent,
    Candidate,
    Decision,
    DeliveryStatus,
    InterviewFormat,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    Stage,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from portal.privacy.services import erase_candidate
from portal.referrals.pipeline import transition
from portal.release_check import screening
from portal.unit_of_work import commit
from portal.webhooks import services
from tests import factories
from tests.factories import sign_in
from tests.referrals import factories as rf
from tests.webhook_receiver import WebhookReceiver

ALL_EVENTS = [e.value for e in WebhookEvent]


def register(admin, url: str, events=ALL_EVENTS, active: bool = True) -> WebhookEndpoint:
    endpoint = services.create_endpoint(
        url=url, description="ATS", events=events, active=active, actor=admin
    )
    commit()
    return endpoint


def release(recruiter, candidate: Candidate | None = None):
    candidate = candidate or factories.candidate("Maya Chen", "maya@example.com")
    interview = factories.interview(candidate, recruiter)
    return factories.feedback(interview, recruiter, "released")


def deliveries(event: str | None = None) -> list[WebhookDelivery]:
    db.session.expire_all()
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event:
        query = query.where(WebhookDelivery.event == event)
    return list(db.session.scalars(query))


def verify(secret: str, request) -> dict:
    return Webhook(secret).verify(request.body, request.headers)


# --- what is sent, and how it is signed --------------------------------------------------------


def test_released_feedback_reaches_the_receiver_signed_and_without_private_notes(
    app, admin, recruiter, webhook_receiver
):
    endpoint = register(admin, webhook_receiver.url, [WebhookEvent.FEEDBACK_RELEASED.value])
    candidate = factories.candidate("Maya Chen", "maya@example.com")
    candidate.external_source, candidate.external_id = "greenhouse", "cand-81"
    commit()
    feedback = release(recruiter, candidate)

    (request,) = webhook_receiver.wait_for(1)
    assert request.method == "POST" and request.path == "/hooks"
    assert request.headers["content-type"] == "application/json"
    message = verify(endpoint.secret, request)
    assert message["type"] == "feedback.released"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", message["timestamp"])
    data = message["data"]
    assert data["feedback"]["id"] == feedback.id
    assert data["feedback"]["amended"] is False and data["feedback"]["revision"] == 1
    assert data["feedback"]["decision"] == "invite"
    assert data["feedback"]["decision_text"] == "You are invited to the next round"
    assert data["candidate"] == {
        "id": candidate.id, "external_source": "greenhouse", "external_id": "cand-81",
    }  # fmt: skip
    assert data["interview"]["id"] == feedback.interview_id
    assert data["interview"]["stage"] == "first"
    assert data["position"]["id"] == feedback.interview.position_id
    assert data["links"] == {"feedback": f"/api/v1/feedback/{feedback.id}"}
    body = request.body.decode()
    assert "PRIVATE-NOTE-7731" not in body and "salary" not in body
    assert "Maya" not in body and "maya@example.com" not in body
    assert feedback.strengths not in body  # the feedback's words are read through the API
    (delivery,) = deliveries()
    assert request.headers["webhook-id"] == delivery.message_id
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.response_code == 204
    assert delivery.candidate_id == candidate.id and delivery.attempts == 1


def test_a_tampered_body_or_a_wrong_secret_does_not_verify(app, admin, recruiter, webhook_receiver):
    endpoint = register(admin, webhook_receiver.url)
    release(recruiter)
    (request,) = webhook_receiver.wait_for(1)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body.replace(b"first", b"final"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request.body, request.headers)


def test_only_subscribed_events_and_active_endpoints_get_deliveries(
    app, admin, recruiter, webhook_receiver
):
    releases = register(admin, webhook_receiver.url, [WebhookEvent.FEEDBACK_RELEASED.value])
    with WebhookReceiver() as other, WebhookReceiver() as paused:
        register(admin, other.url, [WebhookEvent.INTERVIEW_CREATED.value])
        register(admin, paused.url, ALL_EVENTS, active=False)
        release(recruiter)
        assert webhook_receiver.events() == ["feedback.released"]
        assert other.requests == [] and paused.requests == []
    assert [(d.endpoint_id, d.event) for d in deliveries()] == [(releases.id, "feedback.released")]


def test_an_amendment_sends_feedback_amended(app, admin, recruiter, webhook_receiver):
    register(admin, webhook_receiver.url)
    feedback = release(recruiter)
    keys = {screening.finding_key(f) for f in feedback_services.release_findings(feedback)}
    feedback_services.amend_feedback(
        feedback,
        factories.scorecard_input(
            decision=Decision.HOLD, strengths="You structured the case clearly."
        ),
        actor=recruiter,
        expected_version=feedback.lock_version,
        reason="The decision was not final yet.",
        acknowledged=keys,
    )
    commit()
    assert webhook_receiver.events() == ["feedback.released", "feedback.amended"]
    data = webhook_receiver.of_type("feedback.amended")[0].json()["data"]
    assert data["feedback"]["amended"] is True and data["feedback"]["revision"] == 2
    assert data["feedback"]["revised_at"] is not None
    assert data["feedback"]["decision"] == "hold"
    assert data["feedback"]["decision_text"] == "No decision on the next round yet"
    assert "not final" not in webhook_receiver.requests[1].body.decode()


def test_a_referral_transition_sends_referral_transitioned(app, admin, recruiter, webhook_receiver):
    endpoint = register(admin, webhook_receiver.url, [WebhookEvent.REFERRAL_TRANSITIONED.value])
    candidate = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    company = rf.partner()
    contact = rf.contact(company)
    referral = Referral(
        candidate=candidate, kind=ReferralKind.REFERRAL, contact=contact, company=company,
        role_title="Analyst", note_to_candidate="PRIVATE-ISH note: a good match.",
        proposed_by=recruiter, status=ReferralStatus.PROPOSED,
    )  # fmt: skip
    referral.transitions.append(ReferralTransition(to_status=ReferralStatus.PROPOSED))
    db.session.add(referral)
    commit()
    transition(referral, ReferralStatus.APPROVED, admin, note="Checked with Dana.")
    commit()
    (request,) = webhook_receiver.wait_for(1)
    message = verify(endpoint.secret, request)
    assert message["type"] == "referral.transitioned"
    assert message["data"]["referral"] == {
        "id": referral.id, "kind": "referral", "lead_kind": None, "from_status": "proposed",
        "to_status": "approved", "at": message["data"]["referral"]["at"],
    }  # fmt: skip
    assert message["data"]["candidate"]["id"] == candidate.id
    assert message["data"]["company"]["id"] == company.id
    body = request.body.decode()
    assert "good match" not in body and "Dana" not in body and "PRIVATE" not in body


def test_a_scheduled_interview_sends_interview_created(app, admin, recruiter, webhook_receiver):
    endpoint = register(admin, webhook_receiver.url, [WebhookEvent.INTERVIEW_CREATED.value])
    candidate = factories.candidate("Maya Chen", "maya@example.com")
    position = factories.position("Data Analyst")
    interview = interview_services.save_interview(
        None, actor=recruiter, candidate_id=candidate.id, position_id=position.id,
        interviewer_id=recruiter.id, stage=Stage.SECOND, format=InterviewFormat.ONSITE,
        scheduled_at=datetime(2026, 12, 20, 10, 0), location="Room 9", duration_minutes=45,
    )  # fmt: skip
    commit()
    (request,) = webhook_receiver.wait_for(1)
    data = verify(endpoint.secret, request)["data"]
    assert data["interview"] == {
        "id": interview.id, "external_source": None, "external_id": None, "stage": "second",
        "format": "onsite", "scheduled_at": "2026-12-20T10:00:00Z", "duration_minutes": 45,
    }  # fmt: skip
    assert data["candidate"]["id"] == candidate.id and data["position"]["id"] == position.id
    assert "Room 9" not in request.body.decode()
    # Editing it later is no new interview.
    interview_services.save_interview(
        interview, actor=recruiter, candidate_id=candidate.id, position_id=position.id,
        interviewer_id=recruiter.id, stage=Stage.FINAL, format=InterviewFormat.ONSITE,
        scheduled_at=datetime(2026, 12, 21, 10, 0), location=None,
    )  # fmt: skip
    commit()
    assert len(webhook_receiver.requests) == 1


def test_erasure_blanks_earlier_payloads_holds_pending_ones_and_sends_candidate_erased(
    app, admin, recruiter, webhook_receiver
):
    endpoint = register(admin, webhook_receiver.url)
    candidate = factories.candidate("Maya Chen", "maya@example.com")
    candidate.external_source, candidate.external_id = "lever", "L-42"
    commit()
    release(recruiter, candidate)  # delivered
    webhook_receiver.fail_next(1, status=503)
    release(recruiter, candidate)  # failed once: waits for its retry
    other = release(recruiter, factories.candidate("Jonas Weber", "jonas@example.com"))
    delivered, waiting, unrelated = deliveries()
    assert waiting.status is DeliveryStatus.PENDING and waiting.next_attempt_at is not None

    erase_candidate(db.session.get(Candidate, candidate.id), actor=admin)
    commit()

    delivered, waiting, unrelated, erased = deliveries()
    assert delivered.payload == {"erased": True} and delivered.status is DeliveryStatus.DELIVERED
    assert waiting.payload == {"erased": True} and waiting.status is DeliveryStatus.FAILED
    assert waiting.next_attempt_at is None and "erased" in waiting.last_error
    assert unrelated.payload["feedback"]["id"] == other.id
    assert erased.event == "candidate.erased" and erased.status is DeliveryStatus.DELIVERED
    message = verify(endpoint.secret, webhook_receiver.requests[-1])
    assert message["type"] == "candidate.erased"
    assert message["data"] == {
        "candidate": {"id": candidate.id, "external_source": "lever", "external_id": "L-42"}
    }
    # The held retry never goes out, even when its time comes.
    count = len(webhook_receiver.requests)
    jobs.run_due(now=utcnow() + timedelta(hours=2))
    assert len(webhook_receiver.requests) == count
    # And an erased delivery cannot be redelivered.
    client = factories_client(app, admin)
    client.post(f"/admin/webhooks/deliveries/{delivered.id}/redeliver")
    assert len(webhook_receiver.requests) == count


def factories_client(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


# --- failures, retries, the log, redelivery ------------------------------------------------------


def test_a_failing_receiver_gets_retries_with_backoff_then_succeeds_and_the_log_shows_it(
    app, admin, recruiter, webhook_receiver
):
    endpoint = register(admin, webhook_receiver.url)
    webhook_receiver.fail_next(2, status=500)
    release(recruiter)
    (delivery,) = deliveries()
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.response_code == 500 and delivery.last_error.startswith("HTTP 500")
    first_wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)

    client = factories_client(app, admin)
    log = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert "Pending" in log and "500" in log and delivery.message_id in log

    assert jobs.run_due(now=utcnow()) == 0  # not yet
    assert jobs.run_due(now=delivery.next_attempt_at + timedelta(seconds=1)) == 1
    (delivery,) = deliveries()
    assert delivery.attempts == 2 and delivery.status is DeliveryStatus.PENDING
    second_wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=55) < second_wait <= timedelta(seconds=60)
    assert second_wait > first_wait

    assert jobs.run_due(now=delivery.next_attempt_at + timedelta(seconds=1)) == 1
    (delivery,) = deliveries()
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert delivery.response_code == 204 and delivery.last_error is None
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None

    requests = webhook_receiver.wait_for(3)
    assert [r.answered for r in requests] == [500, 500, 204]
    # One message, three attempts: the same id and body each time, each signed afresh.
    assert {r.headers["webhook-id"] for r in requests} == {delivery.message_id}
    assert len({r.body for r in requests}) == 1
    for r in requests:
        verify(endpoint.secret, r)

    log = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert "Delivered" in log and "204" in log
    assert re.search(r'data-label="Attempts">3<', log)
    index = client.get("/admin/webhooks/").text
    assert webhook_receiver.url in index and "Delivered" in index


def test_after_the_last_attempt_a_delivery_fails_and_an_admin_redelivers_it(
    make_app, webhook_receiver
):
    app = make_app(WEBHOOK_MAX_ATTEMPTS=3)
    with app.app_context():
        admin = factories.user(role="admin", email="admin@example.com")
        recruiter = factories.user(role="recruiter", email="rec@example.com")
        endpoint = register(admin, webhook_receiver.url)
        webhook_receiver.fail_next(3, status=502)
        release(recruiter)
        for _ in range(2):
            (delivery,) = deliveries()
            jobs.run_due(now=delivery.next_attempt_at + timedelta(seconds=1))
        (delivery,) = deliveries()
        assert delivery.status is DeliveryStatus.FAILED and delivery.attempts == 3
        assert delivery.next_attempt_at is None and delivery.response_code == 502
        assert jobs.run_due(now=utcnow() + timedelta(days=1)) == 0  # nothing more on its own

        client = factories_client(app, admin)
        page = client.get(f"/admin/webhooks/{endpoint.id}").text
        assert "Failed" in page and "Redeliver" in page
        response = client.post(f"/admin/webhooks/deliveries/{delivery.id}/redeliver")
        assert response.status_code == 302
        (delivery,) = deliveries()
        assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 4
        requests = webhook_receiver.wait_for(4)
        assert requests[-1].headers["webhook-id"] == delivery.message_id
        verify(endpoint.secret, requests[-1])
        audit = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "webhook_redelivered")
        ).one()
        assert audit.object_id == delivery.id and audit.actor_id == admin.id
        # A delivered one can be sent again too (the receiver drops it by its id if it must).
        client.post(f"/admin/webhooks/deliveries/{delivery.id}/redeliver")
        assert len(webhook_receiver.wait_for(5)) == 5


def test_timeouts_refused_connections_and_redirects_are_failures(make_app, webhook_receiver):
    app = make_app(WEBHOOK_TIMEOUT_SECONDS=0.3, WEBHOOK_MAX_ATTEMPTS=1)
    with app.app_context():
        admin = factories.user(role="admin", email="admin@example.com")
        recruiter = factories.user(role="recruiter", email="rec@example.com")
        webhook_receiver.delay_seconds = 1.0
        slow = register(admin, webhook_receiver.url)
        release(recruiter)
        (delivery,) = deliveries()
        assert delivery.status is DeliveryStatus.FAILED
        assert delivery.last_error == "No answer within 0.3 seconds."
        webhook_receiver.delay_seconds = 0
        services.delete_endpoint(slow, actor=admin)
        closed = WebhookReceiver().start()
        url = closed.url
        closed.stop()
        register(admin, url)
        release(recruiter, factories.candidate("Jonas Weber", "jonas@example.com"))
        (delivery,) = deliveries()
        assert delivery.status is DeliveryStatus.FAILED and delivery.response_code is None
        assert delivery.last_error.startswith("Could not connect")


def test_a_redirect_is_not_followed(make_app, webhook_receiver):
    app = make_app(WEBHOOK_MAX_ATTEMPTS=1)
    with app.app_context():
        admin = factories.user(role="admin", email="admin@example.com")
        recruiter = factories.user(role="recruiter", email="rec@example.com")
        webhook_receiver.answer_with(307)
        register(admin, webhook_receiver.url)
        release(recruiter)
        (delivery,) = deliveries()
        assert delivery.status is DeliveryStatus.FAILED and delivery.response_code == 307
        assert "redirects are not followed" in delivery.last_error
        assert len(webhook_receiver.requests) == 1


def test_an_answer_body_is_kept_short(make_app):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Chatty(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            answer = ("x" * 5000).encode()
            self.send_response(500)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Chatty)
    Thread(target=server.serve_forever, daemon=True).start()
    app = make_app(WEBHOOK_MAX_ATTEMPTS=1)
    try:
        with app.app_context():
            admin = factories.user(role="admin", email="admin@example.com")
            recruiter = factories.user(role="recruiter", email="rec@example.com")
            register(admin, f"http://127.0.0.1:{server.server_address[1]}/")
            release(recruiter)
            (delivery,) = deliveries()
            assert delivery.response_code == 500 and len(delivery.last_error) < 260
    finally:
        server.shutdown()
        server.server_close()


# --- secrets ---------------------------------------------------------------------------------------


def test_rotation_signs_with_both_secrets_during_grace_then_only_the_new(
    app, admin, recruiter, webhook_receiver
):
    endpoint = register(admin, webhook_receiver.url)
    old = endpoint.secret
    client = factories_client(app, admin)
    page = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert old not in page and services.secret_hint(old) in page

    response = client.post(f"/admin/webhooks/{endpoint.id}/rotate")
    assert response.status_code == 200
    new = re.search(r'id="webhook-secret">([^<]+)<', response.text).group(1)
    assert new.startswith("whsec_") and new != old
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).secret == new
    assert new not in client.get(f"/admin/webhooks/{endpoint.id}").text  # shown once only
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "webhook_secret_rotated")
    ).all() == ["webhook_secret_rotated"]

    release(recruiter)
    (during,) = webhook_receiver.wait_for(1)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    verify(new, during)
    verify(old, during)

    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    endpoint.previous_secret_until = utcnow() - timedelta(seconds=1)  # the grace period ends
    commit()
    release(recruiter, factories.candidate("Jonas Weber", "jonas@example.com"))
    after = webhook_receiver.wait_for(2)[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verify(new, after)
    with pytest.raises(WebhookVerificationError):
        verify(old, after)


# --- the admin pages ---------------------------------------------------------------------------


def test_an_admin_creates_edits_tests_and_deletes_an_endpoint(app, admin, webhook_receiver):
    client = factories_client(app, admin)
    # Reached from the admin menu's Integrations page.
    assert 'href="/admin/integrations"' in client.get("/").text
    assert 'href="/admin/webhooks/"' in client.get("/admin/integrations").text
    form = {"url": webhook_receiver.url, "description": "Greenhouse sync",
            "events": ["feedback.released", "candidate.erased"], "active": "y"}  # fmt: skip
    created = client.post("/admin/webhooks/new", data=form)
    assert created.status_code == 200 and "Copy the signing secret now" in created.text
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert endpoint.secret in created.text
    assert endpoint.events == ["feedback.released", "candidate.erased"]
    assert endpoint.description == "Greenhouse sync" and endpoint.created_by_id == admin.id

    listing = client.get("/admin/webhooks/").text
    assert webhook_receiver.url in listing and "Greenhouse sync" in listing
    assert endpoint.secret not in listing

    edit = client.get(f"/admin/webhooks/{endpoint.id}/edit").text
    assert 'value="candidate.erased" checked' in edit
    saved = client.post(
        f"/admin/webhooks/{endpoint.id}/edit",
        data={**form, "events": ["interview.created"], "active": ""},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.events == ["interview.created"] and endpoint.active is False

    client.post(f"/admin/webhooks/{endpoint.id}/edit", data={**form, "active": "y"})
    assert client.post(f"/admin/webhooks/{endpoint.id}/test").status_code == 302
    (request,) = webhook_receiver.wait_for(1)
    assert verify(endpoint.secret, request)["type"] == "webhook.test"
    assert "webhook.test" in client.get(f"/admin/webhooks/{endpoint.id}").text

    unconfirmed = client.post(f"/admin/webhooks/{endpoint.id}/delete", data={})
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.text
    assert db.session.get(WebhookEndpoint, endpoint.id) is not None
    deleted = client.post(f"/admin/webhooks/{endpoint.id}/delete", data={"confirm": "y"})
    assert deleted.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
    assert db.session.scalars(select(WebhookDelivery)).all() == []
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "webhook_endpoint_created", "webhook_endpoint_updated", "webhook_test_sent",
        "webhook_endpoint_deleted",
    } <= actions  # fmt: skip


def test_the_delivery_log_pages_newest_first(app, admin):
    endpoint = register(admin, "http://127.0.0.1:9/hooks")
    base = utcnow() - timedelta(days=1)
    db.session.add_all(
        WebhookDelivery(
            endpoint=endpoint, event="feedback.released", message_id=f"msg_{i:04d}",
            payload={}, status=DeliveryStatus.DELIVERED, attempts=1, response_code=204,
            created_at=base + timedelta(minutes=i),
        )
        for i in range(30)
    )  # fmt: skip
    commit()
    client = factories_client(app, admin)
    first = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert first.index("msg_0029") < first.index("msg_0028") and "msg_0004" not in first
    assert "Page 1 of 2" in first and "Older" in first
    second = client.get(f"/admin/webhooks/{endpoint.id}?page=2").text
    assert "msg_0004" in second and "msg_0029" not in second


HOSTILE = [
    ({"url": ""}, "Enter the URL"),
    ({"url": "   "}, "Enter the URL"),
    ({"url": "javascript:alert(1)"}, "http:// or https://"),
    ({"url": "ftp://files.example.com/x"}, "http:// or https://"),
    ({"url": "https://"}, "Say which host"),
    ({"url": "https://user:pw@ats.example.com/"}, "Leave user names"),
    ({"url": "https://ats.example.com:99999/"}, "check the host and port"),
    ({"url": "https://ats.example.com/a b"}, "no spaces"),
    ({"url": "https://" + "a" * 3000 + ".com/"}, "under 2000 characters"),
    ({"url": "\x00\x07\u200b"}, "Enter the URL"),
    ({"description": "d" * 5000}, "under 200 characters"),
    ({"description": "\x01\x02"}, "visible characters"),
    ({"events": []}, "Choose at least one event"),
    ({"events": ["feedback.released", "bogus.event"]}, "valid choice"),
]


@pytest.mark.parametrize(("change", "message"), HOSTILE)
def test_hostile_input_gets_the_form_back_with_a_message(app, admin, change, message):
    client = factories_client(app, admin)
    form = {"url": "https://ats.example.com/hooks", "description": "Keep me",
            "events": ["feedback.released"], "active": "y", **change}  # fmt: skip
    response = client.post("/admin/webhooks/new", data=form)
    assert response.status_code == 200, response.status_code
    assert message in response.text
    assert "error-summary" in response.text
    if "description" not in change:
        assert 'value="Keep me"' in response.text  # what was typed comes back
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
    endpoint = register(admin, "https://ats.example.com/hooks")
    edited = client.post(f"/admin/webhooks/{endpoint.id}/edit", data=form)
    assert edited.status_code == 200 and message in edited.text
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).url == "https://ats.example.com/hooks"


def test_control_characters_are_cleaned_from_what_is_kept(app, admin):
    client = factories_client(app, admin)
    client.post(
        "/admin/webhooks/new",
        data={"url": " https://ats.example.com/hooks\u200b ", "description": "ATS\x07 sync",
              "events": ["feedback.released"]},
    )  # fmt: skip
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert endpoint.url == "https://ats.example.com/hooks" and endpoint.description == "ATS sync"
    assert endpoint.active is False  # an unticked box


def webhook_urls(app, endpoint_id: int, delivery_id: int) -> list[tuple[str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("webhooks."):
            continue
        url = rule.rule.replace("<int:endpoint_id>", str(endpoint_id))
        url = url.replace("<int:delivery_id>", str(delivery_id))
        out.append(("GET" if "GET" in rule.methods else "POST", url))
    return out


def test_recruiters_and_candidates_get_403_on_every_webhook_page(app, admin, recruiter):
    candidate = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    endpoint = register(admin, "http://127.0.0.1:9/hooks")
    delivery = WebhookDelivery(
        endpoint=endpoint, event="feedback.released", message_id="msg_x", payload={},
        status=DeliveryStatus.FAILED, attempts=6,
    )  # fmt: skip
    db.session.add(delivery)
    commit()
    urls = webhook_urls(app, endpoint.id, delivery.id)
    assert len(urls) == 8
    for person in (recruiter.email, candidate.email):
        client = app.test_client()
        sign_in(client, person)
        for method, url in urls:
            response = client.open(url, method=method, data={"confirm": "y", "url": "x"})
            assert response.status_code == 403, (person, method, url, response.status_code)
    anonymous = app.test_client()
    for method, url in urls:
        response = anonymous.open(url, method=method)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint is not None and db.session.get(WebhookDelivery, delivery.id).attempts == 6


def test_posts_without_a_csrf_token_are_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = factories.user(role="admin", email="admin@example.com")
        endpoint = register(admin, "http://127.0.0.1:9/hooks")
        client = app.test_client()
        page = client.get("/sign-in").text
        token = re.search(r'name="csrf_token" [^>]*value="([^"]+)"', page).group(1)
        client.post("/sign-in", data={"email": admin.email, "password": factories.PASSWORD,
                                      "csrf_token": token})  # fmt: skip
        secret = endpoint.secret
        assert client.post(f"/admin/webhooks/{endpoint.id}/rotate").status_code == 400
        db.session.expire_all()
        assert db.session.get(WebhookEndpoint, endpoint.id).secret == secret


# --- with Redis: a real RQ worker, and RQ's scheduler holding the retry ------------------------


def test_with_redis_a_retry_waits_in_rqs_scheduler_and_arrives(
    make_app, redis_url, webhook_receiver
):
    app = make_app(REDIS_URL=redis_url, WEBHOOK_RETRY_BASE_SECONDS=1)
    queue = jobs.redis_queue(redis_url)
    with app.app_context():
        admin = factories.user(role="admin", email="admin@example.com")
        recruiter = factories.user(role="recruiter", email="rec@example.com")
        endpoint = register(admin, webhook_receiver.url)
        secret = endpoint.secret
        webhook_receiver.fail_next(1, status=500)
        release(recruiter)
        assert webhook_receiver.requests == []  # the request left it to the worker
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)
        (delivery,) = deliveries()
        assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1
        assert queue.scheduled_job_registry.count == 1  # the retry waits in RQ's scheduler
    time.sleep(1.3)
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)
        (delivery,) = deliveries()
        assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 2
    first, second = webhook_receiver.wait_for(2)
    assert (first.answered, second.answered) == (500, 204)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    verify(secret, second)
