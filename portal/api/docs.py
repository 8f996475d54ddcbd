"""The browsable API reference at /api/v1/docs: Swagger UI reading /api/v1/openapi.json.

Swagger UI's files come from the flask-swagger-ui package (its `dist` folder) and are served
by this app; the page's one script is ours (static/js/api-docs.js), so the portal's Content
Security Policy holds, but for the inline styles Swagger UI sets on its elements."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, render_template, send_from_directory

from portal.permissions import public
from portal.security import CONTENT_SECURITY_POLICY

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")


@bp.route("")
@public
def index():
    response = render_template("api/docs.html")
    return (
        response,
        200,
        {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace(
                "style-src 'self'", "style-src 'self' 'unsafe-inline'"
            )
        },
    )


@bp.route("/assets/<name>")
@public
def asset(name: str):
    if name not in ASSETS:
        return ("", 404)
    return send_from_directory(SWAGGER_DIST, name, max_age=24 * 3600)
