"""Settings from the environment.

Everything has an embedded default (SQLite in the instance folder, inline jobs,
mail written to an outbox folder) so the portal runs with no configuration at
all; production switches engines by setting variables only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "betteroff-development-key-not-for-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The environment asks for something the portal refuses to run with."""


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at psycopg 3, the driver the project ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read the portal's settings from environment variables."""
    env = os.environ if env is None else env
    instance = Path(instance_path)
    mode = env.get("BETTEROFF_ENV", "development")
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'betteroff.sqlite3'}"
    return {
        "ENV_NAME": mode,
        "SECRET_KEY": env.get("SECRET_KEY") or (None if mode == "production" else DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "REPORTS_DIR": env.get("REPORTS_DIR") or str(instance / "reports"),
        "OUTBOX_DIR": env.get("OUTBOX_DIR") or str(instance / "outbox"),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER")
        or "BetterOff <no-reply@betteroff.local>",
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT") or 10),
        "BASE_URL": env.get("BASE_URL") or None,
        "SESSION_COOKIE_SECURE": mode == "production" or _bool(env.get("SESSION_COOKIE_SECURE")),
        "INVITATION_MAX_AGE": int(env.get("INVITATION_MAX_AGE") or 7 * 24 * 3600),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE") or 3600),
        "REFERRAL_EXPIRY_DAYS": int(env.get("REFERRAL_EXPIRY_DAYS") or 60),
        # Sessions end after this long without a request, or this long after sign-in;
        # "keep me signed in" sessions last REMEMBER_ME_DAYS (portal/auth/sessions.py).
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES") or 120),
        "SESSION_LIFETIME_HOURS": int(env.get("SESSION_LIFETIME_HOURS") or 12),
        "REMEMBER_ME_DAYS": int(env.get("REMEMBER_ME_DAYS") or 30),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
        # The daily digest: a scorecard is overdue this long after the interview's end; with
        # Redis, the RQ scheduler sends the digest at this hour (UTC).
        "REMINDER_AFTER_HOURS": int(env.get("REMINDER_AFTER_HOURS") or 24),
        "REMINDER_HOUR": int(env.get("REMINDER_HOUR") or 8) % 24,
        # The domain in calendar invitations' UIDs (keep it once invitations are out).
        "CALENDAR_DOMAIN": env.get("CALENDAR_DOMAIN") or "betteroff.local",
        # Requests per API token (flask-limiter's notation), shared by the whole API.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT") or "600 per minute",
        # CSV imports (portal/imports): the largest file taken, where uploads wait (deleted
        # once imported, or after a day if never imported). See docs/csv-import.md.
        "IMPORT_MAX_BYTES": int(env.get("IMPORT_MAX_BYTES") or 20 * 1024 * 1024),
        "IMPORTS_DIR": env.get("IMPORTS_DIR") or str(instance / "imports"),
        # Webhooks (portal/webhooks): each attempt waits this long for an answer; a failed
        # one is tried again after BASE, 2xBASE, 4xBASE ... seconds (at most an hour apart),
        # MAX_ATTEMPTS times in all; after a secret's rotation the old one signs too this long.
        "WEBHOOK_TIMEOUT_SECONDS": float(env.get("WEBHOOK_TIMEOUT_SECONDS") or 10),
        "WEBHOOK_MAX_ATTEMPTS": int(env.get("WEBHOOK_MAX_ATTEMPTS") or 6),
        "WEBHOOK_RETRY_BASE_SECONDS": int(env.get("WEBHOOK_RETRY_BASE_SECONDS") or 30),
        "WEBHOOK_ROTATION_GRACE_HOURS": int(env.get("WEBHOOK_ROTATION_GRACE_HOURS") or 24),
        # The candidate's say (docs/better-off.md): answers change, and threads open, until
        # this many days after the release or the latest amendment; a reply to a question or
        # correction is due this many working days after the candidate wrote (weekends and
        # the public holidays of this `holidays` calendar, COUNTRY or COUNTRY-SUBDIVISION,
        # skipped; blank for weekends only); the measure hides groups smaller than this.
        "ANSWER_WINDOW_DAYS": int(env.get("ANSWER_WINDOW_DAYS") or 30),
        "THREAD_REPLY_WORKING_DAYS": int(env.get("THREAD_REPLY_WORKING_DAYS") or 2),
        "WORKING_DAYS_CALENDAR": env.get("WORKING_DAYS_CALENDAR", "GB-ENG").strip(),
        "MEASURE_MIN_GROUP": max(2, int(env.get("MEASURE_MIN_GROUP") or 5)),
        # Caches keyed by version stamps (portal/cache.py, docs/scale.md "Caching"): the
        # session check from a remembered snapshot, and whole pages kept per process (at most
        # CACHE_PAGES_MAX_MB each). Both are on; "0" turns one off (to compare, or to rule
        # it out while looking into a problem).
        "CACHE_SESSIONS": _bool(env.get("CACHE_SESSIONS"), default=True),
        "CACHE_PAGES": _bool(env.get("CACHE_PAGES"), default=True),
        "CACHE_PAGES_MAX_MB": max(1, int(env.get("CACHE_PAGES_MAX_MB") or 64)),
    }


DEFAULTS: dict[str, Any] = {
    # hide_parameters: a failed statement is logged without its values (candidates' words).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Render a candidate's reports as soon as feedback is released (a worker does it with
    # Redis), so their first download is instant. Off, reports render on first download.
    "RENDER_REPORTS_ON_RELEASE": True,
    # OWASP's argon2id recommendation: 19 MiB, two passes, one lane.
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_COST": 19 * 1024,
    "ARGON2_PARALLELISM": 1,
}


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse to start on settings that would fail later, on a person's request."""
    import holidays

    name = config.get("WORKING_DAYS_CALENDAR") or ""
    if name:
        country, _, subdivision = name.partition("-")
        supported = holidays.list_supported_countries()
        if country not in supported or (subdivision and subdivision not in supported[country]):
            raise ConfigurationError(
                f"WORKING_DAYS_CALENDAR={name!r} is not a calendar the holidays library knows: "
                "use a country code, optionally with a subdivision (GB-ENG, US-NY, DE-BY), or "
                "leave it blank to skip weekends only."
            )
    check_production_ready(config)


def check_production_ready(config: Mapping[str, Any]) -> None:
    """Refuse to run in production on a missing, placeholder or short secret key."""
    if config.get("ENV_NAME") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            "BETTEROFF_ENV=production needs SECRET_KEY set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
