"""Where the PACT v3 standard's files are for the tests: `../shared/standards/pact-v3`
beside the repository (the spec's licence keeps them out of it). A git worktree kept
elsewhere names the folder with CARBONLABEL_SHARED_DIR; tests skip, saying so, without it."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("CARBONLABEL_SHARED_DIR") or REPO.parent / "shared")
PACT_V3 = SHARED / "standards" / "pact-v3"
OPENAPI = PACT_V3 / "openapi.yaml"
CONFORMANCE_CASES = PACT_V3 / "conformance" / "v3-test-cases-expected-results.md"
