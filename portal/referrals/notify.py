"""Emails about referrals and leads, sent after the change they describe has committed
(mail is a job, and jobs start after the commit; the `referral_transitioned` event's
subscriber calls `after_transition`).

- the candidate, when an approved offer waits for their answer;
- the owner (or the proposer when nobody owns it), when the candidate answers;
- the proposing recruiter, when their referral is introduced or someone is hired
  (not when they made that change themselves);
- the partner contact, with the introduction, only once the candidate has consented.
"""

from __future__ import annotations

from portal import mail
from portal.auth.services import AccountError, external_url, send_invitation
from portal.models import Referral, ReferralKind, ReferralStatus, User
from portal.referrals.pipeline import ReferralError


class NotConsented(ReferralError):
    """An introduction email was asked for before the candidate consented."""


def after_transition(
    referral: Referral, to_status: ReferralStatus, actor: User | None
) -> list[str]:
    """Send what this change calls for; returns the addresses written to."""
    sent: list[str] = []
    if to_status is ReferralStatus.APPROVED:
        sent += _offer_waiting(referral)
    elif to_status in (ReferralStatus.CONSENTED, ReferralStatus.DECLINED) and _by_candidate(
        referral, actor
    ):
        sent += _candidate_answered(referral, accepted=to_status is ReferralStatus.CONSENTED)
    elif to_status in (ReferralStatus.INTRODUCED, ReferralStatus.HIRED):
        sent += _progress(referral, to_status, actor)
    return sent


def _by_candidate(referral: Referral, actor: User | None) -> bool:
    return actor is not None and actor.id == referral.candidate.user_id


def _offer_waiting(referral: Referral) -> list[str]:
    candidate = referral.candidate
    if candidate.erased_at is not None:
        return []
    if candidate.user_id is None:
        # Not in the portal yet: the invitation leads to the same page, where it waits.
        try:
            send_invitation(candidate, actor=None)
        except AccountError:
            return []
        return [candidate.email]
    mail.send_mail(
        candidate.email,
        "A lead from your recruiter"
        if referral.kind is ReferralKind.LEAD
        else "Would you like an introduction?",
        "referral_offer",
        referral=referral,
        candidate=candidate,
        link=external_url("main.home"),
    )
    return [candidate.email]


def _candidate_answered(referral: Referral, *, accepted: bool) -> list[str]:
    person = referral.owner or referral.proposed_by
    if not person.active:
        return []
    verb = "said yes to" if accepted else "said no to"
    mail.send_mail(
        person.email,
        f"{referral.candidate.name} {verb} {_what(referral)}",
        "referral_answered",
        referral=referral,
        person=person,
        accepted=accepted,
        what=_what(referral),
        link=external_url("referrals.detail", referral_id=referral.id),
    )
    return [person.email]


def _progress(referral: Referral, to_status: ReferralStatus, actor: User | None) -> list[str]:
    proposer = referral.proposed_by
    if not proposer.active or (actor is not None and actor.id == proposer.id):
        return []
    mail.send_mail(
        proposer.email,
        f"{referral.candidate.name}: {_what(referral)} is now {to_status.value}",
        "referral_progress",
        referral=referral,
        person=proposer,
        status=to_status,
        what=_what(referral),
        link=external_url("referrals.detail", referral_id=referral.id),
    )
    return [proposer.email]


def send_introduction(referral: Referral, introducer: User) -> str:
    """Email the partner contact the introduction. Refused unless the candidate consented.

    This is the only place the app shares anything about a candidate with a contact.
    """
    consented = any(t.to_status is ReferralStatus.CONSENTED for t in referral.transitions)
    if referral.kind is not ReferralKind.REFERRAL or referral.contact is None:
        raise ReferralError("Only a referral to a named contact has an introduction to send.")
    if not consented or referral.status not in (
        ReferralStatus.INTRODUCED,
        ReferralStatus.INTERVIEWING,
    ):
        raise NotConsented(
            "The candidate has not consented to this introduction, so nothing about them "
            "may be sent to the contact."
        )
    contact = referral.contact
    if not contact.active:
        raise ReferralError(f"{contact.name} is no longer an active contact; no email was sent.")
    mail.send_mail(
        contact.email,
        f"Introduction: {referral.candidate.name}, for {referral.role_title}",
        "referral_introduction",
        referral=referral,
        contact=contact,
        candidate=referral.candidate,
        introducer=introducer,
    )
    return contact.email


def _what(referral: Referral) -> str:
    if referral.kind is ReferralKind.REFERRAL:
        company = referral.company.name if referral.company else "the partner"
        return f"the introduction to {company}"
    role, company = referral.role_title, referral.company.name if referral.company else None
    if company and role and company.lower() in role.lower():
        company = None  # "Analytics roles at Bluepeak" already names it
    target = " at ".join(part for part in (role, company) if part) or referral.market or "a market"
    return f"the lead ({target})"
