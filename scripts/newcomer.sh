#!/usr/bin/env bash
# The newcomer's first run, as CI proves it on every landing (and anyone can run it):
#   clone the commit under test into an empty folder (no .venv, no instance/, no node_modules),
#   run `make run` there exactly as the README says on a free port, in the background,
#   wait (bounded) for it to answer, run scripts/smoke.py against it over plain HTTP,
#   and stop the server; then once more on the same clone (make run is safe to re-run).
#   On failure, print the tail of the server's log and exit 1.
#
#   scripts/newcomer.sh [commit]        (default: HEAD)
#   NEWCOMER_WAIT=900                   seconds make run may take to serve (set-up included)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=${1:-HEAD}
wait_s=${NEWCOMER_WAIT:-900}
work=$(mktemp -d)
log="$work/make-run.log"
server=""

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM -- "-$server" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$server" 2>/dev/null || true
  fi
  server=""
}

stop() {
  stop_server
  rm -rf "$work"
}
fail() {
  echo "newcomer: FAILED: $*" >&2
  echo "---- last 60 lines of make run's log ----" >&2
  tail -n 60 "$log" >&2 || true
  exit 1
}
trap stop EXIT

git clone -q --no-local "$repo" "$work/clone"
git -C "$work/clone" checkout -q --detach "$(git -C "$repo" rev-parse "$commit")"
echo "newcomer: fresh clone of $(git -C "$work/clone" rev-parse --short HEAD) in $work/clone"

serve_and_smoke() {  # $1: which run, for the messages
  begun=$SECONDS
  # In a session of its own, so stopping it stops make, flask and everything they started.
  setsid make run PORT="$port" >"$log" 2>&1 </dev/null &
  server=$!
  # Bounded wait: until the sign-in page answers, make run dies, or the time is up.
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/sign-in" 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { wait "$server" || true; fail "$1 make run exited before serving"; }
    [ $((SECONDS - begun)) -lt "$wait_s" ] || fail "$1 make run did not serve within $wait_s s"
    sleep 2
  done
  echo "newcomer: $1 make run served http://127.0.0.1:$port after $((SECONDS - begun)) s"
  .venv/bin/python scripts/smoke.py "http://127.0.0.1:$port" || fail "the smoke test failed ($1 run)"
  stop_server
}

cd "$work/clone"
serve_and_smoke first
serve_and_smoke second
echo "newcomer: passed"
