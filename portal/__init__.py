"""BetterOff, a recruiter-side interview feedback portal.

`create_app` (portal/app.py) builds the Flask application. It is looked up on first use, so
importing one part of the package — the PDF renderer and its plain report types, say — does
not load the whole application with its database layer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from portal.app import create_app

        return create_app
    raise AttributeError(f"module 'portal' has no attribute {name!r}")
