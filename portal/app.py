"""The application factory, made of small register_* steps."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import event, make_url
from werkzeug.routing import IntegerConverter

from portal import api, cache, cli, errors, ops, security, subscribers, templating, unit_of_work
from portal import config as settings
from portal.admin import bp as admin_bp
from portal.answers import bp as answers_bp
from portal.auth import bp as auth_bp
from portal.auth import sessions
from portal.candidate_portal import bp as candidate_portal_bp
from portal.candidates import bp as candidates_bp
from portal.companies import bp as companies_bp
from portal.exports import bp as exports_bp
from portal.extensions import cache as value_cache
from portal.extensions import csrf, db, limiter, login_manager, migrate
from portal.feedback import bp as feedback_bp
from portal.imports import bp as imports_bp
from portal.interviews import bp as interviews_bp
from portal.main import bp as main_bp
from portal.measure import bp as measure_bp
from portal.referrals import bp as referrals_bp
from portal.reports.routes import bp as reports_bp
from portal.scorecards.views import bp as scorecards_bp
from portal.webhooks import bp as webhooks_bp

ROOT = Path(__file__).resolve().parent.parent


class BoundedIntConverter(IntegerConverter):
    """Ids in URLs are positive and fit the database's integer (no overflow errors)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        "portal",  # the package, not this module: logger name and instance folder
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    app.url_map.converters["int"] = BoundedIntConverter
    app.jinja_environment = templating.GuardedEnvironment
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    settings.check_settings(app.config)
    make_folders(app)

    register_extensions(app)
    unit_of_work.register(app)
    subscribers.connect()
    register_blueprints(app)
    register_access_rule(app)
    errors.register(app)
    security.register(app)
    ops.register(app)
    cache.register(app)  # after the request log starts, so a cached page is logged too
    templating.register(app)
    cli.register(app)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return app


def make_folders(app: Flask) -> None:
    """Create the folders the app writes to, so a fresh clone (where the git-ignored instance
    folder does not exist yet) can migrate, seed and serve, and every `flask` command works."""
    folders = [app.instance_path, app.config["REPORTS_DIR"], app.config["OUTBOX_DIR"]]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folders.append(os.path.dirname(os.path.abspath(url.database)))
    for folder in folders:
        os.makedirs(folder, exist_ok=True)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", tune_sqlite)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    # The limiter goes first, so a flood is refused before any other work is done.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    csrf.init_app(app)
    if app.config.get("REDIS_URL"):
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 300)
    app.config.setdefault("CACHE_KEY_PREFIX", "betteroff:")
    value_cache.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(sessions.load)


def tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers work while one process writes (report builds run in parallel);
    synchronous=NORMAL is durable in WAL mode and makes commits much cheaper."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(candidates_bp, url_prefix="/candidates")
    app.register_blueprint(companies_bp, url_prefix="/companies")
    app.register_blueprint(interviews_bp, url_prefix="/interviews")
    app.register_blueprint(feedback_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(candidate_portal_bp)
    app.register_blueprint(scorecards_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(answers_bp)
    app.register_blueprint(measure_bp)
    api.register(app)


def register_access_rule(app: Flask) -> None:
    """Every route requires sign-in unless its view is marked @public."""

    @app.before_request
    def require_sign_in():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()

    @app.after_request
    def no_store_for_signed_in(response):
        # is_anonymous reads no column: after a commit it costs no statement to reload the user.
        if not current_user.is_anonymous:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response
