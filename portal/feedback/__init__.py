from flask import Blueprint

from portal.models import Role
from portal.permissions import role_gate

bp = Blueprint("feedback", __name__)
bp.before_request(role_gate(Role.ADMIN, Role.RECRUITER))

from portal.feedback import panel_routes, routes  # noqa: E402,F401
