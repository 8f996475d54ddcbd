"""CSV exports for admins: candidates, interviews, scorecard status (portal/exports/queries.py)."""

from flask import Blueprint

from portal.models import Role
from portal.permissions import role_gate

bp = Blueprint("exports", __name__, url_prefix="/admin/exports")
bp.before_request(role_gate(Role.ADMIN))

from portal.exports import routes  # noqa: E402,F401
