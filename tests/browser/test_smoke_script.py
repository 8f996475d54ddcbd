"""scripts/smoke.py, the check CI runs against `make run`, against a live portal.

No browser here: the script is a plain HTTP client with cookies, as CI uses it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke():
    spec = importlib.util.spec_from_file_location("smoke", ROOT / "scripts" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("smoke", module)
    spec.loader.exec_module(module)
    return module


def test_every_demo_login_in_the_readme_lands_on_its_page_and_the_report_names_maya(
    portal, smoke, capsys
):
    assert smoke.main([portal.url]) == 0

    out = capsys.readouterr().out
    logins, _ = smoke.demo_logins((ROOT / "README.md").read_text())
    assert {lg.role for lg in logins} == {"admin", "recruiter", "candidate"}
    for login in logins:
        assert f"signed in as {login.email} ({login.role})" in out
    assert "names Maya Chen" in out


def test_a_readme_whose_password_is_wrong_fails_the_smoke_test(portal, smoke, tmp_path, capsys):
    readme = (ROOT / "README.md").read_text().replace("**`betteroff-demo`**", "**`wrong-one`**")
    (tmp_path / "README.md").write_text(readme)

    assert smoke.main([portal.url, "--readme", str(tmp_path / "README.md")]) == 1
    assert "could not sign in" in capsys.readouterr().err


def test_a_portal_that_does_not_answer_fails_within_the_wait(smoke, capsys):
    assert smoke.main(["http://127.0.0.1:9", "--wait", "2"]) == 1
    assert "did not answer within 2 s" in capsys.readouterr().err
