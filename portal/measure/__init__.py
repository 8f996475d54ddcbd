"""The "Better off" measure: did candidates leave better off, per recruiter, team and position."""

from flask import Blueprint

from portal.models import STAFF
from portal.permissions import role_gate

bp = Blueprint("measure", __name__)
bp.before_request(role_gate(*STAFF))

from portal.measure import routes  # noqa: E402,F401
