#!/usr/bin/env bash
# Set everything up, then run the service on http://127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/carbonlabel serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
