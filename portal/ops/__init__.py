"""Operations: health endpoints for load balancers, request logs, scale tooling."""

from flask import Flask

from portal.ops import requestlog
from portal.ops.routes import bp
from portal.ops.seed_scale import seed_scale_command


def register(app: Flask) -> None:
    """Health endpoints, one JSON log line per request, and `flask seed-scale`."""
    app.register_blueprint(bp)
    requestlog.register(app)
    app.cli.add_command(seed_scale_command)
