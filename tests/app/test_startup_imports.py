"""The web app starts without the heavy libraries only some requests need (pandas, pint,
openpyxl, jsonschema, numpy, scipy): they are imported on first use, so create_app() and the first
response stay fast. Checked in a fresh interpreter, where nothing is imported yet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "pint", "openpyxl", "jsonschema", "numpy", "scipy")

SCRIPT = f"""
import json, sys
from app import create_app
app = create_app({{"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                   "SECRET_KEY": "startup-test", "INSTANCE_DIR": sys.argv[1],
                   "PUBLIC_URL": "https://labels.test"}})
at_start = [m for m in {HEAVY!r} if m in sys.modules]
status = app.test_client().get("/api/v1/health").status_code
after_first = [m for m in {HEAVY!r} if m in sys.modules]
print(json.dumps({{"at_start": at_start, "after_first": after_first, "status": status}}))
"""


def test_create_app_and_first_response_import_no_heavy_library(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "BRIGHTWAY_DIR": str(tmp_path / "bw")})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] in (200, 503)  # answered, whatever the database state
    assert seen["at_start"] == [] and seen["after_first"] == []
