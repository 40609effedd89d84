#!/usr/bin/env bash
# Prepare a fresh machine: system packages (if missing), a virtual environment in .venv and
# the project. Safe to run again; it only installs what is missing.
#   setup.sh            runtime and test packages, the project with its test extra (tests, CI)
#   setup.sh --runtime  only what the service needs to run (scripts/serve.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

lists=(scripts/system-packages.txt)
extra=".[test]"
if [[ "${1:-}" == "--runtime" ]]; then
  extra="."
else
  lists+=(scripts/system-packages-test.txt)
fi

packages=()
for list in "${lists[@]}"; do
  while read -r pkg _; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg -s "$pkg" >/dev/null 2>&1 || packages+=("$pkg")
  done < "$list"
done
if ((${#packages[@]})); then
  echo "installing system packages: ${packages[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  # recommends would pull in a desktop's worth of packages (and a systemd upgrade) for chromium
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${packages[@]}"
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e "$extra"
# the documents' reduced Chinese faces (built from the installed Noto Sans CJK into the user's
# cache folder, not git; skipped when already built; the service would build them on first use)
.venv/bin/python -m app.services.doc_fonts
