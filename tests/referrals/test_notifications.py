"""Who gets an email when, and that nothing reaches a contact before consent."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Job, JobStatus, Referral, ReferralKind, ReferralStatus
from portal.referrals import notify, services
from portal.unit_of_work import commit
from tests import factories
from tests.factories import body, link_in, sign_in
from tests.referrals import factories as rf

S = ReferralStatus
K = ReferralKind


def approve_by_route(client, cast, referral):
    sign_in(client, cast.admin.email)
    client.post(f"/referrals/{referral.id}/move?to=approved",
                data={"lock_version": str(referral.lock_version), "to_status": "approved"})  # fmt: skip
    client.post("/sign-out")


def test_the_candidate_is_emailed_when_an_offer_waits_for_them(client, cast, outbox):
    referral = rf.propose(cast)
    assert outbox.messages() == []  # a proposal tells nobody outside the team
    approve_by_route(client, cast, referral)
    message = outbox.last()
    assert message["To"] == cast.candidate.email
    assert message["Subject"] == "Would you like an introduction?"
    text = body(message)
    assert text.startswith("Hello Maya Chen,")
    assert "the Head of Data at Bluepeak Software" in text
    assert "Nothing about you is shared with Bluepeak Software unless you say yes" in text
    assert "PRIVATE-CONTACT-NOTE" not in text and "Dana" not in text
    assert link_in(message).endswith("/")


def test_a_candidate_without_an_account_gets_the_invitation(client, cast, outbox):
    newcomer = factories.candidate("Nia New", "nia@example.com")
    referral = rf.propose(cast, candidate=newcomer)
    approve_by_route(client, cast, referral)
    assert outbox.last()["To"] == "nia@example.com"
    assert "invitation" in outbox.last()["Subject"].lower()


def test_the_owner_hears_the_answer_or_the_proposer_when_nobody_owns_it(client, cast, outbox):
    owned = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    unowned = rf.at_status(cast, K.LEAD, S.APPROVED)
    unowned.owner = None
    commit()
    sign_in(client, cast.candidate.email)
    client.post(f"/portal/offers/{owned.id}/accept")
    message = outbox.last()
    assert message["To"] == cast.owner.email
    assert message["Subject"] == "Maya Chen said yes to the introduction to Bluepeak Software"
    assert "Hello Otto Other," in body(message)
    assert link_in(message).endswith(f"/referrals/{owned.id}")
    client.post(f"/portal/offers/{unowned.id}/decline")
    message = outbox.last()
    assert message["To"] == cast.proposer.email
    assert "said no to the lead" in message["Subject"]
    assert "No reason is asked for a no." in body(message)


def test_the_proposer_hears_about_introduction_and_hire(client, cast, outbox):
    referral = rf.at_status(cast, K.REFERRAL, S.CONSENTED)
    sign_in(client, cast.admin.email)
    for to in ("introduced", "interviewing", "hired"):
        db.session.expire_all()
        version = db.session.get(Referral, referral.id).lock_version
        client.post(f"/referrals/{referral.id}/move?to={to}",
                    data={"lock_version": str(version), "to_status": to, "email_contact": "y"})  # fmt: skip
    to_proposer = [m for m in outbox.messages() if m["To"] == cast.proposer.email]
    assert [m["Subject"] for m in to_proposer] == [
        "Maya Chen: the introduction to Bluepeak Software is now introduced",
        "Maya Chen: the introduction to Bluepeak Software is now hired",
    ]
    assert "Good news: Maya Chen was hired" in body(to_proposer[-1])


def test_nobody_is_emailed_about_their_own_change(client, cast, outbox):
    referral = rf.at_status(cast, K.REFERRAL, S.INTERVIEWING)
    referral.owner = cast.proposer
    commit()
    to_proposer = lambda: [m for m in outbox.messages() if m["To"] == cast.proposer.email]  # noqa: E731
    before = len(to_proposer())  # the owner's earlier moves were news to the proposer
    sign_in(client, cast.proposer.email)
    client.post(f"/referrals/{referral.id}/move?to=hired",
                data={"lock_version": str(referral.lock_version), "to_status": "hired"})  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status is S.HIRED
    assert len(to_proposer()) == before  # their own move: no mail to themselves


def test_the_contact_gets_the_introduction_only_after_consent(client, cast, outbox):
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    contact_mail = lambda: [m for m in outbox.messages() if m["To"] == cast.contact.email]  # noqa: E731
    assert contact_mail() == []
    with pytest.raises(notify.NotConsented, match="has not consented"):
        notify.send_introduction(referral, cast.admin)
    rf.advance(cast, referral, S.CONSENTED)
    with pytest.raises(notify.NotConsented):  # consented, but not marked introduced yet
        notify.send_introduction(referral, cast.admin)
    assert contact_mail() == []
    sign_in(client, cast.admin.email)
    client.post(f"/referrals/{referral.id}/move?to=introduced",
                data={"lock_version": str(referral.lock_version), "to_status": "introduced",
                      "email_contact": "y"})  # fmt: skip
    [message] = contact_mail()
    assert message["Subject"] == "Introduction: Maya Chen, for Senior Data Analyst"
    text = body(message)
    assert "Hello Dana Whitfield," in text and "maya@example.com" in text
    assert "agreed to this introduction" in text


def test_introduced_without_the_email_box_sends_nothing_to_the_contact(client, cast, outbox):
    referral = rf.at_status(cast, K.REFERRAL, S.CONSENTED)
    sign_in(client, cast.admin.email)
    client.post(f"/referrals/{referral.id}/move?to=introduced",
                data={"lock_version": str(referral.lock_version), "to_status": "introduced"})  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status is S.INTRODUCED
    assert [m for m in outbox.messages() if m["To"] == cast.contact.email] == []


def test_a_mail_server_that_is_down_does_not_undo_the_change(make_app):
    # Nothing listens on the discard port: a real refused connection, after the commit.
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=2)
    with app.app_context():
        cast = rf.make_cast(
            factories.user(role="admin", email="admin@example.com", name="Ada Admin"),
            factories.user(role="recruiter", email="rec@example.com", name="Rita Recruiter"),
            factories.user(role="recruiter", email="rec2@example.com", name="Otto Other"),
        )
        referral = rf.propose(cast)
        client = app.test_client()
        sign_in(client, cast.admin.email)
        page = client.post(f"/referrals/{referral.id}/move?to=approved",
                           data={"lock_version": str(referral.lock_version)},
                           follow_redirects=True)  # fmt: skip

        assert page.status_code == 200 and "is now approved" in page.text
        db.session.expire_all()
        assert db.session.get(Referral, referral.id).status is S.APPROVED
        mail_job = db.session.scalar(db.select(Job).where(Job.kind == "send_mail"))
        assert mail_job.status is JobStatus.FAILED and mail_job.attempts == 3
        assert "refused" in mail_job.last_error.lower()  # admins see it under Jobs


def test_a_lead_offer_email_reads_as_a_lead(cast, outbox):
    lead = rf.at_status(cast, K.LEAD, S.PROPOSED)
    services.transition(lead, S.APPROVED, cast.admin)  # its subscriber writes the offer
    commit()
    message = outbox.last()
    assert message["Subject"] == "A lead from your recruiter"
    assert "an opening, Senior Data Analyst at Bluepeak Software" in body(message)
