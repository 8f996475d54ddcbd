"""Operations: health endpoints for load balancers, request logs, scale tooling."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.ops import requestlog
from portal.ops.routes import bp
from portal.ops.seed_scale import seed_scale_command


def register(app: Flask) -> None:
    """Health endpoints, one JSON log line per request, and `flask seed-scale`."""
    app.register_blueprint(bp)
    requestlog.register(app)
    app.cli.add_command(seed_scale_command)
    trust_proxies(app, int(app.config.get("TRUSTED_PROXIES") or 0))


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, take the client's address and scheme from their
    X-Forwarded-For/-Proto headers: rate limits, audit origins and request logs then see the
    person, not the proxy. Off (0) unless configured: the headers are forgeable without one.
    """
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
