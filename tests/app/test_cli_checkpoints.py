"""The CLI remembers the last checkpoint it saw per log and, online, demands that the log's
new checkpoint extends it: a log showing another history under the same origin and key (a
fork), a rolled-back log or a tampered consistency proof is reported loudly (exit 3) and the
remembered checkpoint is kept."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app import cli_verify
from app.cli import main
from app.trust import checkpoint, log_check
from app.trust.checkpoint import Checkpoint
from app.trust.note import NoteError
from tests.app.api.test_labels import issue

BASE = "https://labels.test"


@pytest.fixture
def online(client, monkeypatch):
    """The CLI's fetches answered by the test app; `tamper` may rewrite an answer."""
    tamper: dict = {}

    def fetch(url: str):
        assert url.startswith(BASE), url
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200, (url, response.json)
        body = response.json
        for fragment, change in tamper.items():
            if fragment in url:
                body = change(copy.deepcopy(body))
        return body

    monkeypatch.setattr(cli_verify, "fetch_json", fetch)
    return tamper


def run(runner, tmp_path: Path, credential: dict):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    return runner.invoke(main, ["verify", str(path), "--online",
                                "--state-dir", str(tmp_path / "state")])


def remembered(tmp_path: Path) -> Checkpoint:
    store = log_check.CheckpointStore(tmp_path / "state")
    return checkpoint.unverified(store.get("labels.test/log"))


def signed_by_the_log(app, size: int, root: bytes) -> str:
    """A checkpoint of another history, signed with the log's own key (what a second
    database behind the same origin and key would serve)."""
    from app.extensions import db
    from app.services import keys

    with app.app_context():
        key = keys.active_key(db.session)
        private = keys.load_private(app.config["KEYS_DIR"], key)
    return checkpoint.sign(Checkpoint("labels.test/log", size, root), private)


def test_checkpoints_are_remembered_and_extended(world, runner, tmp_path, online):
    _, credential = issue(world)
    result = run(runner, tmp_path, credential)
    assert result.exit_code == 0, result.output
    assert "first checkpoint seen for labels.test/log (size 1)" in result.output
    assert remembered(tmp_path).size == 1
    issue(world)
    result = run(runner, tmp_path, credential)
    assert result.exit_code == 0, result.output
    assert "size 2 extends the remembered size 1 (consistency proof)" in result.output
    assert remembered(tmp_path).size == 2
    assert (tmp_path / "state" / "checkpoints.json").stat().st_mode & 0o077 == 0


def test_a_forked_log_is_reported_and_not_remembered(world, runner, tmp_path, online, app):
    _, credential = issue(world)
    fork = signed_by_the_log(app, 1, bytes(32))
    log_check.CheckpointStore(tmp_path / "state").put("labels.test/log", fork)
    issue(world)  # the real log moves on to size 2 from its own first tree
    result = run(runner, tmp_path, credential)
    assert result.exit_code == 3
    assert "LOG INCONSISTENT" in result.output and "rewritten or forked" in result.output
    assert log_check.CheckpointStore(tmp_path / "state").get("labels.test/log") == fork


def test_two_trees_of_one_size_are_a_fork(world, runner, tmp_path, online, app):
    _, credential = issue(world)
    fork = signed_by_the_log(app, 1, bytes(32))
    log_check.CheckpointStore(tmp_path / "state").put("labels.test/log", fork)
    result = run(runner, tmp_path, credential)
    assert result.exit_code == 3 and "two different trees of size 1" in result.output


def test_a_rolled_back_log_is_reported(world, runner, tmp_path, online, app):
    _, credential = issue(world)
    log_check.CheckpointStore(tmp_path / "state").put(
        "labels.test/log", signed_by_the_log(app, 9, bytes(32)))
    result = run(runner, tmp_path, credential)
    assert result.exit_code == 3 and "fewer than the 9" in result.output
    assert remembered(tmp_path).size == 9


def test_a_tampered_consistency_proof_is_reported(world, runner, tmp_path, online):
    _, credential = issue(world)
    assert run(runner, tmp_path, credential).exit_code == 0
    issue(world)
    online["/log/proof/consistency"] = lambda body: {**body, "consistency": [
        "00" * 32 for _ in body["consistency"]]}
    result = run(runner, tmp_path, credential)
    assert result.exit_code == 3 and "cannot prove" in result.output
    assert remembered(tmp_path).size == 1


def test_a_checkpoint_not_signed_by_the_issuer_is_not_remembered(world, runner, tmp_path,
                                                                  online):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, credential = issue(world)
    forged = checkpoint.sign(Checkpoint("labels.test/log", 1, bytes(32)),
                             Ed25519PrivateKey.generate())
    online["/log/sth"] = lambda body: {**body, "checkpoint": forged}
    result = run(runner, tmp_path, credential)
    assert result.exit_code == 1 and "NOT VERIFIED" in result.output
    store = log_check.CheckpointStore(tmp_path / "state")
    assert store.get("labels.test/log") is None
    did = world["admin"].client.get("/.well-known/did.json").json
    with pytest.raises(NoteError, match="no signature by a known key"):
        log_check.remember(did, forged, store, lambda first, second: [])
    assert store.get("labels.test/log") is None


def test_an_offline_receipt_is_compared_with_the_remembered_checkpoint(world, client, runner,
                                                                       tmp_path, app):
    label, _ = issue(world)
    found = client.get(f"/api/v1/labels/{label['id']}/receipt").json
    (tmp_path / "r.json").write_text(json.dumps(found))
    log_check.CheckpointStore(tmp_path / "state").put(
        "labels.test/log", signed_by_the_log(app, 1, bytes(32)))
    result = runner.invoke(main, ["verify", str(tmp_path / "r.json"),
                                  "--state-dir", str(tmp_path / "state")])
    assert result.exit_code == 1 and "showed a different tree of size 1" in result.output


def test_the_state_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CARBONLABEL_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert log_check.state_dir() == tmp_path / "xdg" / "carbonlabel"
    monkeypatch.setenv("CARBONLABEL_STATE_DIR", str(tmp_path / "own"))
    assert log_check.state_dir() == tmp_path / "own"
    assert log_check.state_dir(tmp_path / "opt") == tmp_path / "opt"
    monkeypatch.delenv("CARBONLABEL_STATE_DIR")
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert log_check.state_dir() == tmp_path / "home" / ".local" / "state" / "carbonlabel"


def test_db_upgrade_signs_heads_from_before_checkpoints(runner, monkeypatch, tmp_path,
                                                        brightway_dir):
    """An instance migrated from before revision 0010: its heads get checkpoints."""
    import sqlite3

    from app import create_app
    from tests.app.api.test_checkpoints import independent_verify

    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert runner.invoke(main, ["demo"]).exit_code == 0
    with sqlite3.connect(tmp_path / "carbonlabel.sqlite") as conn:
        heads = conn.execute("SELECT count(*) FROM tree_heads").fetchone()[0]
        # one head per batch: an approval that supersedes appends two leaves under one head
        sizes = conn.execute("SELECT min(size), max(size) FROM tree_heads").fetchone()
        conn.execute("UPDATE tree_heads SET checkpoint = NULL")
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"signed {heads} earlier tree heads as checkpoints of 127.0.0.1:8000/log" \
        in result.output
    client = create_app({"TESTING": True, "BRIGHTWAY_DIR": brightway_dir}).test_client()
    vkey = client.get("/.well-known/carbonlabel-log-key").get_data(as_text=True).split()[0]
    for size in sizes:
        served = client.get(f"/log/checkpoint/{size}").get_data(as_text=True)
        assert independent_verify(vkey, served)[1] == size
    assert "signed" not in runner.invoke(main, ["db", "upgrade"]).output  # nothing left
