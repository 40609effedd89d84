"""The service commands of carbonlabel: init, demo, orgs, users, tokens, audit."""

from __future__ import annotations

import json
import sqlite3

import pytest
from alembic.script import ScriptDirectory

from app.cli import main
from app.persistence.migrate import MIGRATIONS, alembic_config


@pytest.fixture
def cli(runner, monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def run(*args, input=None):
        return runner.invoke(main, list(args), input=input)

    return run


def test_init_creates_instance_and_schema(cli, tmp_path):
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "carbonlabel.sqlite").exists()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head == f"{len(list(MIGRATIONS.glob('versions/0*.py'))):04d}"  # one chain, no gap
    assert cli("db", "upgrade").output.strip() == f"database at revision {head}"


def test_demo_json_gives_accounts_and_a_token_per_role(cli, tmp_path):
    result = cli("demo", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["tokens"]) == {"exporter", "certifier", "admin"}
    assert all(t.startswith("clt_") for t in data["tokens"].values())
    assert len(data["products"]) == 7
    assert all(p["kg_co2e_per_declared_unit"] > 0 for p in data["products"])
    assert oct((tmp_path / "demo-accounts.json").stat().st_mode & 0o777) == "0o600"
    assert set(data["labels"]) == {"valid", "revoked", "suspended", "superseded",
                                   "superseding"}
    assert data["pact_client"]["client_id"].startswith("pact-")
    assert len(data["pact_client"]["client_secret"]) >= 32
    again = cli("demo")
    assert again.exit_code == 2 and "exists already" in again.stderr
    assert cli("demo", "--if-empty").exit_code == 0


def test_demo_tokens_work_against_the_api(cli, tmp_path, brightway_dir, monkeypatch):
    data = json.loads(cli("demo", "--json").stdout)
    from app import create_app

    app = create_app({"TESTING": True, "BRIGHTWAY_DIR": brightway_dir})
    client = app.test_client()
    products = client.get("/api/v1/products", headers={
        "Authorization": f"Bearer {data['tokens']['exporter']}"}).json
    assert len(products["items"]) == 7 and products["next"] is None
    bodies = client.get("/api/v1/certification-bodies", headers={
        "Authorization": f"Bearer {data['tokens']['certifier']}"}).json
    assert bodies[0]["accreditation_body"] == "DEMO"
    statuses = {kind: client.get(f"/api/v1/labels/{label_id}/verification").json["status"]
                for kind, label_id in data["labels"].items()}
    assert statuses == {"valid": "valid", "revoked": "revoked", "suspended": "suspended",
                        "superseded": "superseded", "superseding": "valid"}
    page = client.get(f"/verify/{data['labels']['valid']}")
    assert page.status_code == 200 and "有效" in page.text
    page = client.get(f"/verify/{data['labels']['valid']}?lang=en")
    assert page.status_code == 200 and "Valid" in page.text and "有效" not in page.text


def test_orgs_users_tokens_and_audit(cli, tmp_path):
    cli("init")
    org = cli("orgs", "create", "--kind", "exporter", "--name", "Acme", "--country", "CN",
              "--subdivision", "CN-GD")
    assert org.exit_code == 0, org.output
    org_id = org.stdout.strip()
    user = cli("users", "create", "--email", "a@acme.example", "--name", "A", "--role",
               "exporter", "--org", org_id, input="long enough password\n" * 2)
    assert user.exit_code == 0, user.output
    assert "a@acme.example" in cli("users", "list").stdout
    token = cli("tokens", "create", "a@acme.example", "--name", "ci", "--scope", "read")
    assert token.exit_code == 0 and "clt_" in token.stdout
    token_id = token.stdout.split()[0]
    assert cli("tokens", "revoke", token_id).exit_code == 0
    role = cli("users", "set-role", "a@acme.example", "admin", "--reason", "promotion")
    assert role.exit_code == 0
    kept = cli("tokens", "create", "a@acme.example", "--name", "ci2", "--scope", "read")
    password = cli("users", "set-password", "a@acme.example",
                   input="another long password\n" * 2)
    assert password.exit_code == 0, password.output
    with sqlite3.connect(tmp_path / "carbonlabel.sqlite") as conn:
        revoked, epoch = conn.execute(
            "SELECT t.revoked_at, u.session_epoch FROM api_tokens t JOIN users u "
            "ON u.id = t.user_id WHERE t.id = ?", (kept.stdout.split()[0],)).fetchone()
    assert revoked is not None and epoch == 2  # role change, then password change
    bad = cli("users", "create", "--email", "b@acme.example", "--name", "B", "--role",
              "certifier", "--org", org_id, input="long enough password\n" * 2)
    assert bad.exit_code == 2 and "certification_body" in bad.stderr

    assert cli("audit", "verify").exit_code == 0
    with sqlite3.connect(tmp_path / "carbonlabel.sqlite") as conn:
        conn.execute("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2")
    broken = cli("audit", "verify")
    assert broken.exit_code == 1 and "entry 2" in broken.stderr
