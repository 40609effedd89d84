"""Service fixtures. Every database test runs on SQLite, and again on PostgreSQL when one is
reachable (CARBONLABEL_TEST_PG, default the local server): a fresh database per run, created
with the Alembic migrations and dropped at the end; tables are emptied between tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app import create_app

PG_ADMIN_DSN = os.environ.get("CARBONLABEL_TEST_PG",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
def _pg_reachable() -> bool:
    if PG_ADMIN_DSN == "skip":  # scripts/test.sh's extra time-zone runs: SQLite only
        return False
    try:
        engine = create_engine(PG_ADMIN_DSN, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


PG_OK = _pg_reachable()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    from app.persistence.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        upgrade(url)
        yield url
        return
    if not PG_OK:
        pytest.skip("PostgreSQL turned off (CARBONLABEL_TEST_PG=skip)" if PG_ADMIN_DSN == "skip"
                    else "no PostgreSQL reachable")
    name = f"carbonlabel_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_DSN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(database_url, tmp_path, brightway_dir):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "INSTANCE_DIR": tmp_path, "SECRET_KEY": "test-secret",
                      "BRIGHTWAY_DIR": brightway_dir, "KEYS_DIR": tmp_path / "keys",
                      "PUBLIC_URL": "https://labels.test",
                      # tasks run in the request that publishes them (unit level); the fault
                      # tests in tests/app/queue start real workers on a real broker
                      "TASKS_EAGER": True, "BROKER_URL": "memory://"})
    yield app
    empty_tables(app)


def empty_tables(app) -> None:
    """Leave the session's database as migrated: the next test starts from nothing.

    Every mapped table, children first: a hand-kept list went stale whenever a migration
    added a table, and the next test in the session saw its rows."""
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(monkeypatch, tmp_path, brightway_dir):
    from click.testing import CliRunner

    monkeypatch.setenv("CARBONLABEL_INSTANCE", str(tmp_path))
    # the CLI's default public URL is http://127.0.0.1:8000, allowed in development only
    monkeypatch.setenv("CARBONLABEL_DEV", "1")
    monkeypatch.setenv("BRIGHTWAY_DIR", str(brightway_dir))
    return CliRunner()


@dataclass
class Actor:
    """A user with an API token, calling the API through the test client."""

    client: Any
    token: str
    user_id: str
    org_id: str | None
    role: str
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, url: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url, **kw):
        return self.call("GET", url, **kw)

    def post(self, url, **kw):
        return self.call("POST", url, **kw)

    def put(self, url, **kw):
        return self.call("PUT", url, **kw)

    def delete(self, url, **kw):
        return self.call("DELETE", url, **kw)


@pytest.fixture
def world(app, client):
    """Two exporters, two certification bodies (one accredited for steel and aluminium, one
    for textiles only), a certifier at each, an admin; each with an API token."""
    from app.services import accounts, transaction

    with app.app_context(), transaction() as session:
        def org(**data):
            return accounts.create_organisation(session, None, {
                "country": "CN", "subdivision": None, "identifier": None, "address": None,
                "accreditation_body": None, "accreditation_number": None,
                "accreditation_standard": None, "accreditation_scope": [],
                "accredited_from": None, "accredited_to": None, **data})

        exp_a = org(kind="exporter", name="Exporter A", subdivision="CN-GD")
        exp_b = org(kind="exporter", name="Exporter B", country="HK")
        body = dict(kind="certification_body", accreditation_body="TEST",
                    accreditation_number="T-1", accreditation_standard="ISO 14065:2020",
                    accredited_from=date(2020, 1, 1), accredited_to=date(2099, 12, 31))
        cb_c = org(name="Body C", accreditation_scope=["72", "76"], **body)
        cb_d = org(name="Body D", accreditation_scope=["61"], **body)
        ops = org(kind="operator", name="Operator", country="HK")
        actors = {}
        for key, role, org_ in (("exporter_a", "exporter", exp_a), ("exporter_b", "exporter",
                                exp_b), ("certifier_c", "certifier", cb_c),
                                ("certifier_d", "certifier", cb_d), ("admin", "admin", ops)):
            user = accounts.create_user(session, None, email=f"{key}@test.example",
                                        name=key, password="correct horse battery",
                                        role=role, organisation_id=org_.id)
            _, secret = accounts.create_token(session, user, name="t",
                                              scopes=list(accounts.ROLE_SCOPES[role]), days=5)
            actors[key] = Actor(client, secret, user.id, org_.id, role)
        actors["ids"] = {"exp_a": exp_a.id, "exp_b": exp_b.id, "cb_c": cb_c.id,
                         "cb_d": cb_d.id}
        from app.services import keys
        from app.services.issuer import issuer_from_config

        keys.generate(session, app.config["KEYS_DIR"], did=issuer_from_config(app.config).did)
    return actors


@pytest.fixture(autouse=True)
def _own_checkpoint_state(monkeypatch, tmp_path_factory):
    """`carbonlabel verify --online` remembers checkpoints; never in the user's own folder."""
    monkeypatch.setenv("CARBONLABEL_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """argon2id at production cost takes ~50 ms a hash; tests only need it to be argon2id."""
    from argon2 import PasswordHasher

    from app.services import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                            parallelism=1))
