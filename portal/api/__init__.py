"""The JSON API under /api/v1, described by OpenAPI 3.1 at /api/v1/openapi.json.

Built with flask-smorest: marshmallow schemas validate requests and shape responses, and the
same schemas generate the spec, so the document cannot drift from the code. Every request
carries an API token (`Authorization: Bearer …`, portal/api/auth.py) and acts as the token's
user, through the same portal/permissions.py predicates as the pages. Errors are Problem
Details (RFC 9457, portal/api/problems.py). Lists page by cursor (portal/api/paging.py)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from flask_smorest.spec import prepare_response

from portal.api.problems import PROBLEM_TYPE

API_PREFIX = "/api/v1"


class ProblemApi(Api):
    """flask-smorest's Api with Problem Details for errors; the portal's own error handlers
    (portal/errors.py) answer API paths with them, so none is registered app-wide here."""

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        import http

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = "application/json"
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


api = ProblemApi()


def register(app: Flask) -> None:
    from portal.api import admin, auth, docs, resources
    from portal.api.schemas import ProblemSchema
    from portal.extensions import csrf

    app.config.setdefault("API_TITLE", "BetterOff API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "Connect BetterOff to an applicant tracking system: push candidates, "
                    "companies, positions and interviews (idempotent by `external_id`), read "
                    "scorecard status, released feedback, referrals and reports, and move "
                    "referrals. Send an API token as `Authorization: Bearer <token>`."
                )
            },
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "bo_…"}
                }
            },
            "security": [{"bearerAuth": []}],
            "servers": [{"url": "/"}],
        },
    )
    api.ERROR_SCHEMA = ProblemSchema
    api.init_app(app)
    for blueprint in resources.BLUEPRINTS:
        csrf.exempt(blueprint)
        auth.rate_limit(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    app.register_blueprint(admin.bp)
    auth.register(app)
