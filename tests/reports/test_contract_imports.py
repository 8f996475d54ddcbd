"""The report contract stands alone: the renderer and its types load no database layer.

Run in a fresh interpreter, since this test process has long since imported everything.
"""

import json
import subprocess
import sys

import pytest

FORBIDDEN = ("sqlalchemy", "flask_sqlalchemy", "portal.models", "portal.extensions")


@pytest.mark.parametrize("module", ["portal.reports.types", "portal.reports.renderer"])
def test_the_report_contract_imports_no_database_layer(module):
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert module in loaded  # the probe really imported it
    leaked = [m for m in loaded if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)]
    assert leaked == [], f"{module} pulls in {leaked[:5]}"
