"""The admin pages of webhooks: endpoints, their secrets, their delivery logs.

Admins only: the blueprint's role gate, then `can_manage_webhooks` on every object loaded.
A secret is shown in full once, in the answer to the POST that made it (never kept in the
session cookie or put in a URL); every later page shows its first characters only.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from portal.paging import paginate
from portal.permissions import can_manage_webhooks, load, me, require
from portal.unit_of_work import attempt
from portal.webhooks import bp, services
from portal.webhooks import delivery as sending
from portal.webhooks.forms import DeleteEndpointForm, EndpointForm

EVENT_LABELS = {e.value: e.label for e in WebhookEvent} | {services.TEST_EVENT: "Test event"}
PER_PAGE = 25


@bp.context_processor
def shared() -> dict:
    return {"event_labels": EVENT_LABELS, "secret_hint": services.secret_hint}


@bp.route("/")
def index():
    require(can_manage_webhooks(me()))
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    newest = (
        select(func.max(WebhookDelivery.id))
        .where(WebhookDelivery.endpoint_id.in_([e.id for e in endpoints]))
        .group_by(WebhookDelivery.endpoint_id)
    )
    last = {
        d.endpoint_id: d
        for d in db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(newest)))
    }
    return render_template("webhooks/index.html", endpoints=endpoints, last=last)


@bp.route("/new", methods=["GET", "POST"])
def new():
    require(can_manage_webhooks(me()))
    form = EndpointForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            endpoint = services.create_endpoint(
                url=form.url.data,
                description=form.description.data,
                events=form.events.data,
                active=form.active.data,
                actor=me(),
            )
        if not outcome.refused:
            return _show_secret(endpoint, endpoint.secret, created=True)
    return render_template("webhooks/form.html", form=form, endpoint=None)


@bp.route("/<int:endpoint_id>")
def endpoint(endpoint_id: int):
    found = load(WebhookEndpoint, endpoint_id, can_manage_webhooks)
    page = paginate(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == found.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
        per_page=PER_PAGE,
    )
    in_grace = len(sending.signing_secrets(found)) > 1
    return render_template("webhooks/endpoint.html", endpoint=found, page=page, in_grace=in_grace)


@bp.route("/<int:endpoint_id>/edit", methods=["GET", "POST"])
def edit(endpoint_id: int):
    found = load(WebhookEndpoint, endpoint_id, can_manage_webhooks)
    form = EndpointForm(obj=found)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            services.update_endpoint(
                found,
                url=form.url.data,
                description=form.description.data,
                events=form.events.data,
                active=form.active.data,
                actor=me(),
            )
        if not outcome.refused:
            flash("Endpoint saved.", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))
    return render_template("webhooks/form.html", form=form, endpoint=found)


@bp.route("/<int:endpoint_id>/rotate", methods=["POST"])
def rotate(endpoint_id: int):
    found = load(WebhookEndpoint, endpoint_id, can_manage_webhooks)
    secret = services.rotate_secret(found, actor=me())
    return _show_secret(found, secret, created=False)


@bp.route("/<int:endpoint_id>/delete", methods=["GET", "POST"])
def delete(endpoint_id: int):
    found = load(WebhookEndpoint, endpoint_id, can_manage_webhooks)
    form = DeleteEndpointForm()
    if form.validate_on_submit():
        services.delete_endpoint(found, actor=me())
        flash("Endpoint deleted; nothing more is sent to it.", "success")
        return redirect(url_for("webhooks.index"))
    return render_template("webhooks/delete.html", form=form, endpoint=found)


@bp.route("/<int:endpoint_id>/test", methods=["POST"])
def send_test(endpoint_id: int):
    found = load(WebhookEndpoint, endpoint_id, can_manage_webhooks)
    with attempt() as outcome:
        services.send_test(found, actor=me())
    if not outcome.refused:
        flash("A test event is on its way; the log below shows how it went.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))


@bp.route("/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
def redeliver(delivery_id: int):
    delivery = load(
        WebhookDelivery, delivery_id, can_manage_webhooks, joinedload(WebhookDelivery.endpoint)
    )
    with attempt() as outcome:
        services.redeliver(delivery, actor=me())
    if not outcome.refused:
        flash("Redelivery queued; the log shows how it went.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=delivery.endpoint_id))


def _show_secret(endpoint: WebhookEndpoint, secret: str, *, created: bool):
    return render_template(
        "webhooks/secret.html", endpoint=endpoint, secret=secret, created=created
    )
