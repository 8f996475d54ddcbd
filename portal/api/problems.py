"""Errors as Problem Details (RFC 9457): `application/problem+json` with type, title, status,
detail and instance, and, for a request the API could not accept, the problems per field."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request

PROBLEM_TYPE = "application/problem+json"
# Problem types this API defines; others are "about:blank" (the HTTP status says it all).
TYPES = {
    422: "validation-error",
    409: "conflict",
    412: "precondition-failed",
    429: "rate-limited",
}
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "The request could not be accepted",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
}


def is_api_request() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/")


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"/api/v1/problems/{TYPES[status]}" if status in TYPES else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="BetterOff API"'
    return response
