"""Jinja filters and globals: readable dates, the navigation for each role, permissions and
the scorecard's vocabulary; and the rule that templates trigger no database loads."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from flask import Flask, request
from flask.templating import Environment as FlaskEnvironment
from flask_login import current_user
from jinja2 import Template
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState

from portal.extensions import db
from portal.feedback import vocabulary
from portal.models import Decision, FeedbackKind, FeedbackState, ReferralKind, ReferralStatus, Role
from portal.permissions import can
from portal.referrals import vocabulary as referral_vocabulary

NAVIGATION = {
    Role.ADMIN: [
        ("main.home", "Dashboard"),
        ("measure.index", "Better off"),
        ("candidates.index", "Candidates"),
        ("interviews.index", "Interviews"),
        ("companies.index", "Companies"),
        ("scorecards.index", "Scorecards"),
        ("referrals.board_list", "Referrals"),
        ("referrals.partners_index", "Partners"),
        ("admin.users", "Users"),
        ("admin.audit_log", "Audit"),
        ("admin.job_list", "Jobs"),
        ("integrations.index", "Integrations"),
    ],
    Role.RECRUITER: [
        ("main.home", "Dashboard"),
        ("measure.index", "Better off"),
        ("candidates.index", "Candidates"),
        ("interviews.index", "Interviews"),
        ("companies.index", "Companies"),
        ("scorecards.index", "Scorecards"),
        ("referrals.mine", "Referrals"),
    ],
    Role.CANDIDATE: [
        ("main.home", "My feedback"),
    ],
}


# Blueprints whose pages sit under another menu item.
NAV_PARENTS = {
    "webhooks": "integrations.index",
    "imports": "integrations.index",
    "exports": "integrations.index",
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


class LoadInTemplate(RuntimeError):
    """A template read something its view did not load (a lazy relationship or column)."""


_rendering: ContextVar[bool] = ContextVar("rendering_template", default=False)


class GuardedTemplate(Template):
    """A page template that marks, while it renders, that no database load may happen.

    Mail (templates/emails/) is exempt: a service writes one message about one object, so
    reading a relationship there costs a query once, not once per row of a page."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if (self.name or "").startswith("emails/"):
            return super().render(*args, **kwargs)
        token = _rendering.set(True)
        try:
            return super().render(*args, **kwargs)
        finally:
            _rendering.reset(token)


class GuardedEnvironment(FlaskEnvironment):
    template_class = GuardedTemplate


def _refuse_loads_while_rendering(state: ORMExecuteState) -> None:
    if not _rendering.get():
        return
    if state.is_relationship_load or state.is_column_load:
        raise LoadInTemplate(
            "A template loaded from the database; load it in the view instead (an eager "
            f"load option): {str(state.statement)[:300]}"
        )


def guard_template_loads(app: Flask) -> None:
    """With RAISE_ON_TEMPLATE_LOADS (the test suite sets it), a relationship or column that
    a template would load lazily raises LoadInTemplate instead of costing a query per row:
    views load what a page shows, templates only show it."""
    if not app.config.get("RAISE_ON_TEMPLATE_LOADS"):
        return
    if not event.contains(db.session, "do_orm_execute", _refuse_loads_while_rendering):
        event.listen(db.session, "do_orm_execute", _refuse_loads_while_rendering)


def register(app: Flask) -> None:
    guard_template_loads(app)
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_weight, "weight")
    app.add_template_global(can, "can")
    app.add_template_global(vocabulary, "scorecard")
    app.add_template_global(referral_vocabulary, "referral_words")
    # States and kinds as members, so templates compare with the enums, never with strings.
    for enum_cls in (Decision, FeedbackKind, FeedbackState, ReferralStatus, ReferralKind, Role):
        app.add_template_global(enum_cls, enum_cls.__name__)

    @app.context_processor
    def navigation():
        # Mail is rendered outside requests too, where there is nobody signed in.
        if not getattr(current_user, "is_authenticated", False):
            return {"nav_items": []}
        return {
            "nav_items": NAVIGATION[current_user.role],
            "nav_parent": NAV_PARENTS.get(request.blueprint or ""),
        }


def format_weight(value: float | int | None) -> str:
    """A weight as people write it: 1, 1.5, 0.25 (never 1.0)."""
    if value is None:
        return "1"
    return f"{float(value):g}"
