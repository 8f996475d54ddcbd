"""Builders for referral tests: partners, contacts, and items taken through the real pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portal.extensions import db
from portal.models import (
    Candidate,
    Company,
    CompanyKind,
    LeadKind,
    PartnerContact,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralTransition,
    User,
    utcnow,
)
from portal.referrals import services
from portal.referrals.pipeline import ALLOWED_TRANSITIONS, Party
from portal.referrals.services import Proposal
from portal.unit_of_work import commit
from tests import factories

S = ReferralStatus
PATHS = {
    ReferralKind.REFERRAL: [S.PROPOSED, S.APPROVED, S.CONSENTED, S.INTRODUCED, S.INTERVIEWING,
                            S.HIRED],
    ReferralKind.LEAD: [S.PROPOSED, S.APPROVED, S.CONSENTED, S.INTERVIEWING, S.HIRED],
}  # fmt: skip


def partner(name: str = "Bluepeak Software", active: bool = True) -> Company:
    company = Company(name=name, kind=CompanyKind.PARTNER, active=active)
    db.session.add(company)
    commit()
    return company


def contact(
    company: Company,
    name: str = "Dana Whitfield",
    email: str | None = None,
    role_title: str = "Head of Data",
    confirmed: bool = True,
    active: bool = True,
    notes: str | None = "PRIVATE-CONTACT-NOTE prefers warm intros on Tuesdays",
) -> PartnerContact:
    c = PartnerContact(
        company=company,
        name=name,
        email=email
        or f"{'.'.join(name.lower().split())}@{company.name.split()[0].lower()}.example",
        role_title=role_title,
        confirmed=confirmed,
        active=active,
        notes=notes,
    )
    db.session.add(c)
    commit()
    return c


@dataclass
class Cast:
    """Everyone a referral can involve."""

    admin: User
    proposer: User
    owner: User
    stranger: User
    candidate: Candidate
    other_candidate: Candidate
    contact: PartnerContact
    company: Company

    def actor(self, party: Party) -> User | None:
        return {
            Party.ADMIN: self.admin,
            Party.OWNER: self.owner,
            Party.PROPOSER: self.proposer,
            Party.CANDIDATE: self.candidate.user,
            Party.SYSTEM: None,
        }[party]


def propose(
    cast: Cast,
    kind: ReferralKind = ReferralKind.REFERRAL,
    *,
    candidate: Candidate | None = None,
    contact: PartnerContact | None = None,
    role: str = "Senior Data Analyst",
    lead_kind: LeadKind = LeadKind.OPENING,
    market: str | None = None,
    note: str = "Your questions about planning stood out; this team plans the same way.",
) -> Referral:
    candidate = candidate or cast.candidate
    if kind is ReferralKind.REFERRAL:
        proposal = Proposal(
            kind=kind,
            note_to_candidate=note,
            contact_id=(contact or cast.contact).id,
            role_title=role,
        )
    else:
        proposal = Proposal(
            kind=kind,
            note_to_candidate=note,
            lead_kind=lead_kind,
            company_id=None if lead_kind is LeadKind.MARKET else cast.company.id,
            role_title=None if lead_kind is LeadKind.MARKET else role,
            market=market or ("Cold-chain logistics" if lead_kind is LeadKind.MARKET else None),
        )
    referral = services.propose(candidate, proposal, actor=cast.proposer)
    referral.owner = cast.owner
    commit()
    return referral


def advance(cast: Cast, referral: Referral, to: ReferralStatus) -> Referral:
    """Walk the referral along its kind's path to `to`, each step by an allowed party."""
    path = PATHS[referral.kind]
    # A closing status is reached in one step from wherever the item is now.
    steps = path[path.index(referral.status) + 1 : path.index(to) + 1] if to in path else [to]
    for status in steps:
        rule = ALLOWED_TRANSITIONS[(referral.status, status)]
        party = sorted(rule.parties, key=list(Party).index)[0]
        actor = referral.candidate.user if party is Party.CANDIDATE else cast.actor(party)
        services.transition(referral, status, actor)
        commit()
    return referral


def at_status(cast: Cast, kind: ReferralKind, status: ReferralStatus, **kwargs) -> Referral:
    referral = propose(cast, kind, **kwargs)
    return advance(cast, referral, status)


def bulk_referrals(cast: Cast, n: int, start: int = 0) -> None:
    """Many items straight into the tables (for query-count tests), in varied states."""
    statuses = list(ReferralStatus)
    now = utcnow()
    candidates = [
        Candidate(name=f"Bulk Candidate {i}", email=f"bulk{i}@example.com")
        for i in range(start, start + n)
    ]
    db.session.add_all(candidates)
    for i, cand in enumerate(candidates):
        status = statuses[i % len(statuses)]
        lead = i % 3 == 0
        r = Referral(
            candidate=cand,
            kind=ReferralKind.LEAD if lead else ReferralKind.REFERRAL,
            lead_kind=LeadKind.OPENING if lead else None,
            status=status,
            contact=None if lead else cast.contact,
            company=cast.company,
            role_title=f"Role {i}",
            note_to_candidate='=HYPERLINK("http://evil")' if i == 0 else "A note.",
            proposed_by=cast.proposer if i % 2 else cast.admin,
            owner=cast.owner if i % 4 else None,
            follow_up_on=(now - timedelta(days=1)).date() if i % 5 == 0 else None,
            created_at=now - timedelta(days=10),
            status_changed_at=now - timedelta(days=2),
        )
        r.transitions.append(
            ReferralTransition(to_status=S.PROPOSED, actor_id=cast.proposer.id,
                               at=now - timedelta(days=10))
        )  # fmt: skip
        if status is not S.PROPOSED:
            r.transitions.append(
                ReferralTransition(from_status=S.PROPOSED, to_status=status,
                                   actor_id=cast.admin.id, at=now - timedelta(days=2))
            )  # fmt: skip
        db.session.add(r)
    commit()


def make_cast(admin: User, recruiter: User, other_recruiter: User) -> Cast:
    company = partner()
    return Cast(
        admin=admin,
        proposer=recruiter,
        owner=other_recruiter,
        stranger=factories.user(
            role="recruiter", email="stranger@example.com", name="Sid Stranger"
        ),
        candidate=factories.candidate("Maya Chen", "maya@example.com", with_account=True),
        other_candidate=factories.candidate("Jonas Weber", "jonas@example.com", with_account=True),
        contact=contact(company),
        company=company,
    )
