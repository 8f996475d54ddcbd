"""Who an API request is: the user of its bearer token, within the token's scopes.

Runs before the portal's sign-in rule, for API paths only: it sets Flask-Login's current
user to the token's user for this request (no session, no cookie), so every view, service
and permission predicate sees the same person as a page would. Session cookies are not
accepted here: a browser cannot be tricked into calling the API with someone's session."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_smorest import Blueprint as ApiBlueprint

from portal import audit, unit_of_work
from portal.api import tokens
from portal.api.problems import is_api_request, problem
from portal.extensions import limiter
from portal.models import ApiScope, ApiToken

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_RATE_LIMIT = "600 per minute"


def bearer() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


def changes_nothing(view):
    """Mark a POST view that only computes an answer (it needs the read scope alone)."""
    view.changes_nothing = True
    return view


def current_token() -> ApiToken | None:
    return g.get("api_token")


def authenticate():
    """Answer 401/403 as a problem, or let the request through as the token's user."""
    if not is_api_request() or request.endpoint is None:
        return None  # an unknown path: the 404 handler answers with a problem
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        return None
    secret = bearer()
    if secret is None:
        return problem(401, "Send an API token as `Authorization: Bearer <token>`.")
    token = tokens.find(secret)
    if token is None or not token.usable():
        return problem(401, "This API token is unknown, has expired or was revoked.")
    g.api_token = token  # from here on the use is audited, refused or not (record_use)
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    reads_only = request.method in READ_METHODS or getattr(handler, "changes_nothing", False)
    needed = ApiScope.READ if reads_only else ApiScope.WRITE
    if needed not in token.scope_set:
        return problem(403, f"This token lacks the “{needed.value}” scope.")
    if request.method in ("POST", "PATCH", "PUT"):
        refused = _json_body_problem()
        if refused is not None:
            return refused
    g._login_user = token.user  # Flask-Login's current user, for this request only
    return None


def _json_body_problem() -> Response | None:
    """Every write of this API takes a JSON object as its body (the document says so)."""
    if not request.is_json or not request.get_data(cache=True):
        return problem(
            415, "Send the request body as a JSON object, with Content-Type: application/json."
        )
    try:
        request.get_json(silent=False)
    except RecursionError:
        return problem(400, "The JSON body is nested too deeply.")
    except Exception:  # noqa: BLE001 - werkzeug's BadRequest, or a decoding error
        return problem(400, "The body is not valid JSON.")
    return None


def record_use(response: Response) -> Response:
    """Every request a token made is audited with its answer, also when it was refused or
    failed (the request's own changes were rolled back then: the record commits alone)."""
    token = current_token()
    if token is None:
        return response
    tokens.touch(token)
    audit.record(
        "api_request",
        token,
        actor=token.user,
        prefix=token.prefix,
        method=request.method,
        path=request.path[:200],
        status=response.status_code,
    )
    if unit_of_work.was_discarded() or response.status_code >= 500:
        unit_of_work.commit()  # the rolled-back request left nothing else in the session
    return response


def _rate_key() -> str:
    """Per token, by a digest of the whole secret sent (so nobody can spend another token's
    budget by sending its public prefix); per address for requests without one."""
    secret = bearer() or ""
    if tokens.TOKEN_PATTERN.match(secret):
        return f"api-token:{tokens.hash_token(secret)[:32]}"
    return f"api-anon:{request.remote_addr}"


def rate_limit(blueprint: ApiBlueprint | Blueprint) -> None:
    """One budget per token across the whole API (a shared limit, scope "api")."""
    limiter.shared_limit(_rate_limit_value, scope="api", key_func=_rate_key)(blueprint)


def _rate_limit_value() -> str:
    return current_app.config.get("API_RATE_LIMIT") or DEFAULT_RATE_LIMIT


def conditional(response: Response) -> Response:
    """API answers may be cached by the client, never shared; a GET answers with an ETag and
    304 Not Modified when If-None-Match has it."""
    if not is_api_request():
        return response
    response.headers["Cache-Control"] = "private, no-cache"
    if (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "application/json"
    ):
        response.add_etag()
        response.make_conditional(request)
    return response


def register(app: Flask) -> None:
    # Before the sign-in rule (portal/app.py registers that after the blueprints); the
    # after-request hook runs after the sign-in rule's (Flask runs them last-registered first).
    app.before_request(authenticate)
    app.after_request(record_use)  # runs after `conditional` (last registered runs first)
    app.after_request(conditional)
    view = app.view_functions.get("api-docs.openapi_json")
    if view is not None:  # a bound method of flask-smorest's Api: mark its function
        getattr(view, "__func__", view).is_public = True
