#!/usr/bin/env bash
# Set up what the service needs to run (no test tools), create the embedded database with demo
# data (once), start a task-queue worker beside the development server on the embedded broker
# (a SQLite file in the instance folder: no Redis needed), then run the server on HOST:PORT
# (127.0.0.1:8000 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# The address people open and QR codes, certificates and `verify --online` point at: from
# HOST and PORT unless set. A server listening on every interface is opened via loopback.
case "$HOST" in
  0.0.0.0|::|"[::]") browse_host=127.0.0.1 ;;
  *:*) browse_host="[$HOST]" ;;
  *) browse_host="$HOST" ;;
esac
export CARBONLABEL_PUBLIC_URL="${CARBONLABEL_PUBLIC_URL:-http://$browse_host:$PORT}"
if [[ "${1:-}" == "--print-url" ]]; then  # what it would serve at, without setting anything up
  echo "$CARBONLABEL_PUBLIC_URL"
  exit 0
fi
# The local demo's issuer is an http address, which did:web does not allow: development
# mode, explicitly (a production service sets CARBONLABEL_PUBLIC_URL to its https address).
export CARBONLABEL_DEV=1
echo "DEVELOPMENT MODE (CARBONLABEL_DEV=1): the issuer is $CARBONLABEL_PUBLIC_URL; no outside verifier should accept it"
bash scripts/setup.sh --runtime
.venv/bin/carbonlabel init
.venv/bin/carbonlabel demo --if-empty
echo "Demo accounts and API tokens: ${CARBONLABEL_INSTANCE:-instance}/demo-accounts.json"
echo
echo "Open $CARBONLABEL_PUBLIC_URL/ in a browser (sign in with a demo account),"
echo "or verify a label at $CARBONLABEL_PUBLIC_URL/verify"
echo
.venv/bin/carbonlabel worker --beat --loglevel WARNING &
worker=$!
# the transparency log's sequencer: integrates approved labels within the merge delay (1 s)
.venv/bin/carbonlabel sequencer &  # its errors (e.g. a database outage, retried) stay visible
sequencer=$!
trap 'kill "$worker" "$sequencer" 2>/dev/null; wait "$worker" "$sequencer" 2>/dev/null' EXIT INT TERM
.venv/bin/carbonlabel serve --host "$HOST" --port "$PORT"
