"""The portal as benchmarks/load.py serves it: wsgi.py's app with rate limiting switched off.

Every request of a load test comes from 127.0.0.1, so the per-address sign-in limit (ten a
minute) would answer the sign-in workload with 429s instead of measuring it. Nothing else
differs from `gunicorn wsgi:app`.
"""

from portal import create_app

app = create_app({"RATELIMIT_ENABLED": False})
