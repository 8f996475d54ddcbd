"""A referral's page: its moves through the pipeline, owner and follow-up date."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from portal.models import STAFF, Referral, ReferralStatus, ReferralTransition, Role
from portal.permissions import (
    allow,
    can_assign_owner,
    can_follow_up,
    can_view_referral,
    load,
    me,
)
from portal.referrals import bp, ownership, services
from portal.referrals.board import DISPLAY
from portal.referrals.forms import FollowUpForm, OwnerForm, TransitionForm
from portal.referrals.pipeline import (
    CLOSING_MOVES,
    MOVE_LABELS,
    ConflictError,
    ReferralError,
    parse_status,
    refusal,
)
from portal.unit_of_work import attempt

REFERRAL_PAGE = (
    *DISPLAY,
    joinedload(Referral.feedback),
    selectinload(Referral.transitions).joinedload(ReferralTransition.actor),
)


def load_referral(referral_id: int, check=can_view_referral) -> Referral:
    return load(Referral, referral_id, check, *REFERRAL_PAGE)


@bp.route("/referrals/<int:referral_id>")
@allow(*STAFF)
def detail(referral_id: int):
    return render_detail(load_referral(referral_id))


def render_detail(referral: Referral, status: int = 200):
    user = me()
    owner_form = OwnerForm(formdata=None, lock_version=referral.lock_version)
    if can_assign_owner(user, referral):
        owner_form.set_options(ownership.staff_choices())
        owner_form.owner_id.data = referral.owner_id
    follow_up_form = FollowUpForm(
        formdata=None, lock_version=referral.lock_version, follow_up_on=referral.follow_up_on
    )
    return render_template(
        "referrals/detail.html",
        referral=referral,
        moves=services.moves_for(referral, user),
        move_labels=MOVE_LABELS,
        closing=CLOSING_MOVES,
        owner_form=owner_form if can_assign_owner(user, referral) else None,
        follow_up_form=follow_up_form if can_follow_up(user, referral) else None,
        overdue=ownership.is_overdue(referral),
    ), status


@bp.route("/referrals/<int:referral_id>/move", methods=["GET", "POST"])
@allow(*STAFF)
def move(referral_id: int):
    """Confirm and make one move; closing moves need the confirmation box ticked."""
    referral = load_referral(referral_id)
    with attempt() as parsed:
        target = parse_status(request.args.get("to", ""))
    if parsed.refused:
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    form = TransitionForm(lock_version=referral.lock_version, to_status=target.value)
    if request.method == "GET":
        form.email_contact.data = True
    elif form.validate_on_submit():
        done = _make_move(referral, target, form)
        if done is not None:
            return done
        referral = load_referral(referral_id)
    return render_template(
        "referrals/move.html",
        referral=referral,
        form=form,
        to_status=target,
        label=MOVE_LABELS.get(target, target.label),
        closing=target in CLOSING_MOVES,
        refused=refusal(referral, target, me()),
    )


def _make_move(referral: Referral, target: ReferralStatus, form: TransitionForm):
    """The move, or None to show the form again (the box for a closing move, a refusal)."""
    if target in CLOSING_MOVES and not form.confirm.data:
        form.confirm.errors = ["Tick this box to confirm: this cannot be undone."]
        return None
    with attempt() as outcome:
        services.transition(
            referral,
            target,
            me(),
            note=form.note.data,
            expected_version=form.lock_version.expected,
            email_contact=bool(form.email_contact.data),
        )
    if isinstance(outcome.error, ConflictError):
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    if outcome.refused:
        return None
    flash(f"{referral.kind.label} #{referral.id} is now {target.value}.", "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.route("/referrals/<int:referral_id>/follow-up", methods=["POST"])
@allow(*STAFF)
def follow_up(referral_id: int):
    referral = load_referral(referral_id, can_follow_up)
    form = FollowUpForm()
    if not form.validate_on_submit():
        for error in form.follow_up_on.errors or ["Your form expired; please try again."]:
            flash(f"Follow-up date not saved: {error}", "error")
        return render_detail(referral, status=400)
    with attempt() as outcome:
        ownership.set_follow_up(
            referral,
            form.follow_up_on.data,
            actor=me(),
            expected_version=form.lock_version.expected,
        )
    if not outcome.refused:
        saved = "Follow-up date saved." if form.follow_up_on.data else "Follow-up cleared."
        flash(saved, "success")
    return redirect(url_for("referrals.detail", referral_id=referral_id))


@bp.route("/admin/referrals/<int:referral_id>/owner", methods=["POST"])
@allow(Role.ADMIN)
def assign_owner(referral_id: int):
    referral = load_referral(referral_id, can_assign_owner)
    form = OwnerForm()
    people = ownership.staff_choices()
    form.set_options(people)
    if not form.validate_on_submit():
        flash("Choose an owner from the list.", "error")
        return render_detail(referral, status=400)
    owner = next((u for u in people if u.id == form.owner_id.data), None)
    with attempt() as outcome:
        ownership.assign_owner(
            referral, owner, actor=me(), expected_version=form.lock_version.expected
        )
    if not outcome.refused:
        flash(f"Owner: {owner.name}." if owner else "Nobody owns it now.", "success")
    return redirect(url_for("referrals.detail", referral_id=referral_id))


__all__ = ["ReferralError", "load_referral"]
