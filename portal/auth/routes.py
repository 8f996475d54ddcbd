from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import audit
from portal.auth import bp, services, sessions
from portal.auth.forms import (
    ChangePasswordForm,
    DigestForm,
    ForgotPasswordForm,
    SetPasswordForm,
    SignInForm,
    SignOutEverywhereForm,
)
from portal.extensions import limiter
from portal.permissions import me, public, require
from portal.tokens import TokenError
from portal.unit_of_work import attempt

SIGN_IN_LIMIT = "10 per minute;50 per hour"


def safe_next(target: str | None) -> str | None:
    """Follow `next` only to a path on this site (no scheme, no host, no backslash tricks)."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _sign_in_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"sign-in:{email}"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"], key_func=_sign_in_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)  # audited either way
        if user is None:
            form.password.errors.append("That email and password do not match an active account.")
        else:
            sessions.sign_in(user, remember=form.remember.data)  # a fresh session every time
            return redirect(safe_next(form.next.data) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def logout():
    user = me()
    audit.record("sign_out", user)
    sessions.sign_out(user)
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            "If an account exists for that address, a reset link is on its way. "
            "It works for one hour.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset(token)
    except TokenError as exc:
        return render_template("auth/link_problem.html", message=str(exc)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            services.set_password(user, form.password.data)
        if not outcome.refused:
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, title="Choose a new password")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def accept_invitation(token: str):
    try:
        candidate = services.candidate_for_invitation(token)
    except TokenError as exc:
        return render_template("auth/link_problem.html", message=str(exc)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = services.accept_invitation(candidate, form.password.data)
            sessions.sign_in(user)
        if not outcome.refused:
            flash(
                "Welcome to BetterOff. Your feedback appears here once it is released.", "success"
            )
            return redirect(url_for("main.home"))
    return render_template(
        "auth/set_password.html",
        form=form,
        title=f"Welcome, {candidate.name}",
        intro="Choose a password to open your feedback portal.",
    )


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            services.change_password(me(), form.current.data, form.password.data)
            sessions.sign_in(me())  # every other session ended with the old password
        if not outcome.refused:
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account")
def account():
    """The signed-in person's account: who they are, and where they are signed in."""
    user = me()
    return render_template(
        "auth/account.html",
        user=user,
        open_sessions=sessions.open_sessions(user),
        this_session=sessions.current_session_hash(user),
        form=SignOutEverywhereForm(),
        digest=DigestForm(digest_enabled=user.digest_enabled),
    )


@bp.route("/account/digest", methods=["POST"])
def digest():
    """Turn the daily reminder digest on or off (staff only: candidates get none)."""
    user = me()
    require(user.is_staff)
    form = DigestForm()
    if form.validate_on_submit():
        user.digest_enabled = form.digest_enabled.data
        audit.record("digest_changed", user, actor=user, enabled=user.digest_enabled)
        flash("Daily digest " + ("on." if user.digest_enabled else "off."), "success")
    else:
        flash("Your form expired; please try again.", "error")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/end-all", methods=["POST"])
def sign_out_everywhere():
    """End every session of this account, this one included, on every device."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        flash("Your form expired; please try again.", "error")
        return redirect(url_for("auth.account"))
    user = me()
    sessions.end_all(user)
    audit.record("signed_out_everywhere", user, actor=user)
    sessions.sign_out(user)
    flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"))
