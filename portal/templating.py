"""Jinja filters and globals: readable dates and the navigation for each role."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_login import current_user

from portal.models import Role
from portal.permissions import can

NAVIGATION = {
    Role.ADMIN: [
        ("main.home", "Dashboard"),
        ("candidates.index", "Candidates"),
        ("interviews.index", "Interviews"),
        ("companies.index", "Companies"),
        ("referrals.board_list", "Referrals"),
        ("referrals.partners_index", "Partners"),
        ("admin.users", "Users"),
        ("admin.audit_log", "Audit"),
        ("admin.job_list", "Jobs"),
    ],
    Role.RECRUITER: [
        ("main.home", "Dashboard"),
        ("candidates.index", "Candidates"),
        ("interviews.index", "Interviews"),
        ("companies.index", "Companies"),
        ("referrals.mine", "Referrals"),
    ],
    Role.CANDIDATE: [
        ("main.home", "My feedback"),
    ],
}


def format_date(value: date | datetime | None, style: str = "medium") -> str:
    """Dates as people read them: 3 Mar 2026, or 3 Mar 2026, 14:05 for moments (UTC)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if style == "date":
            return f"{value.day} {value:%b %Y}"
        return f"{value.day} {value:%b %Y, %H:%M}"
    if style == "long":
        return f"{value.day} {value:%B %Y}"
    return f"{value.day} {value:%b %Y}"


def register(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_global(can, "can")

    @app.context_processor
    def navigation():
        # Mail is rendered outside requests too, where there is nobody signed in.
        if not getattr(current_user, "is_authenticated", False):
            return {"nav_items": []}
        return {"nav_items": NAVIGATION[current_user.role]}
