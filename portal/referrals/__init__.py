"""Referrals and leads: partner directory, proposing, the pipeline, consent and the admin board."""

from flask import Blueprint

bp = Blueprint("referrals", __name__)

from portal.referrals import (  # noqa: E402,F401
    admin_routes,
    detail_routes,
    offer_routes,
    partner_routes,
    routes,
)
