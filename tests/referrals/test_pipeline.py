"""The pipeline state machine: every allowed move, every refused one, conflicts, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import (
    CLOSED_STATUSES,
    AuditEvent,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    utcnow,
)
from portal.privacy.services import erase_candidate
from portal.referrals import ownership, partners, services
from portal.referrals.pipeline import (
    ALLOWED_TRANSITIONS,
    ConflictError,
    Party,
    ReferralError,
    TransitionRefused,
    moves_for,
    stale_referrals,
)
from portal.unit_of_work import commit
from tests.referrals import factories as rf

S = ReferralStatus
K = ReferralKind


def reachable(kind: ReferralKind, status: ReferralStatus) -> bool:
    return status in rf.PATHS[kind]


ALLOWED_CASES = [
    pytest.param(kind, frm, to, party, id=f"{kind.value}-{frm.value}-{to.value}-by-{party.value}")
    for (frm, to), rule in ALLOWED_TRANSITIONS.items()
    for kind in ReferralKind
    if kind in rule.kinds and reachable(kind, frm)
    for party in sorted(rule.parties, key=list(Party).index)
]


@pytest.mark.parametrize(("kind", "frm", "to", "party"), ALLOWED_CASES)
def test_each_allowed_move_is_recorded_with_who_when_and_note(cast, kind, frm, to, party):
    referral = rf.at_status(cast, kind, frm)
    before = referral.status_changed_at
    version = referral.lock_version
    actor = cast.actor(party)
    record = services.transition(referral, to, actor, note="Spoke on the phone.",
                                 expected_version=version)  # fmt: skip
    commit()
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.status is to
    assert referral.status_changed_at >= before
    assert referral.lock_version == version + 1
    last = referral.transitions[-1]
    assert (last.from_status, last.to_status) == (frm, to)
    assert last.actor_id == (actor.id if actor else None)
    assert last.note == "Spoke on the phone." and last.id == record.id
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == f"referral_{to.value}")
    ).all()[-1]
    assert event.object_id == referral.id
    assert event.details["from_status"] == frm.value


REFUSED_PAIRS = [
    pytest.param(kind, frm, to, id=f"{kind.value}-{frm.value}-{to.value}")
    for kind in ReferralKind
    for frm in ReferralStatus
    if reachable(kind, frm) or frm in CLOSED_STATUSES
    for to in ReferralStatus
    if (frm, to) not in ALLOWED_TRANSITIONS or kind not in ALLOWED_TRANSITIONS[(frm, to)].kinds
]


@pytest.mark.parametrize(("kind", "frm", "to"), REFUSED_PAIRS)
def test_each_move_outside_the_table_is_refused_with_a_reason(cast, kind, frm, to):
    referral = rf.at_status(cast, kind, frm)
    history = len(referral.transitions)
    with pytest.raises(TransitionRefused) as refused:
        services.transition(referral, to, cast.admin)
    message = str(refused.value)
    if frm is to:
        assert f"already {frm.value}" in message
    elif frm in CLOSED_STATUSES:
        assert "which is final" in message
    elif to is S.INTRODUCED and kind is K.LEAD:
        assert "A lead has no contact to introduce" in message
    else:
        assert f"cannot go from {frm.value} to {to.value}" in message
        assert f"From {frm.value} it can go to" in message
    db.session.rollback()
    referral = db.session.get(Referral, referral.id)
    assert referral.status is frm and len(referral.transitions) == history


PARTY_CASES = [
    pytest.param(kind, frm, to, party, id=f"{kind.value}-{frm.value}-{to.value}-not-{party.value}")
    for (frm, to), rule in ALLOWED_TRANSITIONS.items()
    for kind in ReferralKind
    if kind in rule.kinds and reachable(kind, frm)
    for party in Party
    if party not in rule.parties
]


@pytest.mark.parametrize(("kind", "frm", "to", "party"), PARTY_CASES)
def test_each_move_by_the_wrong_party_is_refused(cast, kind, frm, to, party):
    referral = rf.at_status(cast, kind, frm)
    if party is Party.PROPOSER:
        referral.owner = None  # the proposer alone, without owning it
        commit()
    with pytest.raises(TransitionRefused, match=f"^Only .* can move a {kind.value} from"):
        services.transition(referral, to, cast.actor(party))
    db.session.rollback()
    assert db.session.get(Referral, referral.id).status is frm


def test_recruiters_never_approve_even_their_own_proposal(cast):
    referral = rf.propose(cast)
    for person in (cast.proposer, cast.owner, cast.stranger):
        with pytest.raises(TransitionRefused, match="Only an admin can move a referral from "
                           "proposed to approved"):  # fmt: skip
            services.transition(referral, S.APPROVED, person)


def test_strangers_and_other_candidates_can_do_nothing(cast):
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    assert moves_for(referral, cast.stranger) == []
    assert moves_for(referral, cast.other_candidate.user) == []
    assert moves_for(referral, cast.candidate.user) == [S.CONSENTED, S.DECLINED]
    with pytest.raises(TransitionRefused, match=r"Only the candidate \(in their portal\)"):
        services.transition(referral, S.CONSENTED, cast.other_candidate.user)


def test_a_deactivated_admin_can_do_nothing(cast):
    referral = rf.propose(cast)
    cast.admin.active = False
    commit()
    with pytest.raises(TransitionRefused, match="Only an admin"):
        services.transition(referral, S.APPROVED, cast.admin)


def test_unknown_status_values_are_a_clear_error(cast):
    referral = rf.propose(cast)
    with pytest.raises(ReferralError, match="'promoted' is not a status. Use one of: proposed"):
        services.transition(referral, "promoted", cast.admin)
    services.transition(referral, " Approved ", cast.admin)
    assert referral.status is S.APPROVED


def test_a_long_note_is_refused(cast):
    referral = rf.propose(cast)
    with pytest.raises(ReferralError, match="under 1000 characters"):
        services.transition(referral, S.APPROVED, cast.admin, note="x" * 1001)
    assert referral.status is S.PROPOSED


def test_consent_comes_before_any_introduction(cast):
    approved = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    with pytest.raises(TransitionRefused, match="cannot go from approved to introduced"):
        services.transition(approved, S.INTRODUCED, cast.admin)
    services.transition(approved, S.CONSENTED, cast.candidate.user)
    services.transition(approved, S.INTRODUCED, cast.admin)
    assert [t.to_status for t in approved.transitions] == [
        S.PROPOSED, S.APPROVED, S.CONSENTED, S.INTRODUCED,
    ]  # fmt: skip


def test_a_lead_skips_introduction_and_goes_from_interest_to_interviewing(cast):
    lead = rf.at_status(cast, K.LEAD, S.CONSENTED)
    assert moves_for(lead, cast.admin) == [S.INTERVIEWING, S.DECLINED, S.WITHDRAWN, S.EXPIRED]
    with pytest.raises(TransitionRefused, match="A lead has no contact to introduce"):
        services.transition(lead, S.INTRODUCED, cast.admin)
    services.transition(lead, S.INTERVIEWING, cast.owner)
    services.transition(lead, S.HIRED, cast.owner)
    assert lead.status is S.HIRED


def test_a_referral_cannot_jump_from_consented_to_interviewing(cast):
    referral = rf.at_status(cast, K.REFERRAL, S.CONSENTED)
    with pytest.raises(TransitionRefused, match="cannot go from consented to interviewing"):
        services.transition(referral, S.INTERVIEWING, cast.admin)


def test_an_approved_lead_is_offered_to_the_candidate_at_once(cast):
    lead = rf.at_status(cast, K.LEAD, S.APPROVED)
    assert [r.id for r in services.offers_for_candidate(cast.candidate.id)] == [lead.id]


# --- conflicts ---------------------------------------------------------------------------


def test_a_stale_version_from_the_form_is_a_conflict(cast):
    referral = rf.propose(cast)
    stale = referral.lock_version
    referral.follow_up_on = utcnow().date()
    commit()
    with pytest.raises(ConflictError, match="Someone else changed this referral"):
        services.transition(referral, S.APPROVED, cast.admin, expected_version=stale)
    assert referral.status is S.PROPOSED


@pytest.mark.real_commits
def test_two_admins_at_the_same_moment_cannot_both_win(app, cast):
    referral = rf.propose(cast)
    referral_id, version = referral.id, referral.lock_version
    ours = db.session.get(Referral, referral_id)
    with app.app_context():  # the second admin, in their own session, acts first
        theirs = db.session.get(Referral, referral_id)
        other_admin = db.session.merge(cast.admin)
        services.transition(theirs, S.DECLINED, other_admin, note="Not a fit.",
                            expected_version=version)  # fmt: skip
        commit()
    with pytest.raises(ConflictError):
        services.transition(ours, S.APPROVED, cast.admin, expected_version=version)
    db.session.rollback()
    final = db.session.get(Referral, referral_id)
    assert final.status is S.DECLINED
    assert [t.to_status for t in final.transitions] == [S.PROPOSED, S.DECLINED]


@pytest.mark.real_commits
def test_two_admins_assigning_owners_at_once_cannot_both_win(app, cast):
    referral = rf.propose(cast)
    referral_id, version = referral.id, referral.lock_version
    ours = db.session.get(Referral, referral_id)
    with app.app_context():
        theirs = db.session.get(Referral, referral_id)
        ownership.assign_owner(theirs, db.session.merge(cast.stranger),
                              actor=db.session.merge(cast.admin), expected_version=version)  # fmt: skip
        commit()
    with pytest.raises(ConflictError):
        ownership.assign_owner(ours, cast.proposer, actor=cast.admin, expected_version=version)
    db.session.rollback()
    assert db.session.get(Referral, referral_id).owner_id == cast.stranger.id


# --- expiry ------------------------------------------------------------------------------


def _age(referral: Referral, days: int) -> None:
    referral.status_changed_at = utcnow() - timedelta(days=days)
    commit()


def test_open_items_older_than_the_limit_are_stale_closed_and_fresh_ones_are_not(cast):
    old_open = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    _age(old_open, 61)
    old_lead = rf.at_status(cast, K.LEAD, S.CONSENTED)
    _age(old_lead, 90)
    fresh = rf.propose(cast, contact=rf.contact(cast.company, "Marco Lind"))
    _age(fresh, 59)
    old_closed = rf.at_status(cast, K.REFERRAL, S.WITHDRAWN,
                              candidate=cast.other_candidate)  # fmt: skip
    _age(old_closed, 200)
    assert {r.id for r in stale_referrals(60)} == {old_open.id, old_lead.id}


def test_expiry_by_the_system_is_recorded_without_a_person(cast):
    referral = rf.at_status(cast, K.REFERRAL, S.INTERVIEWING)
    services.transition(referral, S.EXPIRED, None, note="No change for 60 days.")
    last = referral.transitions[-1]
    assert last.actor_id is None and last.note == "No change for 60 days."


# --- proposing and duplicates ------------------------------------------------------------


def test_a_proposal_starts_the_history(cast):
    referral = rf.propose(cast)
    assert referral.status is S.PROPOSED
    assert referral.company_id == cast.company.id  # the contact's company
    first = referral.transitions[0]
    assert first.from_status is None and first.to_status is S.PROPOSED
    assert first.actor_id == cast.proposer.id


def test_the_same_contact_twice_while_open_is_refused_with_the_existing_one(cast):
    existing = rf.at_status(cast, K.REFERRAL, S.CONSENTED)
    with pytest.raises(services.DuplicateError) as dup:
        rf.propose(cast, role="Another role entirely")
    assert dup.value.existing.id == existing.id
    assert f"#{existing.id}" in str(dup.value) and "already has an open referral" in str(dup.value)
    db.session.rollback()
    # Another candidate, or the same contact after the first one closed, is fine.
    rf.propose(cast, candidate=cast.other_candidate)
    rf.advance(cast, db.session.get(Referral, existing.id), S.WITHDRAWN)
    assert rf.propose(cast).status is S.PROPOSED


def test_the_same_lead_twice_while_open_is_refused_case_and_spaces_aside(cast):
    rf.propose(cast, K.LEAD, role="Data  Analyst")
    with pytest.raises(services.DuplicateError):
        rf.propose(cast, K.LEAD, role=" data analyst ")
    db.session.rollback()
    assert rf.propose(cast, K.LEAD, role="Data Engineer").status is S.PROPOSED
    market = rf.propose(cast, K.LEAD, lead_kind=rf.LeadKind.MARKET, market="Cold-chain")
    with pytest.raises(services.DuplicateError) as dup:
        rf.propose(cast, K.LEAD, lead_kind=rf.LeadKind.MARKET, market="COLD-CHAIN")
    assert dup.value.existing.id == market.id


@pytest.mark.parametrize(
    ("proposal", "field", "message"),
    [
        (dict(kind=K.REFERRAL, contact_id=None, role_title="BI"), "contact_id", "Choose the contact"),
        (dict(kind=K.REFERRAL, contact_id=-1, role_title="BI"), "contact_id", "Choose the contact"),
        (dict(kind=K.REFERRAL, role_title="  "), "role_title", "Name the role"),
        (dict(kind=K.LEAD, lead_kind=None), "lead_kind", "Choose what kind of lead"),
        (dict(kind=K.LEAD, lead_kind=rf.LeadKind.OPENING, role_title="BI"), "company_id", "An opening needs"),
        (dict(kind=K.LEAD, lead_kind=rf.LeadKind.COMPETITOR), "company_id", "Choose the company that is hiring"),
        (dict(kind=K.LEAD, lead_kind=rf.LeadKind.MARKET, market=" "), "market", "Name the market"),
        (dict(kind=K.LEAD, lead_kind=rf.LeadKind.MARKET, market="x", company_id=999999), "company_id", "Choose a company"),
        (dict(kind=K.LEAD, lead_kind=rf.LeadKind.MARKET, market="x", note_to_candidate=" "), "note_to_candidate", "Write a note"),
        (dict(kind=K.LEAD, lead_kind=rf.LeadKind.MARKET, market="x", feedback_id=999999), "feedback_id", "not about this candidate"),
    ],
)  # fmt: skip
def test_incomplete_proposals_say_what_is_missing(cast, proposal, field, message):
    values = {"note_to_candidate": "A note.", "contact_id": cast.contact.id, **proposal}
    with pytest.raises(services.ProposalError) as exc:
        services.propose(cast.candidate, services.Proposal(**values), actor=cast.proposer)
    assert message in exc.value.problems[field]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 0


def test_unconfirmed_or_inactive_contacts_cannot_be_picked(cast):
    suggested = rf.contact(cast.company, "Sue Suggested", confirmed=False)
    inactive = rf.contact(cast.company, "Ian Inactive", active=False)
    for person in (suggested, inactive):
        proposal = services.Proposal(
            kind=K.REFERRAL, note_to_candidate="n", contact_id=person.id, role_title="BI"
        )
        with pytest.raises(services.ProposalError, match="cannot be picked yet"):
            services.propose(cast.candidate, proposal, actor=cast.proposer)
        db.session.rollback()
    assert [c.id for c in partners.pickable_contacts()] == [cast.contact.id]


def test_candidates_cannot_propose(cast):
    proposal = services.Proposal(
        kind=K.REFERRAL, note_to_candidate="n", contact_id=cast.contact.id, role_title="BI"
    )
    with pytest.raises(ReferralError, match="Only recruiters and admins"):
        services.propose(cast.candidate, proposal, actor=cast.candidate.user)


# --- what the candidate sees -------------------------------------------------------------


def test_offers_are_only_what_was_approved_and_only_this_candidates(cast):
    waiting = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    rf.propose(cast, K.LEAD)  # proposed: not shown
    never_approved = rf.propose(cast, K.LEAD, role="Other")
    rf.advance(cast, never_approved, S.WITHDRAWN)  # withdrawn before approval: not shown
    withdrawn_after = rf.at_status(cast, K.LEAD, S.APPROVED, role="Third")
    rf.advance(cast, withdrawn_after, S.WITHDRAWN)  # the candidate saw it: shown, as withdrawn
    rf.at_status(cast, K.REFERRAL, S.APPROVED, candidate=cast.other_candidate)
    offers = services.offers_for_candidate(cast.candidate.id)
    assert [o.id for o in offers] == [waiting.id, withdrawn_after.id]  # waiting ones first


def test_offers_cost_one_query_with_company_and_contact_loaded(cast):
    from tests.querycount import count_queries

    for i in range(4):
        rf.at_status(cast, K.REFERRAL, S.APPROVED,
                     contact=rf.contact(cast.company, f"Person {i}"))  # fmt: skip
    candidate_id = cast.candidate.id
    db.session.expire_all()
    with count_queries() as queries:
        offers = services.offers_for_candidate(candidate_id)
        labels = [(o.company.name, o.contact.role_title) for o in offers]
    assert len(labels) == 4 and len(queries) == 1


def test_a_candidate_answer_is_recorded_and_cannot_be_given_twice(cast):
    referral = rf.at_status(cast, K.REFERRAL, S.APPROVED)
    services.answer_offer(referral, accept=False, candidate_user=cast.candidate.user,
                          expected_version=referral.lock_version)  # fmt: skip
    commit()
    last = db.session.scalars(
        db.select(ReferralTransition).order_by(ReferralTransition.id.desc())
    ).first()
    assert last.to_status is S.DECLINED and last.actor_id == cast.candidate.user_id
    assert last.note is None  # no reason is asked for
    with pytest.raises(ReferralError, match="This one was declined, so it needs no answer"):
        services.answer_offer(referral, accept=True, candidate_user=cast.candidate.user,
                              expected_version=None)  # fmt: skip


# --- owners and follow-up ----------------------------------------------------------------


def test_only_admins_assign_owners_and_only_to_active_staff(cast):
    referral = rf.propose(cast)
    with pytest.raises(ReferralError, match="Only an admin assigns owners"):
        ownership.assign_owner(referral, cast.proposer, actor=cast.proposer, expected_version=None)
    with pytest.raises(ReferralError, match="active recruiter or admin"):
        ownership.assign_owner(
            referral, cast.candidate.user, actor=cast.admin, expected_version=None
        )
    ownership.assign_owner(referral, cast.stranger, actor=cast.admin, expected_version=None)
    assert referral.owner_id == cast.stranger.id


def test_follow_up_dates_and_overdue(cast):
    referral = rf.propose(cast)
    yesterday = utcnow().date() - timedelta(days=1)
    ownership.set_follow_up(referral, yesterday, actor=cast.proposer, expected_version=None)
    assert ownership.is_overdue(referral)
    with pytest.raises(ReferralError, match="Only an admin, the owner or the proposer"):
        ownership.set_follow_up(referral, None, actor=cast.stranger, expected_version=None)
    rf.advance(cast, referral, S.WITHDRAWN)
    assert not ownership.is_overdue(referral)  # closed items are never overdue
    with pytest.raises(ReferralError, match="closed; it needs no follow-up"):
        ownership.set_follow_up(referral, None, actor=cast.admin, expected_version=None)


def test_an_erased_candidates_items_can_only_be_closed(cast):
    referral = rf.at_status(cast, K.REFERRAL, S.CONSENTED)
    erase_candidate(cast.candidate, actor=cast.admin)
    commit()
    # No introduction is ever sent for someone whose data is gone.
    with pytest.raises(TransitionRefused, match="data was erased"):
        services.transition(referral, S.INTRODUCED, cast.admin)
    db.session.rollback()
    assert S.INTRODUCED not in moves_for(referral, cast.admin)
    services.transition(referral, S.WITHDRAWN, cast.admin)
    commit()
    assert db.session.get(Referral, referral.id).status is S.WITHDRAWN
