"""The candidate's say on released feedback: their answer, and the questions and corrections
the feedback's handler answers (the candidate's side is in portal/candidate_portal)."""

from flask import Blueprint

from portal.models import STAFF
from portal.permissions import role_gate

bp = Blueprint("answers", __name__)
bp.before_request(role_gate(*STAFF))

from portal.answers import routes  # noqa: E402,F401
