"""gunicorn settings for BetterOff: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers: every request is short (a report render runs in an RQ worker when REDIS_URL
is set), and sync workers keep one database connection each, with no thread-safety surprises.
Each value can be changed by an environment variable, so one file serves every host.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

# Listen address: GUNICORN_BIND ("127.0.0.1:8000", "unix:/run/betteroff/web.sock"), else PORT.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"

# (2 x cores) + 1: while one worker waits on PostgreSQL another uses the core.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# Recycle each worker after about fifty thousand requests, jittered by up to five thousand so
# they do not all restart at once: a slow leak in a library never becomes an outage. A restart
# also empties the worker's kept pages and sessions (portal/cache.py), so not much more often:
# at 5,000 ± 1,000 a host serving cached pages at 1,000 requests a second recycled a worker every
# few seconds, and each started cold. (At 1,000 ± 100 the five workers of a busy host restarted
# within seconds of each other, each taking a second or two to import the portal.)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 50000)
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER") or 5000)

# No preload_app: each worker imports the app itself, so `systemctl reload` (HUP) starts workers
# with the new code while the old ones finish their requests. Recycling is rare enough (above)
# that a worker's second or two of start-up does not matter.

# A request that takes longer than this is killed and logged. Without Redis a report renders
# inside the request (a few seconds), so keep well above that.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5  # behind a proxy that reuses connections

# Access log on stdout (journald under systemd), with the time taken and the request id the app
# returns, so a line here can be joined to the app's own JSON request log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)

# Trust X-Forwarded-Proto only from the local reverse proxy (set to its address otherwise).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The worker heartbeat file on a memory file system: a slow disk cannot stall workers.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own heartbeat files, not our data
if Path(SHARED_MEMORY).is_dir():
    worker_tmp_dir = SHARED_MEMORY

# gunicorn 27's control socket lives in $HOME, which the systemd unit makes read-only; the
# portal is managed with signals (HUP reloads, TERM stops), so it is not needed.
control_socket_disable = True
# The API's list queries (cursors, external ids in any script) percent-encode to long lines;
# 8190 is gunicorn's largest request line.
limit_request_line = 8190
