"""Shared fixtures. Brightway's data directory is a per-run temp folder, set before anything
imports bw2data (which would otherwise create projects in the user's home)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_BW_DIR = Path(tempfile.mkdtemp(prefix="carbonlabel-test-bw-"))
os.environ["BRIGHTWAY_DIR"] = str(_BW_DIR)
os.environ["BRIGHTWAY2_DIR"] = str(_BW_DIR)
# Tests written before batched sequencing expect a label's log entry right after approval:
# by default they append inline (in the approval's transaction). tests/app/test_sequencer.py
# (and the `batched_log` fixture) run the real pending path with the sequencer.
os.environ.setdefault("CARBONLABEL_LOG_SEQUENCER", "inline")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "models"


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_BW_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def brightway_dir() -> Path:
    return _BW_DIR


@pytest.fixture(scope="session")
def release():
    from lca_models.factors import load_release

    return load_release()


@pytest.fixture(scope="session")
def compute(release, brightway_dir):
    """compute(model_or_dict, **kwargs) against the shipped release and the test directory."""
    from lca_models.calculation import compute_footprint
    from lca_models.inventory_schema import load_model

    def run(model, **kwargs):
        if isinstance(model, dict):
            model = load_model(model)
        kwargs.setdefault("release", release)
        return compute_footprint(model, brightway_dir=brightway_dir, **kwargs)

    return run
