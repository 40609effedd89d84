"""Every `carbonlabel keys` subcommand through the command line: generate, rotate, list.
Labels signed before a rotation must still verify, with the retired key still published."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

REPO = Path(__file__).resolve().parents[2]
KEY_LINE = re.compile(r"^(key-\d{8}T\d{12}Z)\s+(active|retired \d{4}-\d{2}-\d{2})\s+(z6Mk\w+)$")


@pytest.fixture
def cli(runner, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CARBONLABEL_KEYS_DIR", raising=False)

    def run(*args):
        return runner.invoke(main, list(args))

    return run


def _active_id(output: str) -> str:
    match = re.search(r"active signing key (key-\S+);", output)
    assert match, output
    return match[1]


def _listed(cli) -> dict[str, str]:
    result = cli("keys", "list")
    assert result.exit_code == 0, result.output
    rows = [KEY_LINE.match(line) for line in result.stdout.splitlines()]
    assert rows and all(rows), result.stdout
    return {row[1]: row[2].split()[0] for row in rows}


def test_generate_then_refuse_a_second_then_rotate_and_list(cli, tmp_path):
    first = cli("keys", "generate")
    assert first.exit_code == 0, first.output
    first_id = _active_id(first.stdout)
    key_file = tmp_path / "keys" / f"{first_id}.pem"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"

    again = cli("keys", "generate")
    assert again.exit_code == 2 and "use rotate" in again.stderr
    assert "Traceback" not in again.output

    rotated = cli("keys", "rotate")
    assert rotated.exit_code == 0, rotated.output  # it used to commit, then crash with exit 1
    assert "Traceback" not in rotated.output
    second_id = _active_id(rotated.stdout)
    assert second_id != first_id and (tmp_path / "keys" / f"{second_id}.pem").exists()
    assert _listed(cli) == {first_id: "retired", second_id: "active"}


def test_labels_signed_before_a_rotation_still_verify(cli, brightway_dir):
    demo = cli("demo", "--json")
    assert demo.exit_code == 0, demo.output
    label_ids = json.loads(demo.stdout)["labels"]
    before = _listed(cli)
    (old_id,) = before
    assert before[old_id] == "active"

    rotated = cli("keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    new_id = _active_id(rotated.stdout)
    assert _listed(cli) == {old_id: "retired", new_id: "active"}

    from app import create_app

    client = create_app({"TESTING": True, "BRIGHTWAY_DIR": brightway_dir}).test_client()
    did = client.get("/.well-known/did.json").json
    assert {m["id"].split("#")[1] for m in did["verificationMethod"]} == {old_id, new_id}
    answer = client.get(f"/api/v1/labels/{label_ids['valid']}/verification").json
    assert answer["status"] == "valid" and answer["checks"]["signature"], answer
    credential = client.get(f"/api/v1/labels/{label_ids['valid']}/credential").json
    assert credential["proof"]["verificationMethod"].endswith("#" + old_id)


def test_python_dash_m_runs_the_service_commands(tmp_path):
    """`python -m app.cli keys ...` used to say "No such command 'keys'": the service commands
    were registered on the imported module's group, not on the one `-m` ran."""
    # the default public URL is http://127.0.0.1:8000: development mode, said explicitly
    env = {**os.environ, "CARBONLABEL_INSTANCE": str(tmp_path), "PYTHONPATH": str(REPO),
           "CARBONLABEL_DEV": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("CARBONLABEL_KEYS_DIR", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)

    generated = run("keys", "generate")
    assert generated.returncode == 0, generated.stderr
    rotated = run("keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    listed = run("keys", "list")
    assert listed.returncode == 0, listed.stderr
    statuses = [KEY_LINE.match(line)[2].split()[0] for line in listed.stdout.splitlines()]
    assert statuses == ["retired", "active"]
