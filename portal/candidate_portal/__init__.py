from flask import Blueprint

from portal.models import Role
from portal.permissions import role_gate

bp = Blueprint("candidate_portal", __name__)
bp.before_request(role_gate(Role.CANDIDATE))

from portal.candidate_portal import routes  # noqa: E402,F401
