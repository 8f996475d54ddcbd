"""The candidate answers an offer in their portal: yes (consent or interest) or no."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from portal.models import Referral, ReferralKind, Role
from portal.permissions import allow, me
from portal.referrals import bp, services
from portal.referrals.forms import OfferAnswerForm
from portal.referrals.pipeline import ConflictError
from portal.unit_of_work import attempt


@bp.route("/portal/offers/<int:referral_id>/accept", methods=["POST"])
@allow(Role.CANDIDATE)
def accept_offer(referral_id: int):
    return _answer(referral_id, accept=True)


@bp.route("/portal/offers/<int:referral_id>/decline", methods=["POST"])
@allow(Role.CANDIDATE)
def decline_offer(referral_id: int):
    return _answer(referral_id, accept=False)


def _answer(referral_id: int, *, accept: bool):
    user = me()
    referral = services.offer_for_user(referral_id, user)
    if referral is None:
        abort(404)  # not theirs, or never shown to them: the same answer either way
    form = OfferAnswerForm()
    if not form.validate_on_submit():
        flash("Your page was open for a long time; please answer again.", "error")
        return redirect(url_for("main.home"))
    # The answer depends only on the status, read fresh above; an owner or date change made
    # meanwhile must not bounce the candidate. A concurrent status change still fails at
    # flush through the version column.
    with attempt(show=False) as outcome:
        services.answer_offer(referral, accept=accept, candidate_user=user, expected_version=None)
    if isinstance(outcome.error, ConflictError):
        flash("This changed while you were reading it. Here is where it stands now.", "info")
    elif outcome.refused:
        flash(str(outcome.error), "info")
    else:
        flash(_thanks(referral, accept), "success")
    return redirect(url_for("main.home"))


def _thanks(referral: Referral, accept: bool) -> str:
    company = referral.company.name if referral.company else "the company"
    if not accept:
        return "Thank you for letting us know. Nothing about you was shared."
    if referral.kind is ReferralKind.REFERRAL:
        return f"Thank you. Your recruiter will introduce you to {company} and keep you posted."
    return "Thank you. Your recruiter knows you are interested and will follow up with you."
