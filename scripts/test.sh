#!/usr/bin/env bash
# Set everything up, then run the linter and the test suite; then the date- and time-sensitive
# tests (marked `timezone`) again with the process in three zones, so that nothing depends on
# the server's zone (UTC+8 is where most of our users are). Those runs use SQLite only; the
# main run covers PostgreSQL. Extra arguments go to every run (pytest's, not mypy's).
# mypy checks the files and with the settings of pyproject.toml's [tool.mypy].
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
for zone in Asia/Hong_Kong America/Los_Angeles UTC; do
  echo "== timezone-marked tests under TZ=$zone =="
  status=0
  TZ=$zone CARBONLABEL_TEST_PG=skip .venv/bin/python -m pytest -m timezone "$@" || status=$?
  # 5: the arguments selected no timezone-marked test, which is not a failure
  if [[ $status -ne 0 && $status -ne 5 ]]; then
    exit "$status"
  fi
done
