"""Referral pages as people use them: recruiters propose, admins run it, candidates answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Referral, ReferralKind, ReferralStatus, utcnow
from portal.unit_of_work import commit
from tests import factories
from tests.factories import sign_in
from tests.referrals import factories as rf

S = ReferralStatus
K = ReferralKind


def referral_form(cast, **overrides) -> dict:
    data = {
        "kind": "referral",
        "contact_id": str(cast.contact.id),
        "referral_role": "Senior Data Analyst",
        "note_to_candidate": "You asked how the team plans its work; this team works that way.",
        "follow_up_on": "",
    }
    data.update(overrides)
    return data


def status_of(referral_id: int) -> ReferralStatus:
    db.session.expire_all()
    return db.session.get(Referral, referral_id).status


# --- proposing ---------------------------------------------------------------------------


def test_recruiter_proposes_a_referral_from_a_scorecard(client, cast):
    interview = factories.interview(cast.candidate, cast.proposer)
    fb = factories.feedback(interview, cast.proposer, "released")
    sign_in(client, cast.proposer.email)
    page = client.get(f"/referrals/new?candidate={cast.candidate.id}&feedback={fb.id}")
    assert page.status_code == 200
    assert "Propose a referral or lead for Maya Chen" in page.text
    assert "Dana Whitfield, Head of Data — Bluepeak Software" in page.text
    response = client.post(
        f"/referrals/new?candidate={cast.candidate.id}&feedback={fb.id}", data=referral_form(cast)
    )
    referral = db.session.scalar(db.select(Referral))
    assert response.status_code == 302
    assert response.location.endswith(f"/referrals/{referral.id}")
    assert referral.feedback_id == fb.id and referral.status is S.PROPOSED
    detail = client.get(response.location).text
    assert "An admin approves it before Maya Chen sees it" in detail
    assert "Waiting for an admin to approve it." in detail
    assert "Maya Chen" in client.get("/referrals").text


def test_a_lead_for_a_market_needs_no_company(client, cast):
    sign_in(client, cast.proposer.email)
    response = client.post(
        f"/referrals/new?candidate={cast.candidate.id}",
        data={"kind": "lead", "lead_kind": "market", "market": "Cold-chain logistics",
              "note_to_candidate": "Worth a look."},
    )  # fmt: skip
    assert response.status_code == 302
    lead = db.session.scalar(db.select(Referral))
    assert lead.kind is K.LEAD and lead.market == "Cold-chain logistics" and lead.company is None


def test_an_incomplete_proposal_comes_back_with_what_was_typed(client, cast):
    sign_in(client, cast.proposer.email)
    url = f"/referrals/new?candidate={cast.candidate.id}"
    page = client.post(url, data=referral_form(cast, note_to_candidate="", referral_role="BI Lead"))
    assert page.status_code == 200
    assert "Write a note to the candidate." in page.text
    assert 'value="BI Lead"' in page.text
    page = client.post(
        url, data={"kind": "lead", "lead_kind": "opening", "lead_role": "Analyst X",
                   "note_to_candidate": "Typed note 123"},
    )  # fmt: skip
    assert "An opening needs the company and the role." in page.text
    assert "Typed note 123" in page.text and 'value="Analyst X"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 0


def test_a_duplicate_is_refused_with_a_link_to_the_open_one(client, cast):
    existing = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    sign_in(client, cast.stranger.email)
    page = client.post(f"/referrals/new?candidate={cast.candidate.id}", data=referral_form(cast))
    assert page.status_code == 200
    assert "This is already open" in page.text
    assert f'href="/referrals/{existing.id}"' in page.text
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 1
    # The other recruiter can open it (it is the organisation's), but not act on it.
    detail = client.get(f"/referrals/{existing.id}").text
    assert "Waiting for the candidate's answer" in detail


@pytest.mark.parametrize(
    "query",
    ["candidate=abc", "candidate=-1", "candidate=999999", "candidate=1.5", "candidate={c}&feedback=x",
     "candidate={c}&feedback=999999"],
)  # fmt: skip
def test_bad_ids_in_the_proposal_link_are_404(client, cast, query):
    sign_in(client, cast.proposer.email)
    assert client.get("/referrals/new?" + query.format(c=cast.candidate.id)).status_code == 404


def test_a_scorecard_of_another_candidate_is_404(client, cast):
    fb = factories.feedback(factories.interview(cast.other_candidate, cast.proposer), cast.proposer)
    sign_in(client, cast.proposer.email)
    assert (
        client.get(f"/referrals/new?candidate={cast.candidate.id}&feedback={fb.id}").status_code
        == 404
    )


def test_no_candidate_in_the_link_points_to_the_candidates(client, cast):
    sign_in(client, cast.proposer.email)
    response = client.get("/referrals/new", follow_redirects=True)
    assert "Open a candidate first" in response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "bogus"), ("contact_id", "abc"), ("contact_id", "-3"), ("lead_kind", "moon"),
     ("follow_up_on", "next tuesday")],
)  # fmt: skip
def test_wrong_values_in_the_proposal_are_explained(client, cast, field, value):
    sign_in(client, cast.proposer.email)
    page = client.post(
        f"/referrals/new?candidate={cast.candidate.id}", data=referral_form(cast, **{field: value})
    )
    assert page.status_code == 200
    assert "Not a valid choice" in page.text or "Enter a date like 2026-12-31." in page.text
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 0


def test_an_unconfirmed_contact_is_not_offered_and_cannot_be_posted(client, cast):
    suggested = rf.contact(cast.company, "Sue Suggested", confirmed=False)
    sign_in(client, cast.proposer.email)
    url = f"/referrals/new?candidate={cast.candidate.id}"
    assert "Sue Suggested" not in client.get(url).text
    page = client.post(url, data=referral_form(cast, contact_id=str(suggested.id)))
    assert "Not a valid choice" in page.text


def test_recruiter_suggests_a_contact_and_returns_to_the_proposal(client, cast):
    sign_in(client, cast.proposer.email)
    response = client.post(
        f"/referrals/contacts/suggest?candidate={cast.candidate.id}",
        data={"company_id": str(cast.company.id), "name": "New Person", "email": "New@Bluepeak.example",
              "role_title": "CTO", "notes": "Met at a meetup."},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.location.endswith(f"/referrals/new?candidate={cast.candidate.id}")
    contact = db.session.scalar(
        db.select(rf.PartnerContact).where(rf.PartnerContact.name == "New Person")
    )
    assert contact.confirmed is False and contact.suggested_by_id == cast.proposer.id
    assert contact.email == "new@bluepeak.example"
    # A clash is explained next to the email, with the form kept.
    page = client.post(
        "/referrals/contacts/suggest",
        data={"company_id": str(cast.company.id), "name": "Again", "email": "new@bluepeak.example"},
    )
    assert "already has a contact with the email" in page.text and 'value="Again"' in page.text


# --- recruiters: their list, withdrawing, never approving ---------------------------------


def test_a_recruiter_cannot_approve(client, cast):
    referral = rf.propose(cast)
    sign_in(client, cast.proposer.email)
    detail = client.get(f"/referrals/{referral.id}").text
    assert "Approve" not in detail
    page = client.post(
        f"/referrals/{referral.id}/move?to=approved",
        data={"lock_version": referral.lock_version, "to_status": "approved"},
    )
    assert page.status_code == 200
    assert "Only an admin can move a referral from proposed to approved." in page.text
    assert status_of(referral.id) is S.PROPOSED


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/admin/referrals"), ("get", "/admin/referrals/board"), ("get", "/admin/referrals/metrics"),
     ("get", "/admin/referrals/export.csv"), ("post", "/admin/referrals/bulk"), ("get", "/admin/partners"),
     ("get", "/admin/partners/new"), ("post", "/admin/referrals/{id}/owner")],
)  # fmt: skip
def test_recruiters_and_candidates_cannot_enter_admin_pages(client, cast, method, path):
    referral = rf.propose(cast)
    url = path.format(id=referral.id)
    sign_in(client, cast.proposer.email)
    data = {"action": "approve", "selected": f"{referral.id}:1", "owner_id": str(cast.proposer.id)}
    assert getattr(client, method)(url, data=data).status_code == 403
    client.post("/sign-out")
    sign_in(client, cast.candidate.email)
    assert getattr(client, method)(url, data=data).status_code == 403
    assert status_of(referral.id) is S.PROPOSED
    assert db.session.get(Referral, referral.id).owner_id == cast.owner.id


def test_candidates_cannot_open_staff_referral_pages(client, cast):
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    sign_in(client, cast.candidate.email)
    assert client.get("/referrals").status_code == 403
    assert client.get(f"/referrals/{referral.id}").status_code == 403
    assert client.get(f"/referrals/new?candidate={cast.candidate.id}").status_code == 403
    response = client.post(
        f"/referrals/{referral.id}/move?to=consented", data={"to_status": "consented"}
    )
    assert response.status_code == 403 and status_of(referral.id) is S.APPROVED


def test_recruiter_withdraws_their_own_open_one_after_confirming(client, cast):
    referral = rf.propose(cast)
    sign_in(client, cast.proposer.email)
    assert f"/referrals/{referral.id}/move?to=withdrawn" in client.get("/referrals").text
    url = f"/referrals/{referral.id}/move?to=withdrawn"
    page = client.get(url)
    assert "This closes the referral for good." in page.text
    v = str(referral.lock_version)
    page = client.post(
        url, data={"lock_version": v, "to_status": "withdrawn", "note": "Role filled"}
    )
    assert "Tick this box to confirm" in page.text and "Role filled" in page.text
    assert status_of(referral.id) is S.PROPOSED
    response = client.post(
        url,
        data={"lock_version": v, "to_status": "withdrawn", "note": "Role filled", "confirm": "y"},
    )
    assert response.status_code == 302
    assert status_of(referral.id) is S.WITHDRAWN
    assert db.session.get(Referral, referral.id).transitions[-1].note == "Role filled"


def test_another_recruiter_cannot_withdraw_it(client, cast):
    referral = rf.propose(cast)
    sign_in(client, cast.stranger.email)
    page = client.post(
        f"/referrals/{referral.id}/move?to=withdrawn",
        data={"lock_version": str(referral.lock_version), "to_status": "withdrawn", "confirm": "y"},
    )
    assert "Only an admin, the owner or the recruiter who proposed it can move" in page.text
    assert status_of(referral.id) is S.PROPOSED


def test_recruiters_list_shows_theirs_and_what_they_own(client, cast):
    mine = rf.propose(cast)
    owned = rf.propose(cast, candidate=cast.other_candidate)
    owned.proposed_by, owned.owner = cast.stranger, cast.proposer
    other = rf.propose(cast, candidate=factories.candidate("Lena Fischer"))
    other.proposed_by, other.owner = cast.stranger, cast.stranger
    commit()
    sign_in(client, cast.proposer.email)
    page = client.get("/referrals").text
    assert "Maya Chen" in page and "Jonas Weber" in page and "Lena Fischer" not in page
    assert mine.id and "Owner" in page


def test_an_overdue_follow_up_is_highlighted(client, cast):
    referral = rf.propose(cast)
    referral.follow_up_on = utcnow().date() - timedelta(days=3)
    commit()
    sign_in(client, cast.proposer.email)
    page = client.get("/referrals").text
    assert 'class="is-overdue"' in page and "Overdue" in page


def test_follow_up_date_is_set_and_bad_dates_are_explained(client, cast):
    referral = rf.propose(cast)
    sign_in(client, cast.proposer.email)
    url = f"/referrals/{referral.id}/follow-up"
    v = str(referral.lock_version)
    page = client.post(url, data={"lock_version": v, "follow_up_on": "31/12/2026"})
    assert page.status_code == 400 and "Enter a date like 2026-12-31." in page.text
    client.post(url, data={"lock_version": v, "follow_up_on": "2030-01-15"})
    db.session.expire_all()
    assert str(db.session.get(Referral, referral.id).follow_up_on) == "2030-01-15"


@pytest.mark.parametrize("to", ["bogus", "", "APPROVED'--"])
def test_unknown_moves_are_explained(client, cast, to):
    referral = rf.propose(cast)
    sign_in(client, cast.admin.email)
    response = client.post(f"/referrals/{referral.id}/move?to={to}", data={"to_status": to},
                           follow_redirects=True)  # fmt: skip
    assert response.status_code == 200 and "is not a status" in response.text
    assert status_of(referral.id) is S.PROPOSED


@pytest.mark.parametrize("path", ["/referrals/999999", "/referrals/-1", "/referrals/abc",
                                  "/admin/referrals/999999/owner", "/admin/partners/999999"])  # fmt: skip
def test_unknown_ids_are_404(client, cast, path):
    sign_in(client, cast.admin.email)
    method = client.post if path.endswith("owner") else client.get
    assert method(path).status_code == 404


def test_a_stale_form_is_a_conflict_not_a_silent_overwrite(client, cast):
    referral = rf.propose(cast)
    sign_in(client, cast.admin.email)
    stale = referral.lock_version
    referral.follow_up_on = utcnow().date()  # someone else saved meanwhile
    commit()
    response = client.post(
        f"/referrals/{referral.id}/move?to=approved",
        data={"lock_version": str(stale), "to_status": "approved"},
        follow_redirects=True,
    )
    assert "Someone else changed this referral while you were looking at it" in response.text
    assert status_of(referral.id) is S.PROPOSED


# --- an admin can do everything -----------------------------------------------------------


def test_an_admin_runs_a_referral_from_proposal_to_hire(client, cast, outbox):
    referral = rf.propose(cast)
    rid = referral.id
    sign_in(client, cast.admin.email)

    def move(to: str, **extra):
        version = db.session.get(Referral, rid).lock_version
        db.session.expire_all()
        return client.post(f"/referrals/{rid}/move?to={to}",
                           data={"lock_version": str(version), "to_status": to, **extra})  # fmt: skip

    assert move("approved").status_code == 302 and status_of(rid) is S.APPROVED
    # Admin cannot answer for the candidate.
    page = move("consented")
    assert "Only the candidate (in their portal)" in page.text
    client.post("/sign-out")
    sign_in(client, cast.candidate.email)
    version = db.session.get(Referral, rid).lock_version
    client.post(f"/portal/offers/{rid}/accept", data={"lock_version": str(version)})
    assert status_of(rid) is S.CONSENTED
    client.post("/sign-out")
    sign_in(client, cast.admin.email)
    assert move("introduced", email_contact="y").status_code == 302
    assert move("interviewing").status_code == 302
    assert move("hired", note="Started in March").status_code == 302
    assert status_of(rid) is S.HIRED
    history = client.get(f"/referrals/{rid}").text
    for label in ("Proposed", "Approved", "Consented", "Introduced", "Interviewing", "Hired"):
        assert f"<strong>{label}</strong>" in history
    assert "Started in March" in history and "that is final" in history


def test_admin_assigns_an_owner(client, cast):
    referral = rf.propose(cast)
    version = str(referral.lock_version)
    sign_in(client, cast.admin.email)
    response = client.post(
        f"/admin/referrals/{referral.id}/owner",
        data={"lock_version": version, "owner_id": str(cast.stranger.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).owner_id == cast.stranger.id
    page = client.post(
        f"/admin/referrals/{referral.id}/owner", data={"lock_version": version, "owner_id": "abc"}
    )
    assert page.status_code == 400 and "Choose an owner from the list." in page.text
    page = client.post(
        f"/admin/referrals/{referral.id}/owner",
        data={"lock_version": version, "owner_id": str(cast.proposer.id)},
        follow_redirects=True,
    )
    # The version this form carried is stale: the first assignment bumped it.
    assert "Someone else changed this referral" in page.text
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).owner_id == cast.stranger.id


# --- candidates ---------------------------------------------------------------------------


def test_a_candidate_sees_only_their_own_approved_offers(client, cast):
    mine = rf.at_status(cast, K.REFERRAL, S.APPROVED, note="NOTE-FOR-MAYA")
    rf.propose(cast, K.LEAD, note="NOTE-NOT-APPROVED-YET")
    rf.at_status(
        cast, K.REFERRAL, S.APPROVED, candidate=cast.other_candidate, note="NOTE-FOR-JONAS"
    )
    sign_in(client, cast.candidate.email)
    home = client.get("/").text
    assert "NOTE-FOR-MAYA" in home
    assert "NOTE-FOR-JONAS" not in home and "NOTE-NOT-APPROVED-YET" not in home
    assert "An introduction to the Head of Data at Bluepeak Software" in home
    assert "PRIVATE-CONTACT-NOTE" not in home  # the contact's private notes stay private
    assert "dana.whitfield@" not in home
    assert f'action="/portal/offers/{mine.id}/accept"' in home
    assert "Yes, introduce me" in home and "No, thank you" in home


def test_a_candidate_declines_without_a_reason_and_it_is_recorded(client, cast):
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    sign_in(client, cast.candidate.email)
    response = client.post(f"/portal/offers/{referral.id}/decline",
                           data={"lock_version": str(referral.lock_version)})  # fmt: skip
    assert response.status_code == 302 and response.location.endswith("/")
    assert status_of(referral.id) is S.DECLINED
    home = client.get("/").text
    assert "Nothing about you was shared" in home
    assert "Declined on" in home and "No, thank you" not in home
    again = client.post(f"/portal/offers/{referral.id}/accept", follow_redirects=True)
    assert "This one was declined, so it needs no answer." in again.text
    assert status_of(referral.id) is S.DECLINED


def test_a_candidate_marks_interest_in_a_lead(client, cast):
    lead = rf.at_status(cast, K.LEAD, S.APPROVED)
    sign_in(client, cast.candidate.email)
    assert "I am interested" in client.get("/").text
    response = client.post(f"/portal/offers/{lead.id}/accept", follow_redirects=True)
    assert "Your recruiter knows you are interested" in response.text
    assert "You said you are interested on" in response.text
    assert status_of(lead.id) is S.CONSENTED


def test_a_candidate_cannot_answer_for_someone_else_or_before_approval(client, cast):
    theirs = rf.at_status(cast, K.REFERRAL, S.APPROVED, candidate=cast.other_candidate)
    unapproved = rf.propose(cast)
    sign_in(client, cast.candidate.email)
    for rid in (theirs.id, unapproved.id, 999999):
        assert client.post(f"/portal/offers/{rid}/accept").status_code == 404
        assert client.post(f"/portal/offers/{rid}/decline").status_code == 404
    assert status_of(theirs.id) is S.APPROVED and status_of(unapproved.id) is S.PROPOSED
    assert client.get(f"/portal/offers/{theirs.id}/accept").status_code == 405


def test_staff_cannot_answer_for_the_candidate(client, cast):
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    sign_in(client, cast.admin.email)
    assert client.post(f"/portal/offers/{referral.id}/accept").status_code == 403
    assert status_of(referral.id) is S.APPROVED


def test_the_candidate_empty_state_says_what_happens(client, cast):
    sign_in(client, cast.candidate.email)
    assert "No referrals or leads yet." in client.get("/").text


# --- with CSRF on ---------------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.test_request_context():
        yield app, app.test_client()


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_answers_and_moves_need_the_csrf_token(csrf_client, admin, recruiter, other_recruiter):
    app, client = csrf_client
    cast = rf.make_cast(admin, recruiter, other_recruiter)
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    sign_in_token = csrf_from(client.get("/sign-in").text)
    client.post("/sign-in", data={"email": cast.candidate.email, "password": factories.PASSWORD,
                                  "csrf_token": sign_in_token})  # fmt: skip
    forged = client.post(f"/portal/offers/{referral.id}/accept")
    assert forged.status_code == 400
    assert status_of(referral.id) is S.APPROVED
    token = csrf_from(client.get("/").text)
    client.post(f"/portal/offers/{referral.id}/accept",
                data={"csrf_token": token, "lock_version": str(referral.lock_version)})  # fmt: skip
    assert status_of(referral.id) is S.CONSENTED


def test_every_problem_in_a_proposal_is_shown_at_once(client, cast):
    sign_in(client, cast.proposer.email)
    page = client.post(
        f"/referrals/new?candidate={cast.candidate.id}",
        data={
            "kind": "lead",
            "lead_kind": "opening",
            "lead_role": "Analyst",
            "note_to_candidate": "",
        },
    )
    assert "Write a note to the candidate." in page.text
    assert "An opening needs the company and the role." in page.text


def test_the_move_pages_explain_what_each_move_does(client, cast):
    proposed = rf.propose(cast)
    consented = rf.at_status(cast, K.REFERRAL, S.CONSENTED, candidate=cast.other_candidate)
    sign_in(client, cast.admin.email)
    decline = client.get(f"/referrals/{proposed.id}/move?to=declined").text
    assert "Declining a proposal means it is not approved; the candidate never sees it." in decline
    assert "Yes, close it for good" in decline
    introduce = client.get(f"/referrals/{consented.id}/move?to=introduced").text
    assert "Also email the introduction to the contact" in introduce
    assert 'checked id="email_contact" name="email_contact" type="checkbox"' in introduce
    assert "Yes, close it for good" not in introduce
    refused = client.get(f"/referrals/{proposed.id}/move?to=hired").text
    assert "A referral cannot go from proposed to hired." in refused
    assert 'type="submit"' not in refused.split("<main")[1].split("</main>")[0].replace(
        'type="submit" class="link-button"', ""
    )


def test_an_owner_change_meanwhile_does_not_bounce_the_candidates_answer(client, cast):
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    sign_in(client, cast.candidate.email)
    client.get("/")  # the candidate reads the offer ...
    referral.owner = cast.stranger  # ... while an admin hands it to someone else
    commit()
    client.post(f"/portal/offers/{referral.id}/accept")
    assert status_of(referral.id) is S.CONSENTED


def test_referral_pages_have_no_inline_styles_or_scripts(client, cast):
    """The Content-Security-Policy forbids them; every page here must work without."""
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    sign_in(client, cast.admin.email)
    urls = [
        "/admin/referrals", "/admin/referrals/board", "/admin/referrals/metrics",
        f"/referrals/{referral.id}", f"/referrals/{referral.id}/move?to=withdrawn",
        f"/referrals/new?candidate={cast.candidate.id}", "/referrals", "/admin/partners",
        f"/admin/partners/{cast.company.id}", "/referrals/contacts/suggest",
    ]  # fmt: skip
    pages = [client.get(url).text for url in urls]
    client.post("/sign-out")
    sign_in(client, cast.candidate.email)
    pages.append(client.get("/").text)
    for url, html in zip([*urls, "/ (candidate)"], pages, strict=True):
        assert " style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " on" + "click=" not in html, url
