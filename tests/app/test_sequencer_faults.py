"""kill -9 of a real sequencer process (`python -m app.cli sequencer`) at each point of a
batch loses nothing and appends nothing twice; a restarted sequencer integrates what was
left. The tree is checked as a third party would: every checkpoint with only the published
key, the root rebuilt from the served entries by an independent RFC 9162 MTH."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.app.api.test_checkpoints import independent_verify
from tests.app.api.test_verification_cache import _settled
from tests.app.test_sequencer import (  # noqa: F401
    approved_label,
    audit_trail,
    batched,
    heads,
    tree,
)
from tests.app.trust.test_merkle import ref_mth

REPO = Path(__file__).resolve().parents[2]
POINTS = ("read", "audit", "appended", "deleted", "committed")


def start(app, log: Path, stop_at: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "BRIGHTWAY_DIR": str(app.config["BRIGHTWAY_DIR"]),
           "CARBONLABEL_INSTANCE": str(app.config["INSTANCE_DIR"]),
           "CARBONLABEL_SECRET_KEY": app.config["SECRET_KEY"],
           "CARBONLABEL_KEYS_DIR": str(app.config["KEYS_DIR"]),
           "CARBONLABEL_PUBLIC_URL": app.config["PUBLIC_URL"],
           "CARBONLABEL_BROKER_URL": "memory://",
           "CARBONLABEL_LOG_SEQUENCER": "batched", "CARBONLABEL_LOG_MERGE_DELAY": "0.2"}
    env.pop("CARBONLABEL_SEQUENCER_STOP_AT", None)
    if stop_at:
        env["CARBONLABEL_SEQUENCER_STOP_AT"] = stop_at
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "app.cli", "sequencer"], cwd=REPO,
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def pending(app) -> int:
    from app.extensions import db
    from app.persistence import PendingLogEntry

    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(PendingLogEntry))
        finally:
            db.session.remove()


def check_every_checkpoint(client, size: int, entries: list[dict]) -> None:
    vkey = client.get("/.well-known/carbonlabel-log-key").get_data(as_text=True).splitlines()[0]
    for at in heads_served(client, size):
        note = client.get(f"/log/checkpoint/{at}").get_data(as_text=True)
        assert independent_verify(vkey, note)[1:] == (
            at, ref_mth(tuple(e["entry"].encode() for e in entries[:at])))


def heads_served(client, size: int) -> list[int]:
    return [n for n in range(1, size + 1)
            if client.get(f"/log/checkpoint/{n}").status_code == 200]


def test_kill_9_at_every_point_of_a_batch(batched, world, client, tmp_path):  # noqa: F811
    log = tmp_path / "sequencer.log"
    issued: list[str] = []
    for point in POINTS:
        labels = [approved_label(world) for _ in range(2)]
        size_before = tree(client)[0]
        heads_before = heads(batched)
        proc = start(batched, log, stop_at=point)
        try:
            wait_for(lambda p=point: f"stopped at {p}" in log.read_text("utf-8", "replace"),
                     f"the sequencer to reach {point}")
        finally:
            kill(proc)
        size, entries = tree(client)
        if point == "committed":  # the batch (every entry pending) committed whole
            assert size == len(issued) + 2 and pending(batched) == 0
            assert heads(batched) == [*heads_before, size]
        else:  # nothing of the batch exists; the entries still wait
            assert size == size_before and heads(batched) == heads_before
            assert pending(batched) == len(issued) + 2 - size_before
        # the approvals' deferred audit events: each chained or pending, never both
        chained, audit_pending, ok = audit_trail(batched)
        issued_events = [t for a, t in chained if a == "label.issued"]
        assert ok and issued_events == (issued + labels)[:len(issued_events)]
        assert len(issued_events) + audit_pending // 2 == len(issued) + 2
        issued += labels
        log.write_text("")

    proc = start(batched, log)  # restarted, no fault: integrates what is left
    try:
        wait_for(lambda: pending(batched) == 0, "the restarted sequencer to integrate")
        late = approved_label(world)  # and it keeps integrating while it runs
        wait_for(lambda: pending(batched) == 0, "a new approval to be integrated")
    finally:
        kill(proc, signal.SIGTERM)
    issued.append(late)
    size, entries = tree(client)
    assert [e["label_id"] for e in entries] == issued  # each once, in approval order
    assert [e["leaf_index"] for e in entries] == list(range(size))
    assert len({e["entry"] for e in entries}) == size
    sizes = heads(batched)
    assert sizes == sorted(set(sizes)) and sizes[-1] == size  # one checkpoint per size
    check_every_checkpoint(client, size, entries)
    _settled(batched)
    for label_id in issued:
        answer = client.get(f"/api/v1/labels/{label_id}/verification").json
        assert answer["status"] == "valid", (label_id, answer["reasons"])
    chained, audit_pending, ok = audit_trail(batched)
    assert ok and audit_pending == 0
    assert [t for a, t in chained if a == "label.issued"] == issued  # each once, in order


@pytest.mark.parametrize("kills", [3])
def test_kill_9_at_random_moments_of_a_large_batch(batched, world, client, tmp_path,  # noqa: F811
                                                   kills):
    """Killed at moments the code under test does not choose (start-up, an idle poll or
    inside the batch): after each kill every entry is in exactly one place."""
    labels = [approved_label(world) for _ in range(6)]
    log = tmp_path / "sequencer.log"
    for attempt in range(kills):
        proc = start(batched, log)
        time.sleep(0.3 + 0.4 * attempt)  # somewhere in start-up, the poll or the batch
        kill(proc)
        size, _ = tree(client)
        assert size + pending(batched) == len(labels)  # each entry in exactly one place
    proc = start(batched, log)
    try:
        wait_for(lambda: pending(batched) == 0, "the sequencer to integrate")
    finally:
        kill(proc, signal.SIGTERM)
    size, entries = tree(client)
    assert [e["label_id"] for e in entries] == labels
    check_every_checkpoint(client, size, entries)
    chained, audit_pending, ok = audit_trail(batched)
    assert ok and audit_pending == 0
    assert [t for a, t in chained if a == "label.issued"] == labels
