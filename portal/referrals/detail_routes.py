"""A referral's page: its moves through the pipeline, owner and follow-up date."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import Referral, ReferralStatus, ReferralTransition, Role
from portal.referrals import bp, notify, ownership, services
from portal.referrals.access import STAFF, allow, me
from portal.referrals.board import with_display
from portal.referrals.forms import FollowUpForm, OwnerForm, TransitionForm
from portal.referrals.pipeline import (
    CLOSING_MOVES,
    MOVE_LABELS,
    ConflictError,
    ReferralError,
    parse_status,
    refusal,
)


def load_referral(referral_id: int) -> Referral:
    return db.first_or_404(
        with_display(select(Referral).where(Referral.id == referral_id)).options(
            joinedload(Referral.feedback),
            selectinload(Referral.transitions).joinedload(ReferralTransition.actor),
        )
    )


@bp.route("/referrals/<int:referral_id>")
@allow(*STAFF)
def detail(referral_id: int):
    return render_detail(load_referral(referral_id))


def render_detail(referral: Referral, status: int = 200):
    user = me()
    owner_form = OwnerForm(formdata=None, lock_version=referral.lock_version)
    if user.role is Role.ADMIN:
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
        owner_form=owner_form if user.role is Role.ADMIN else None,
        follow_up_form=follow_up_form if ownership.can_follow_up(user, referral) else None,
        overdue=ownership.is_overdue(referral),
    ), status


@bp.route("/referrals/<int:referral_id>/move", methods=["GET", "POST"])
@allow(*STAFF)
def move(referral_id: int):
    """Confirm and make one move; closing moves need the confirmation box ticked."""
    referral = load_referral(referral_id)
    try:
        target = parse_status(request.args.get("to", ""))
    except ReferralError as exc:
        flash(str(exc), "error")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    form = TransitionForm(lock_version=referral.lock_version, to_status=target.value)
    if request.method == "GET":
        form.email_contact.data = True
    elif form.validate_on_submit():
        if target in CLOSING_MOVES and not form.confirm.data:
            form.confirm.errors = ["Tick this box to confirm: this cannot be undone."]
        else:
            done = _make_move(referral, target, form)
            if done is not None:
                return done
            referral = load_referral(referral_id)
    refused = refusal(referral, target, me())
    return render_template(
        "referrals/move.html",
        referral=referral,
        form=form,
        to_status=target,
        label=MOVE_LABELS.get(target, target.label),
        closing=target in CLOSING_MOVES,
        refused=refused,
    )


def _make_move(referral: Referral, target: ReferralStatus, form: TransitionForm):
    actor = me()
    try:
        services.transition(
            referral,
            target,
            actor,
            note=form.note.data,
            expected_version=form.lock_version.expected,
        )
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    except ReferralError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    db.session.commit()
    flash(f"{referral.kind.label} #{referral.id} is now {target.value}.", "success")
    _notify(referral, target, actor, email_contact=bool(form.email_contact.data))
    db.session.commit()
    return redirect(url_for("referrals.detail", referral_id=referral.id))


def _notify(referral: Referral, target: ReferralStatus, actor, *, email_contact: bool) -> None:
    if not notify.safely(notify.after_transition, referral, target, actor):
        flash("The change is saved, but the email about it could not be sent.", "warning")
    if target is ReferralStatus.INTRODUCED and email_contact:
        try:
            sent = notify.safely(notify.send_introduction, referral, actor)
        except ReferralError as exc:
            flash(str(exc), "warning")
        else:
            if sent:
                flash(f"The introduction was emailed to {referral.contact.name}.", "info")
            else:
                flash("The introduction email could not be sent; send it by hand.", "warning")


@bp.route("/referrals/<int:referral_id>/follow-up", methods=["POST"])
@allow(*STAFF)
def follow_up(referral_id: int):
    referral = load_referral(referral_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        for error in form.follow_up_on.errors or ["Your form expired; please try again."]:
            flash(f"Follow-up date not saved: {error}", "error")
        return render_detail(referral, status=400)
    try:
        ownership.set_follow_up(
            referral,
            form.follow_up_on.data,
            actor=me(),
            expected_version=form.lock_version.expected,
        )
    except ReferralError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            "Follow-up date saved." if form.follow_up_on.data else "Follow-up cleared.", "success"
        )
    return redirect(url_for("referrals.detail", referral_id=referral_id))


@bp.route("/admin/referrals/<int:referral_id>/owner", methods=["POST"])
@allow(Role.ADMIN)
def assign_owner(referral_id: int):
    referral = load_referral(referral_id)
    form = OwnerForm()
    people = ownership.staff_choices()
    form.set_options(people)
    if not form.validate_on_submit():
        flash("Choose an owner from the list.", "error")
        return render_detail(referral, status=400)
    owner = next((u for u in people if u.id == form.owner_id.data), None)
    try:
        ownership.assign_owner(
            referral, owner, actor=me(), expected_version=form.lock_version.expected
        )
    except ReferralError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Owner: {owner.name}." if owner else "Nobody owns it now.", "success")
    return redirect(url_for("referrals.detail", referral_id=referral_id))
