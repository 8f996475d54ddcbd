"""Every endpoint of the app, asked by every kind of person: the answer must be the expected one.

A new route without an entry in RULES fails this suite, and so does a route whose role or
object check is removed: a person who must be refused would get in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import url_for

from portal import tokens
from portal.answers import services as answers
from portal.api import tokens as api_tokens
from portal.extensions import db
from portal.models import (
    ApiScope,
    Company,
    CompanyKind,
    DeliveryStatus,
    ImportKind,
    ImportRun,
    Job,
    JobStatus,
    PartnerContact,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    ThreadKind,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in

ANON, CAND, OTHER_CAND, REC, OTHER_REC, ADMIN = (
    "anon",
    "cand",
    "other_cand",
    "rec",
    "other_rec",
    "admin",
)
EVERYONE = {ANON, CAND, OTHER_CAND, REC, OTHER_REC, ADMIN}
SIGNED_IN = EVERYONE - {ANON}
STAFF = {REC, OTHER_REC, ADMIN}
ADMIN_ONLY = {ADMIN}
AUTHOR = {REC, ADMIN}  # the scorecard's author, or an admin
OWNER_OR_STAFF = {CAND} | STAFF  # the candidate the object belongs to, or the team
OWNER = {CAND}
CANDIDATES = {CAND, OTHER_CAND}

# endpoint -> who may use it. Objects in URLs belong to CAND and were written by REC.
# The JSON API's data (api_* endpoints) takes no session at all: nobody gets in through a
# signed-in browser (tests/test_api.py checks who gets in with a token).
RULES: dict[str, set[str]] = {
    "auth.login": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.accept_invitation": EVERYONE,
    "ops.healthz": EVERYONE,
    # The API's document and its reference page are public; its data needs a bearer token.
    "api-docs.openapi_json": EVERYONE,
    "api_docs.index": EVERYONE,
    "api_docs.asset": EVERYONE,
    "ops.readyz": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.digest": STAFF,
    "auth.sign_out_everywhere": SIGNED_IN,
    "main.home": SIGNED_IN,
    "candidate_portal.feedback": OWNER,
    "candidate_portal.next_step_calendar": OWNER,
    "candidate_portal.data_export": CANDIDATES,  # each candidate exports their own data
    "reports.interview_report": OWNER_OR_STAFF,
    "reports.journey_report": OWNER_OR_STAFF,
    "referrals.accept_offer": OWNER,
    # The candidate's say: only on their own released feedback; the signed email link
    # leads there after sign-in (CAND's token: another candidate is refused).
    "candidate_portal.save_answer": OWNER,
    "candidate_portal.open_thread": OWNER,
    "candidate_portal.write_in_thread": OWNER,
    "candidate_portal.answer_link": OWNER,
    # A thread is read and answered by the feedback's handler (REC wrote it) and admins.
    "answers.thread": AUTHOR,
    "answers.reply": AUTHOR,
    # The measure: aggregates with small groups hidden, for all staff.
    "measure.index": STAFF,
    "measure.export_csv": STAFF,
    "referrals.decline_offer": OWNER,
    "feedback.edit": AUTHOR,
    "feedback.release": AUTHOR,
    "feedback.reopen": AUTHOR,
    # Only the interview's panel writes scorecards for it (REC alone sits on this one).
    "feedback.start": {REC},
    # The debrief and the panel's feedback: the lead (REC) once scored, and admins.
    "feedback.debrief": AUTHOR,
    "feedback.start_panel": AUTHOR,
    **{
        e: STAFF
        for e in [
            "candidates.index",
            "candidates.new",
            "candidates.detail",
            "candidates.edit",
            "candidates.invite",
            "companies.index",
            "companies.new",
            "companies.detail",
            "companies.edit",
            "companies.new_position",
            "companies.edit_position",
            "scorecards.index",
            "scorecards.detail",
            "scorecards.new",
            "scorecards.edit",
            "interviews.index",
            "interviews.new",
            "interviews.detail",
            "interviews.edit",
            "feedback.detail",
            "referrals.mine",
            "referrals.new",
            "referrals.suggest_contact",
            "referrals.detail",
            "referrals.move",
        ]
    },
    # The referral's parties set its follow-up date: REC proposed it, the admin owns it.
    "referrals.follow_up": AUTHOR,
    **{
        e: ADMIN_ONLY
        for e in [
            "admin.users",
            "admin.new_user",
            "admin.edit_user",
            "admin.audit_log",
            "admin.job_list",
            "admin.interviewers",
            "admin.retry_job",
            "admin.erase_candidate",
            "admin.release_check_packs",
            "scorecards.archive",
            "referrals.board_list",
            "referrals.board_columns",
            "referrals.metrics",
            "referrals.export_csv",
            "referrals.bulk",
            "referrals.assign_owner",
            "referrals.partners_index",
            "referrals.new_partner",
            "referrals.edit_partner",
            "referrals.partner",
            "referrals.new_contact",
            "referrals.edit_contact",
            "referrals.confirm_contact",
            "referrals.reject_contact",
            "webhooks.index",
            "webhooks.new",
            "webhooks.endpoint",
            "webhooks.edit",
            "webhooks.rotate",
            "webhooks.delete",
            "webhooks.send_test",
            "webhooks.redeliver",
            "imports.index",
            "imports.columns",
            "imports.preview",
            "imports.start",
            "imports.discard",
            "imports.resume",
            "imports.detail",
            "imports.progress",
            "imports.refused_report",
            "exports.candidates",
            "exports.interviews",
            "exports.scorecards",
            "integrations.index",
            "integrations.new_token",
            "integrations.revoke_token",
        ]
    },
}


@dataclass
class World:
    ids: dict[str, int | str]
    emails: dict[str, str]


@pytest.fixture
def world(app) -> World:
    admin = factories.user(role="admin", email="admin@example.com")
    rec = factories.user(role="recruiter", email="rec@example.com")
    other_rec = factories.user(role="recruiter", email="other-rec@example.com")
    cand = factories.candidate("Maya Chen", "maya@example.com", with_account=True)
    other = factories.candidate("Jonas Weber", "jonas@example.com", with_account=True)
    invitee = factories.candidate("Newcomer", "new@example.com")
    interview = factories.interview(cand, rec)
    released = factories.feedback(interview, rec, "released", next_step_on=date(2026, 12, 15))
    submitted = factories.feedback(factories.interview(cand, rec), rec, "submitted")
    factories.feedback(factories.interview(other, rec), rec, "released")
    panelled = factories.interview(cand, rec, panel=[other_rec])
    factories.feedback(panelled, rec, "submitted")
    factories.feedback(panelled, other_rec, "submitted")
    partner = Company(name="Bluepeak", kind=CompanyKind.PARTNER)
    contact = PartnerContact(
        company=partner, name="Dana", role_title="Head of Data", email="dana@bluepeak.example"
    )
    db.session.add_all([partner, contact])
    db.session.flush()
    referral = Referral(
        candidate=cand,
        kind=ReferralKind.REFERRAL,
        contact=contact,
        company=partner,
        role_title="Analyst",
        note_to_candidate="A good match.",
        proposed_by=rec,
        owner=admin,
        status=ReferralStatus.APPROVED,
        status_changed_at=utcnow() - timedelta(days=1),
    )
    referral.transitions.append(ReferralTransition(to_status=ReferralStatus.PROPOSED, actor=rec))
    referral.transitions.append(
        ReferralTransition(
            from_status=ReferralStatus.PROPOSED, to_status=ReferralStatus.APPROVED, actor=admin
        )
    )
    template = factories.template("Engineering", skills=factories.SKILLS)
    job = Job(kind="render_report", payload={}, status=JobStatus.FAILED, attempts=3, last_error="x")
    run = ImportRun(kind=ImportKind.CANDIDATES, source="greenhouse", filename="c.csv", columns={})
    db.session.add_all([referral, job, run])
    # Port 9 on this host answers nothing: a test or redelivery fails at once, harmlessly.
    hook = WebhookEndpoint(url="http://127.0.0.1:9/hooks", events=["feedback.released"],
                           secret="whsec_" + "A" * 44)  # fmt: skip
    delivery = WebhookDelivery(endpoint=hook, event="feedback.released", message_id="msg_map",
                               payload={}, status=DeliveryStatus.FAILED, attempts=6)  # fmt: skip
    db.session.add_all([hook, delivery])
    question = answers.open_thread(released, ThreadKind.QUESTION, "Why?", actor=cand.user)
    api_token, _ = api_tokens.create_token(
        rec, name="ATS", scopes={ApiScope.READ}, expires_in_days=30, actor=admin
    )
    commit()
    ids = {
        "feedback_id": released.id,
        "candidate_id": cand.id,
        "interview_id": interview.id,
        "company_id": interview.position.company_id,
        "position_id": interview.position_id,
        "user_id": rec.id,
        "job_id": job.id,
        "run_id": run.id,
        "referral_id": referral.id,
        "contact_id": contact.id,
        "template_id": template.id,
        "endpoint_id": hook.id,
        "delivery_id": delivery.id,
        "token_id": api_token.id,
        "thread_id": question.id,
        "name": "swagger-ui.css",
        "token": "",
    }
    ids_by_endpoint = {
        "feedback.release": submitted.id,
        "feedback.reopen": submitted.id,
        "referrals.edit_partner": partner.id,
        "referrals.partner": partner.id,
        "referrals.new_contact": partner.id,
        "feedback.debrief": panelled.id,
        "feedback.start_panel": panelled.id,
    }
    with app.test_request_context():
        reset = tokens.make_token(
            tokens.PASSWORD_RESET, {"u": rec.id, "p": tokens.fingerprint(rec.password_hash)}
        )
        invite = tokens.make_token(
            tokens.INVITATION, {"c": invitee.id, "e": tokens.fingerprint(invitee.email)}
        )
        answer = tokens.make_token(tokens.FEEDBACK_ANSWER, {"f": released.id, "c": cand.id, "r": 1})
    ids_by_endpoint |= {
        "auth.reset_password": reset,
        "auth.accept_invitation": invite,
        "candidate_portal.answer_link": answer,
    }
    emails = {
        CAND: cand.email,
        OTHER_CAND: other.email,
        REC: rec.email,
        OTHER_REC: other_rec.email,
        ADMIN: admin.email,
    }
    return World(ids={"_": ids, **{k: v for k, v in ids_by_endpoint.items()}}, emails=emails)


def endpoints(app) -> list[tuple[str, str, set[str]]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = "GET" if "GET" in methods else "POST"
        out.append((rule.endpoint, method, set(rule.arguments)))
    return sorted(out)


def url_for_rule(app, world: World, endpoint: str, arguments: set[str]) -> str:
    values = {}
    for name in arguments:
        special = world.ids.get(endpoint)
        values[name] = (
            special
            if special is not None
            and name in ("feedback_id", "company_id", "interview_id", "token")
            else world.ids["_"][name]
        )
    with app.test_request_context():
        return url_for(endpoint, **values)


def refused(response, who: str) -> bool:
    if response.mimetype == "application/problem+json":  # the JSON API, without a token
        return response.status_code == 401
    if who == ANON:
        return response.status_code == 302 and "/sign-in" in response.headers.get("Location", "")
    return response.status_code in (403, 404)


def rule_for(endpoint: str) -> set[str]:
    if endpoint.startswith("api_") and endpoint.split(".")[0] not in ("api_docs",):
        return set()  # the JSON API: bearer tokens only
    return RULES[endpoint]


def test_every_endpoint_has_a_rule(app):
    missing = [e for e, _, _ in endpoints(app) if e not in RULES and not e.startswith("api_")]
    assert not missing, f"routes without an authorisation rule in this test: {missing}"


# Answered by a redirect to the sign-in page when allowed: tested in tests/test_sessions.py.
SIGN_OUTS = {"auth.logout", "auth.sign_out_everywhere"}


@pytest.mark.parametrize("who", [ANON, CAND, OTHER_CAND, REC, OTHER_REC, ADMIN])
def test_every_endpoint_answers_each_person_as_expected(app, world, who):
    client = app.test_client()
    if who != ANON:
        assert sign_in(client, world.emails[who]).status_code == 302
    wrong = []
    checked = 0
    for endpoint, method, arguments in endpoints(app):
        if endpoint not in RULES or endpoint in SIGN_OUTS:
            continue
        url = url_for_rule(app, world, endpoint, arguments)
        response = client.open(url, method=method)
        response.close()  # a streamed download (CSV) ends now, in its own context
        allowed = who in RULES[endpoint]
        if response.status_code >= 500:
            wrong.append(f"{method} {url}: {response.status_code} (server error)")
        elif allowed and refused(response, who):
            wrong.append(f"{method} {url}: {response.status_code}, but {who} should get in")
        elif not allowed and not refused(response, who):
            wrong.append(f"{method} {url}: {response.status_code}, but {who} must be refused")
        checked += 1
        if (
            who != ANON and client.get("/").status_code == 302
        ):  # an action signed us out: sign in again
            sign_in(client, world.emails[who])
    assert checked >= 60
    assert not wrong, "\n".join(wrong)


def test_sign_out_is_for_signed_in_people(client, world):
    assert refused(client.post("/sign-out"), ANON)
    sign_in(client, world.emails[REC])
    assert client.post("/sign-out").status_code == 302
    assert re.search("/sign-in", client.get("/").headers["Location"])


# --- object state: an erased candidate's record is frozen on every endpoint that writes -----


@pytest.mark.parametrize("who", [REC, ADMIN])
def test_an_erased_candidates_record_is_frozen_on_every_endpoint_that_writes(app, world, who):
    from portal.models import Candidate, Feedback, Interview
    from portal.privacy.services import erase_candidate
    from tests.referrals import factories as rf

    rec = db.session.query(User).filter_by(email=world.emails[REC]).one()
    ghost = factories.candidate("Gia Ghost", "gia@example.com")  # no account: editable
    interview = factories.interview(ghost, rec)
    draft = factories.feedback(interview, rec, "draft")
    submitted = factories.feedback(factories.interview(ghost, rec), rec, "submitted")
    contact = db.session.query(PartnerContact).one()
    referral = rf.propose(
        rf.Cast(admin=None, proposer=rec, owner=None, stranger=None, candidate=ghost,
                other_candidate=None, contact=contact, company=contact.company)
    )  # fmt: skip
    erase_candidate(db.session.get(Candidate, ghost.id), actor=None)
    commit()
    before = _frozen_state(ghost.id)
    client = app.test_client()
    sign_in(client, world.emails[who])
    writes = {
        f"/candidates/{ghost.id}/edit": {"name": "Gia Back", "email": "gia.back@example.com"},
        f"/candidates/{ghost.id}/invite": {},
        f"/interviews/{interview.id}/edit": {
            "candidate_id": str(ghost.id), "position_id": str(interview.position_id),
            "interviewer_id": str(rec.id), "stage": "second", "format": "video",
            "scheduled_at": "2026-12-20T10:00", "location": "Room 9",
        },
        f"/interviews/{interview.id}/scorecard": {},
        f"/feedback/{draft.id}/edit": factories.scorecard_form(
            lock_version=str(draft.lock_version), strengths="Back again.", submit="1"
        ),
        f"/feedback/{submitted.id}/release": {},
        f"/feedback/{submitted.id}/reopen": {},
        f"/referrals/new?candidate={ghost.id}": {
            "kind": "referral", "contact_id": str(contact.id), "referral_role": "Analyst",
            "note_to_candidate": "Another one.",
        },
        f"/referrals/{referral.id}/move?to=approved": {"lock_version": str(referral.lock_version)},
    }  # fmt: skip
    wrong = []
    for url, data in writes.items():
        response = client.post(url, data=data)
        if response.status_code >= 500:
            wrong.append(f"POST {url}: {response.status_code}")
        elif _frozen_state(ghost.id) != before:
            wrong.append(f"POST {url} changed the erased record")
    assert not wrong, "\n".join(wrong)
    assert db.session.query(Interview).filter_by(candidate_id=ghost.id).count() == 2
    assert db.session.query(Feedback).count() == before["feedback"]


def _frozen_state(candidate_id: int) -> dict:
    from portal.models import Candidate, Feedback, Interview

    db.session.expire_all()
    candidate = db.session.get(Candidate, candidate_id)
    interviews = db.session.query(Interview).filter_by(candidate_id=candidate_id).all()
    return {
        "candidate": (candidate.name, candidate.email, candidate.invited_at),
        "interviews": sorted((i.id, i.stage.value, i.location) for i in interviews),
        "feedback": db.session.query(Feedback).count(),
        "texts": sorted(
            (f.id, f.state.value, f.strengths or "")
            for f in db.session.query(Feedback)
            .join(Feedback.interview)
            .filter(Interview.candidate_id == candidate_id)
        ),
        "referrals": sorted(
            (r.id, r.status.value)
            for r in db.session.query(Referral).filter_by(candidate_id=candidate_id)
        ),
    }
