"""Fixtures: one database per test session, emptied after every test.

Set TEST_DATABASE_URL to run the suite on PostgreSQL (CI does both); otherwise a
SQLite file in a temporary folder is used.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from portal import create_app
from portal.config import normalise_database_url
from portal.extensions import db
from portal.models import Base
from tests import factories
from tests.webhook_receiver import webhook_receiver  # noqa: F401 - a fixture for every test file

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def is_postgres(url: str) -> bool:
    return url.startswith("postgres")


def base_config(tmp: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-with-enough-length-123456",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "OUTBOX_DIR": str(tmp / "outbox"),
        "REPORTS_DIR": str(tmp / "reports"),
        "IMPORTS_DIR": str(tmp / "imports"),
        "MAIL_SERVER": None,
        "REDIS_URL": None,
        "SERVER_NAME": None,
        # Releases render no PDFs unless a test asks (RENDER_REPORTS_ON_RELEASE=True): the
        # suite would spend most of its time in WeasyPrint otherwise.
        "RENDER_REPORTS_ON_RELEASE": False,
        # A template that loads from the database fails the test (portal/templating.py).
        "RAISE_ON_TEMPLATE_LOADS": True,
        # Cheap hashes keep the suite fast; production parameters are tested on their own.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    url = sa.engine.make_url(normalise_database_url(TEST_DATABASE_URL))
    if worker_id == "master":
        yield url.render_as_string(hide_password=False)
        return
    # Parallel workers (pytest -n) each get a database of their own next to the given one.
    worker_db = f"{url.database}_{worker_id}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{worker_db}"'))
    yield url.set(database=worker_db).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)'))
    admin.dispose()


RESTART_SEQUENCES = ""


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    global RESTART_SEQUENCES
    engine = sa.create_engine(database_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    if is_postgres(database_url):
        with engine.connect() as conn:
            names = conn.scalars(
                sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).all()
        RESTART_SEQUENCES = "; ".join(f'ALTER SEQUENCE "{n}" RESTART' for n in names)
    engine.dispose()
    yield


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh app context, as a real server would.

    Tests keep a context open for setting up data; without this, requests would share
    its `g` (and so the signed-in user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _bound_get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
    """Use the connection the session was configured with (the test's transaction) rather
    than the app's engine, which Flask-SQLAlchemy's get_bind would pick."""
    if bind is None and self.bind is not None:
        return self.bind
    return FlaskSession.get_bind(self, mapper=mapper, clause=clause, bind=bind, **kwargs)


@pytest.fixture
def make_app(_schema, database_url: str, tmp_path: Path, request: pytest.FixtureRequest):
    """Build an app on the shared test database with config overrides.

    On PostgreSQL every test runs inside one transaction that is rolled back at its end
    (each session and each commit becomes a savepoint of it), and the sequences restart
    inside it, so ids start at 1 as on an empty database. Tests whose data another process or
    connection must see are marked `real_commits` and cleaned by deleting rows instead, as
    every test is on SQLite (whose driver's savepoints are not reliable enough for this).
    """
    apps: list[Flask] = []
    isolated = (
        is_postgres(database_url)
        and not request.node.get_closest_marker("real_commits")
        # benchmarks/suite_isolation.py compares both ways in one run
        and os.environ.get("BETTEROFF_TEST_CLEANUP") != "delete"
    )
    outer: dict = {}

    def build(**overrides) -> Flask:
        app = create_app({**base_config(tmp_path, database_url), **overrides})
        app.test_client_class = IsolatedClient
        apps.append(app)
        same_database = app.config["SQLALCHEMY_DATABASE_URI"] == database_url
        if isolated and same_database and not outer:
            with app.app_context():
                connection = db.engine.connect()
                outer["transaction"] = connection.begin()
                connection.execute(sa.text(RESTART_SEQUENCES))
                outer["connection"] = connection
                db.session.remove()
                # The session factory's own class keeps the app's session event listeners.
                factory = db.session.session_factory
                outer["kw"] = dict(factory.kw)
                factory.class_.get_bind = _bound_get_bind
                factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        return app

    yield build
    if outer:
        with apps[0].app_context():
            db.session.remove()
            outer["transaction"].rollback()
            outer["connection"].close()
            factory = db.session.session_factory
            del factory.class_.get_bind
            factory.kw = outer["kw"]
    for app in apps:
        with app.app_context():
            db.session.remove()
            if not outer:
                factories.empty_database()
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    app = make_app()
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def outbox(app: Flask) -> factories.Outbox:
    return factories.Outbox(Path(app.config["OUTBOX_DIR"]))


@pytest.fixture
def admin(app):
    return factories.user(role="admin", email="admin@example.com", name="Ada Admin")


@pytest.fixture
def recruiter(app):
    return factories.user(role="recruiter", email="rec@example.com", name="Rita Recruiter")


@pytest.fixture
def other_recruiter(app):
    return factories.user(role="recruiter", email="rec2@example.com", name="Otto Other")


REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def redis_url(worker_id: str) -> str:
    """A Redis database of this test worker's own (numbers 4-15 by xdist worker), emptied
    first. Without Redis the test is skipped, except in CI, where it fails."""
    number = 4 + (int(worker_id[2:]) % 12 if worker_id.startswith("gw") else 0)
    url = f"{REDIS_BASE}/{number}"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({url})")
        pytest.skip(f"no Redis at {url}")
    redis.Redis.from_url(url).flushdb()
    return url


# --- a real SMTP server on 127.0.0.1 (aiosmtpd), for tests of mail that really travels -------


class Collector:
    def __init__(self):
        self.messages = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        self.received.set()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()
