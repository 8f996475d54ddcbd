"""The referral pipeline's words, defined once: what each move is called, which moves close an
item, and how an item's state reads — to staff on its page, to the candidate in their portal
and their reports. Templates read these (`referral_words`) instead of comparing status strings;
the moves themselves are the state machine's (portal/referrals/pipeline.py).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from portal.models import ReferralKind, ReferralStatus

S, K = ReferralStatus, ReferralKind

# What a person is shown on the button that makes each move.
MOVE_LABELS = {
    S.APPROVED: "Approve",
    S.CONSENTED: "Record consent",
    S.INTRODUCED: "Mark as introduced",
    S.INTERVIEWING: "Mark as interviewing",
    S.HIRED: "Mark as hired",
    S.DECLINED: "Decline",
    S.WITHDRAWN: "Withdraw",
    S.EXPIRED: "Expire",
}
# Moves that close an item for good: the form asks for an explicit confirmation.
CLOSING_MOVES = frozenset({S.DECLINED, S.WITHDRAWN, S.EXPIRED})
# The candidate said yes (to the introduction, or that they are interested).
CONSENT_GIVEN = frozenset({S.CONSENTED, S.INTRODUCED, S.INTERVIEWING, S.HIRED})

_AFTER_INTRODUCTION = (
    S.INTERVIEWING,
    "Interviewing",
    "You are in their selection process. Your recruiter is glad to help you prepare.",
)
_HIRED = (S.HIRED, "Hired", "You were hired through this. Congratulations.")

# As the candidate's report states an item: (status word, what happens next).
CANDIDATE_STATES: dict[tuple[ReferralKind, ReferralStatus], tuple[str, str]] = {
    (K.REFERRAL, S.APPROVED): (
        "Waiting for your answer",
        "Your recruiter would like to introduce you. Accept or decline the introduction in "
        "the portal; nothing about you is shared until you agree.",
    ),
    (K.REFERRAL, S.CONSENTED): (
        "You agreed",
        "Your recruiter will make the introduction and tell you when it has been made.",
    ),
    (K.REFERRAL, S.INTRODUCED): (
        "Introduced",
        "Expect the contact to get in touch. If you have heard nothing within two weeks, "
        "tell your recruiter.",
    ),
    (K.LEAD, S.APPROVED): (
        "Shared with you",
        "Follow this up if it interests you, and tell your recruiter if you apply or would "
        "like an introduction.",
    ),
    (K.LEAD, S.CONSENTED): (
        "You are interested",
        "Your recruiter will share what they know and any contact they can make.",
    ),
    (K.LEAD, S.INTRODUCED): (
        "Passed on",
        "Your interest has been passed on. If you have heard nothing within two weeks, "
        "tell your recruiter.",
    ),
}
for _kind in ReferralKind:
    for _status, _label, _next in (_AFTER_INTRODUCTION, _HIRED):
        CANDIDATE_STATES[(_kind, _status)] = (_label, _next)


def awaits_answer(referral: Any) -> bool:
    """Approved and shown to the candidate, whose answer the pipeline waits for."""
    return referral.status is S.APPROVED


def is_referral(referral: Any) -> bool:
    return referral.kind is K.REFERRAL


def consent(referral: Any, given_on: str = "") -> Markup:
    """The consent row of the staff page."""
    status = referral.status
    if status is S.PROPOSED:
        return Markup("Not asked yet: the candidate sees it once an admin approves it.")
    if status is S.APPROVED:
        return Markup("Waiting for the candidate's answer in their portal.")
    if status in CONSENT_GIVEN:
        word = "Given" if is_referral(referral) else "Interested"
        if given_on:
            return Markup("{} on {}.").format(word, given_on)
        return Markup("{}.").format(word)
    return Markup("Not given; nothing about the candidate may be shared.")


def what_happens_next(referral: Any) -> Markup:
    """For staff: where the item stands and who takes it further."""
    status = referral.status
    if not status.is_open:
        return Markup("This {} is {}; that is final.").format(referral.kind.value, status.value)
    if status is S.PROPOSED:
        return Markup("Waiting for an admin to approve it. The candidate sees nothing until then.")
    if status is S.APPROVED:
        return Markup("Waiting for the candidate's answer in their portal.")
    if status is S.CONSENTED and is_referral(referral):
        return Markup(
            "The candidate said yes: introduce them to the contact, then mark it as introduced."
        )
    if status is S.CONSENTED:
        return Markup(
            "The candidate is interested: mark it as interviewing once they are in that "
            "company's process."
        )
    if status is S.INTRODUCED:
        return Markup("Introduced: mark it as interviewing once the company starts its process.")
    return Markup("In the company's process: mark it as hired, or close it if it ends.")


def in_the_portal(referral: Any, company: str | None, since: str) -> Markup:
    """For the candidate, in their portal: what became of an item they answered (the
    company name and the date are escaped by Markup.format)."""
    status = referral.status
    if status is S.CONSENTED and is_referral(referral):
        return Markup(
            "You said yes on {}. Your recruiter will introduce you and let you know when it is "
            "done."
        ).format(since)
    if status is S.CONSENTED:
        return Markup(
            "You said you are interested on {}. Your recruiter will follow up with you."
        ).format(since)
    if status is S.INTRODUCED:
        return Markup("You were introduced on {}. {} may contact you directly.").format(
            since, company or "The company"
        )
    if status is S.INTERVIEWING:
        if company:
            return Markup("You are in {}'s selection process (since {}). Good luck.").format(
                company, since
            )
        return Markup("You are in the selection process (since {}). Good luck.").format(since)
    if status is S.HIRED:
        return Markup("You were hired ({}). Congratulations!").format(since)
    if status is S.DECLINED:
        return Markup("Declined on {}. Nothing more happens with this one.").format(since)
    if status is S.WITHDRAWN:
        return Markup("Your recruiter withdrew this on {}; it is no longer available.").format(
            since
        )
    return Markup("This expired on {} after a long time without news.").format(since)
