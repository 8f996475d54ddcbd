"""Error pages in the portal's style. Showing one discards the request's unit of work: an
error page never commits what the request had begun."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.api.problems import is_api_request, problem
from portal.unit_of_work import discard

MESSAGES = {
    400: (
        "Something in that request was not right",
        "Go back, check what you entered, and try again.",
    ),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("This is not yours to see", "Your account does not have access to this page."),
    404: ("We could not find that page", "The link may be old, or the item was removed."),
    405: ("That action is not available here", "Use the buttons on the page instead."),
    413: ("That was too large", "Send less text or a smaller file, then try again."),
    429: ("Too many attempts", "Please wait a minute before you try again."),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Try again in a moment.",
    ),
}


def render_error(code: int, detail: str | None = None):
    """The portal's error page (or JSON for API clients), never a stack trace."""
    title, hint = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "detail": detail or hint}, code
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def api_problem(exc: HTTPException):
    """An HTTP error on an API path, as Problem Details; validation errors carry their
    messages by field (webargs puts them under "messages", by location)."""
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors")
    messages = data.get("messages")
    if messages and not errors:
        errors = {}
        for by_field in messages.values():  # location -> field -> messages
            errors.update(by_field if isinstance(by_field, dict) else {"_schema": by_field})
    detail = data.get("message") or (exc.description if exc.code != 404 else None)
    if exc.code == 422 and messages and not data.get("message"):
        detail = "Some fields were not accepted; see errors."
    code = exc.code or 500
    headers = {k: v for k, v in (exc.get_headers() or []) if k.lower() == "retry-after"}
    if code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return problem(
        code, detail if detail and len(detail) < 300 else None, errors=errors, headers=headers
    )


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError):
        discard()
        return render_error(
            400,
            "This form has expired or did not come from this site. Go back, reload the page and "
            "submit it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        discard()
        if is_api_request():
            return api_problem(exc)
        if exc.code == 401:
            return render_error(401)
        detail = exc.description if exc.code == 400 and exc.description else None
        return render_error(exc.code or 500, detail if detail and len(detail) < 200 else None)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        discard()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return problem(500, "Something went wrong on our side; nothing was changed.")
        return render_error(500)
