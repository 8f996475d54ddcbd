"""Admin pages for API tokens, under /admin/integrations (the hub links webhooks, imports,
exports and the API reference)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import func, select
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.api import tokens
from portal.extensions import db
from portal.forms import Form, IdSelectField, Required, choices
from portal.models import STAFF, ApiScope, ApiToken, Role, User, WebhookEndpoint
from portal.permissions import can_manage_api_tokens, load, me, require, role_gate
from portal.unit_of_work import attempt

bp = Blueprint("integrations", __name__, url_prefix="/admin/integrations")
bp.before_request(role_gate(Role.ADMIN))

ACCESS = choices([("read", "Read only"), ("write", "Read and write")])


class ApiTokenForm(Form):
    user_id = IdSelectField(
        "Acts as",
        validators=[Required("Choose whose rights the token has.")],
        description="The token sees and changes exactly what this person may.",
    )
    name = StringField(
        "Name",
        validators=[DataRequired("Say what will use the token."), Length(max=80)],
        description="For example: Greenhouse sync.",
    )
    access = SelectField("Access", choices=ACCESS, default="read")
    source = StringField(
        "Source system",
        default="api",
        validators=[DataRequired("Name the system, e.g. greenhouse."), Length(max=40)],
        description="Whose ids `external_id` holds for what this token creates.",
    )
    expires_in_days = IntegerField(
        "Expires after (days)",
        default=365,
        validators=[
            Optional(),
            NumberRange(1, tokens.MAX_LIFETIME_DAYS, "Use 1 to 3650 days, or leave it blank."),
        ],
        description="Blank: never (revoke it when it is no longer needed).",
    )
    submit = SubmitField("Create token")


@bp.route("")
def index():
    require(can_manage_api_tokens(me()))
    endpoints = db.session.scalar(select(func.count(WebhookEndpoint.id)))
    return render_template("api/integrations.html", tokens=tokens.all_tokens(), endpoints=endpoints)


@bp.route("/api-tokens/new", methods=["GET", "POST"])
def new_token():
    require(can_manage_api_tokens(me()))
    form = ApiTokenForm()
    staff = db.session.scalars(
        select(User).where(User.role.in_(STAFF), User.active).order_by(User.name)
    ).all()
    form.user_id.choices = choices([(str(u.id), f"{u.name} ({u.role.label})") for u in staff])
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = db.session.get(User, form.user_id.data)
            if user is None:
                raise tokens.TokenError("Choose a person from the list.", field="user_id")
            scopes = {ApiScope.READ} | ({ApiScope.WRITE} if form.access.data == "write" else set())
            token, secret = tokens.create_token(
                user,
                name=form.name.data,
                scopes=scopes,
                expires_in_days=form.expires_in_days.data,
                source=form.source.data,
                actor=me(),
            )
        if not outcome.refused:
            # Shown on this response only: never stored, never in a redirect or a flash.
            return render_template("api/token_created.html", token=token, secret=secret)
    return render_template("api/new_token.html", form=form)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    token = load(ApiToken, token_id, can_manage_api_tokens)
    with attempt() as outcome:
        tokens.revoke(token, actor=me())
    if not outcome.refused:
        flash(f"Token {token.prefix} was revoked; requests with it are now refused.", "success")
    return redirect(url_for("integrations.index"))
