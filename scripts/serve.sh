#!/usr/bin/env bash
# Set everything up, create the embedded database with demo data (once), then run the
# development server on http://127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "$0")/.."
# The local demo's issuer is http://127.0.0.1:8000, which did:web does not allow: development
# mode, explicitly (a production service sets CARBONLABEL_PUBLIC_URL to its https address).
export CARBONLABEL_DEV=1
echo "DEVELOPMENT MODE (CARBONLABEL_DEV=1): the issuer is http://${HOST:-127.0.0.1}:${PORT:-8000}; no outside verifier should accept it"
export CARBONLABEL_PUBLIC_URL="${CARBONLABEL_PUBLIC_URL:-http://${HOST:-127.0.0.1}:${PORT:-8000}}"
bash scripts/setup.sh
.venv/bin/carbonlabel init
.venv/bin/carbonlabel demo --if-empty
echo "Demo accounts and API tokens: ${CARBONLABEL_INSTANCE:-instance}/demo-accounts.json"
exec .venv/bin/carbonlabel serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
