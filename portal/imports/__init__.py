"""CSV import of candidates and interviews (admins): see portal/imports/services.py and
docs/csv-import.md."""

from flask import Blueprint

from portal.models import Role
from portal.permissions import role_gate

bp = Blueprint("imports", __name__, url_prefix="/admin")
bp.before_request(role_gate(Role.ADMIN))

from portal.imports import routes  # noqa: E402,F401
