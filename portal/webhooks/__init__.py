"""Signed webhooks: admins register receivers; events reach them after the commit, with
retries, a delivery log and manual redelivery (docs/webhooks.md)."""

from flask import Blueprint

from portal.models import Role
from portal.permissions import role_gate

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
bp.before_request(role_gate(Role.ADMIN))

from portal.webhooks import views  # noqa: E402,F401
