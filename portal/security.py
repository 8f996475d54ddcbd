"""HTTP security headers on every response, and the append-only rule for the audit log."""

from __future__ import annotations

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import AuditEvent

# No inline scripts or styles anywhere: templates use classes, charts use SVG attributes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event through the ORM."""


def register(app: Flask) -> None:
    if not event.contains(db.session, "before_flush", _refuse_audit_changes):
        event.listen(db.session, "before_flush", _refuse_audit_changes)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def _refuse_audit_changes(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("Audit events are never changed or deleted by the app.")
