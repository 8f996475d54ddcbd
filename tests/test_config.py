import pytest

from portal import create_app
from portal.config import ConfigurationError, from_environment, normalise_database_url


@pytest.mark.parametrize(
    "key", [None, "", "short-key", "betteroff-development-key-not-for-production"]
)
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("BETTEROFF_ENV", "production")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_production_starts_with_a_long_random_key_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("BETTEROFF_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_defaults_are_embedded_sqlite_outbox_and_reports_in_the_instance_folder(tmp_path):
    cfg = from_environment(str(tmp_path), env={})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'betteroff.sqlite3'}"
    assert cfg["OUTBOX_DIR"] == str(tmp_path / "outbox")
    assert cfg["REPORTS_DIR"] == str(tmp_path / "reports")
    assert cfg["MAIL_SERVER"] is None and cfg["REDIS_URL"] is None


def test_settings_come_from_the_environment(tmp_path):
    cfg = from_environment(
        str(tmp_path),
        env={
            "DATABASE_URL": "postgresql://u:p@db/betteroff",
            "REDIS_URL": "redis://cache:6379/0",
            "MAIL_SERVER": "smtp.example.com",
            "MAIL_PORT": "2525",
            "MAIL_USE_TLS": "true",
            "REPORTS_DIR": "/srv/reports",
            "TRUSTED_PROXIES": "1",
        },
    )
    assert cfg["TRUSTED_PROXIES"] == 1
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/betteroff"
    assert cfg["REDIS_URL"] == "redis://cache:6379/0"
    assert (cfg["MAIL_SERVER"], cfg["MAIL_PORT"], cfg["MAIL_USE_TLS"]) == (
        "smtp.example.com",
        2525,
        True,
    )
    assert cfg["REPORTS_DIR"] == "/srv/reports"


def test_database_url_normalisation_leaves_other_engines_alone():
    assert normalise_database_url("postgres://a/b") == "postgresql+psycopg://a/b"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
