"""A newcomer's first run: the app makes its own folders, and the system check says what to do."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_environment(monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "REPORTS_DIR", "OUTBOX_DIR", "MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)


def test_a_fresh_instance_folder_is_made_so_the_database_can_be_migrated_and_seeded(
    tmp_path, clean_environment
):
    instance = tmp_path / "clone" / "instance"  # git-ignored: a fresh clone has none
    app = create_app({"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8}, instance_path=str(instance))
    with app.app_context():
        upgrade()  # what `flask db upgrade` runs
        seeded = app.test_cli_runner().invoke(args=["seed-demo"])

    assert seeded.exit_code == 0, seeded.output
    assert (instance / "reports").is_dir() and (instance / "outbox").is_dir()
    engine = sa.create_engine(f"sqlite:///{instance / 'betteroff.sqlite3'}")
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM users")) > 0
    engine.dispose()


def test_folders_named_in_the_environment_are_made_too(tmp_path, clean_environment, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'db' / 'portal.sqlite3'}")
    monkeypatch.setenv("REPORTS_DIR", str(tmp_path / "shared" / "reports"))
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "mail" / "outbox"))

    create_app(instance_path=str(tmp_path / "instance"))

    for folder in ("data/db", "shared/reports", "mail/outbox", "instance"):
        assert (tmp_path / folder).is_dir(), folder


# --- scripts/system_packages.py --------------------------------------------------------------


def load_script():
    spec = importlib.util.spec_from_file_location(
        "system_packages", ROOT / "scripts" / "system_packages.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("system_packages", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def script(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    return load_script()


def fake(script, name, *, required, present, commands=("run", "test")):
    return script.Package(
        name,
        f"{name} is needed",
        commands,
        required,
        library=None,
        program=("python3",) if present else (f"no-such-program-{name}",),
    )


def test_the_readme_lists_every_package_the_check_knows(script):
    readme = (ROOT / "README.md").read_text()
    for package in script.PACKAGES:
        assert f"`{package.name}`" in readme, package.name


def test_a_missing_required_package_stops_with_the_exact_command(script, monkeypatch, capsys):
    monkeypatch.setenv("BETTEROFF_NO_SYSTEM_INSTALL", "1")
    packages = [
        fake(script, "libgood", required=True, present=True),
        fake(script, "libmissing0", required=True, present=False),
        fake(script, "nice-to-have", required=False, present=False),
    ]

    status = script.main(["run"], packages)

    err = capsys.readouterr().err
    assert status == 1
    assert "sudo apt-get install -y libmissing0 nice-to-have" in err
    assert "libgood" not in err


def test_a_missing_optional_package_is_only_a_warning(script, monkeypatch, capsys):
    monkeypatch.setenv("BETTEROFF_NO_SYSTEM_INSTALL", "1")
    packages = [fake(script, "browser", required=False, present=False, commands=("test",))]

    assert script.main(["test"], packages) == 0
    assert "browser is missing (optional)" in capsys.readouterr().err
    assert script.main(["run"], packages) == 0  # not checked for make run at all


def test_in_ci_the_test_commands_optional_packages_are_required(script, monkeypatch, capsys):
    monkeypatch.setenv("BETTEROFF_NO_SYSTEM_INSTALL", "1")
    monkeypatch.setenv("CI", "true")
    packages = [fake(script, "browser", required=False, present=False, commands=("test",))]

    assert script.main(["test"], packages) == 1
    assert "browser is missing (required)" in capsys.readouterr().err


def test_missing_packages_are_installed_when_the_machine_can(script, monkeypatch, capsys):
    monkeypatch.setattr(script, "installer", lambda no_install: ["apt-get"])
    installed = []
    packages = [fake(script, "libmissing0", required=True, present=False)]

    def install(prefix, names):
        installed.extend(names)
        return False  # apt-get failed: the command must still stop with the fix

    assert script.main(["run"], packages, install=install) == 1
    assert installed == ["libmissing0"]
    assert "apt-get failed" in capsys.readouterr().err


def test_this_machine_has_what_both_commands_require(script):
    # make test ran the check before this suite: nothing required may be missing now.
    for command in ("run", "test"):
        missing = [
            p.name for p in script.needed(command, ci=False) if p.required and not p.present()
        ]
        assert not missing, f"make {command} needs {missing}"
