#!/usr/bin/env bash
# Fuzz the JSON API with schemathesis against the served OpenAPI document (README, "API").
#
# A fresh SQLite database with the demo data, an admin token with read and write scopes, the
# portal served by gunicorn on a free port; then schemathesis runs every operation with
# valid and invalid inputs and checks: no server error, every response as the spec says
# (status, content type, headers, body schema), and no request the spec forbids accepted.
# Not checked: that every request the spec allows is accepted (positive_data_acceptance) —
# rules no schema can state refuse some (an email address another candidate has, an interview
# for an erased candidate, a referral move the pipeline does not allow), with a 4xx problem.
# Bounded: FUZZ_EXAMPLES cases per operation (default 40) and FUZZ_SECONDS in all (default
# 900). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
EXAMPLES=${FUZZ_EXAMPLES:-40}
SECONDS_MAX=${FUZZ_SECONDS:-900}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export BETTEROFF_ENV=development FLASK_APP=wsgi.py
export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3" REPORTS_DIR="$WORK/reports" OUTBOX_DIR="$WORK/outbox"
export API_RATE_LIMIT="100000 per minute"
unset REDIS_URL
$BIN/flask db upgrade >/dev/null 2>&1
$BIN/flask templates seed >/dev/null 2>&1
$BIN/flask seed-demo >/dev/null 2>&1
TOKEN=$($BIN/flask api-token create --email admin@example.com --scope read --scope write \
  --source fuzz --name "schemathesis" 2>/dev/null | tail -1)
PORT=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN/gunicorn --bind "127.0.0.1:$PORT" --workers 2 --threads 2 --timeout 60 --limit-request-line 8190 \
  --error-logfile "$WORK/gunicorn.log" 'wsgi:app' >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null 2>&1 && break
  sleep 0.5
done
start=$(date +%s)
status=0
timeout "$SECONDS_MAX" $BIN/schemathesis run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --mode all \
  --max-examples "$EXAMPLES" \
  --phases examples,coverage,fuzzing \
  --seed "${FUZZ_SEED:-20261202}" \
  --generation-deterministic \
  --no-color "$@" || status=$?
echo "schemathesis finished in $(( $(date +%s) - start )) s with exit code $status"
if grep -q "Traceback\|Unhandled error" "$WORK/gunicorn.log" 2>/dev/null; then
  echo "The server logged errors:"; grep -A20 "Unhandled error" "$WORK/gunicorn.log" | head -60
  status=1
fi
exit "$status"
