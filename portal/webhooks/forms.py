"""The shape of the webhook pages' input; the rules themselves are in services.py."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from portal.forms import Form, choices
from portal.models import WebhookEvent
from portal.webhooks.services import DESCRIPTION_LIMIT, URL_LIMIT, url_problem

EVENT_CHOICES = choices((e.value, e.label) for e in WebhookEvent)


class ReceiverUrl:
    """The URL rules of the service, said next to the field before anything is tried."""

    def __call__(self, form: Any, field: Any) -> None:
        problem = url_problem(field.data or "")
        if problem:
            raise StopValidation(problem)


class AtLeastOne:
    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            raise StopValidation("Choose at least one event.")


class EndpointForm(Form):
    url = StringField(
        "Receiver URL",
        validators=[
            DataRequired("Enter the URL that should receive the events."),
            Length(max=URL_LIMIT, message=f"Keep the URL under {URL_LIMIT} characters."),
            ReceiverUrl(),
        ],
        description="An http:// or https:// address that answers a POST with a 2xx status.",
    )
    description = StringField(
        "Description",
        validators=[
            Optional(),
            Length(max=DESCRIPTION_LIMIT, message=f"Keep it under {DESCRIPTION_LIMIT} characters."),
        ],
        description="Which system this is, so the next admin knows (e.g. “Greenhouse sync”).",
    )
    events = SelectMultipleField("Events", choices=EVENT_CHOICES, validators=[AtLeastOne()])
    active = BooleanField("Active: send events to this URL", default=True)
    submit = SubmitField("Save endpoint")


class DeleteEndpointForm(Form):
    confirm = BooleanField(
        "Yes, delete this endpoint and its delivery log",
        validators=[DataRequired("Tick the box to confirm the deletion.")],
    )
    submit = SubmitField("Delete endpoint")
