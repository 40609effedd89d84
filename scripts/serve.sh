#!/usr/bin/env bash
# Set everything up, create the embedded database with demo data (once), then run the
# development server on http://127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/carbonlabel init
.venv/bin/carbonlabel demo --if-empty
echo "Demo accounts and API tokens: ${CARBONLABEL_INSTANCE:-instance}/demo-accounts.json"
exec .venv/bin/carbonlabel serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
