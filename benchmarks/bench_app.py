"""The portal as benchmarks/load.py serves it: wsgi.py's app with rate limiting switched off.

Every request of a load test comes from 127.0.0.1, so the per-address sign-in limit (ten a
minute) would answer the sign-in workload with 429s instead of measuring it. The one route
added here measures the floor of any signed-in page; nothing else differs from
`gunicorn wsgi:app`.
"""

from flask_login import current_user

from portal import create_app

app = create_app({"RATELIMIT_ENABLED": False})


@app.get("/bench/signed-in")
def signed_in_floor() -> str:
    """What every signed-in page does before its own work: the session's user, loaded and
    checked (one statement), the request log and the security headers; no template."""
    return f"signed in as user {current_user.id}"
