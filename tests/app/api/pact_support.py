"""Where the PACT v3 standard's files are for the tests: `../shared/standards/pact-v3`
beside the repository (the spec's licence keeps them out of it). A git worktree kept
elsewhere names the folder with CARBONLABEL_SHARED_DIR; tests skip, saying so, without it."""

from __future__ import annotations

import json
import os
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("CARBONLABEL_SHARED_DIR") or REPO.parent / "shared")
PACT_V3 = SHARED / "standards" / "pact-v3"
OPENAPI = PACT_V3 / "openapi.yaml"
CONFORMANCE_CASES = PACT_V3 / "conformance" / "v3-test-cases-expected-results.md"


def answer_json(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    """What the tests' stand-in partner servers send: `body` as JSON (nothing for None)."""
    data = json.dumps(body).encode() if body is not None else b""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
