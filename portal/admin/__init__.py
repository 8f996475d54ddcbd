from flask import Blueprint

from portal.models import Role
from portal.permissions import role_gate

bp = Blueprint("admin", __name__)
bp.before_request(role_gate(Role.ADMIN))

from portal.admin import routes  # noqa: E402,F401
