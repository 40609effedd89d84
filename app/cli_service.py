"""`carbonlabel` commands that set up and look after the service's database: init, db, demo,
audit, keys, serve. They run inside the app so configuration comes from one place."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import click

from app.cli_common import friendly_errors, service_app

if TYPE_CHECKING:
    from flask import Flask


@click.command()
@friendly_errors
def init() -> None:
    """Create the instance folder, its secret key and the database schema."""
    app = service_app()
    from app.persistence.migrate import upgrade

    upgrade(app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo(f"instance folder {app.config['INSTANCE_DIR']}; database is at the latest "
               "schema")
    from app.services import keys as key_service
    from app.services import transaction
    from app.services.issuer import issuer_from_config

    with app.app_context(), transaction() as session:
        if key_service.active_key(session) is None:
            key = key_service.generate(session, app.config["KEYS_DIR"],
                                       did=issuer_from_config(app.config).did)
            click.echo(f"generated signing key {key.id} in {app.config['KEYS_DIR']}")
    _sign_checkpoints(app)


def _sign_checkpoints(app: Flask) -> None:
    """Heads stored before checkpoints existed are signed as checkpoints now, with the
    active key (docs/transparency-log.md); without a key or its file they wait for the next
    `db upgrade`."""
    from app.services import keys as key_service
    from app.services import transaction
    from app.services import transparency_log as tlog
    from app.services.issuer import issuer_from_config

    issuer = issuer_from_config(app.config)
    with app.app_context(), transaction() as session:
        key = key_service.active_key(session)
        if key is None:
            return
        key_id = key.id  # the row expires at commit
        tlog.lock(session)
        count = tlog.sign_checkpoints(session, issuer.log_origin, key,
                                      key_service.load_private(issuer.keys_dir, key))
    if count:
        click.echo(f"signed {count} earlier tree heads as checkpoints of {issuer.log_origin} "
                   f"with {key_id}")


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@friendly_errors
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION."""
    from app.persistence.migrate import current, upgrade

    app = service_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    upgrade(url, revision)
    click.echo(f"database at revision {current(url)}")
    if revision == "head":
        _sign_checkpoints(app)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print accounts and tokens as JSON.")
@click.option("--if-empty", is_flag=True, help="Do nothing if demo data exists.")
@friendly_errors
def demo(as_json: bool, if_empty: bool) -> None:
    """Seed fictional demo organisations, accounts and the example products."""
    from app.domain import Conflict
    from app.persistence.migrate import upgrade
    from app.services import demo as demo_service
    from app.services import transaction
    from app.services.issuer import issuer_from_config

    app = service_app()
    upgrade(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        try:
            with transaction() as session:
                data = demo_service.seed(session, app.config["BRIGHTWAY_DIR"],
                                         issuer_from_config(app.config))
        except Conflict:
            if if_empty:
                click.echo("demo data exists already; accounts are in "
                           f"{app.config['INSTANCE_DIR'] / 'demo-accounts.json'}", err=True)
                return
            raise
    path = app.config["INSTANCE_DIR"] / "demo-accounts.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo("Demo data created (all fictional). Log in with:")
    for role, acc in data["accounts"].items():
        click.echo(f"  {role:<10} {acc['email']:<26} password {acc['password']}")
    click.echo(f"API tokens for each role are in {path} (readable only by you).")
    for product in data["products"]:
        click.echo(f"  {product['kg_co2e_per_declared_unit']:>12,.3f} kg CO2e  {product['name']}")
    click.echo("Labels: " + ", ".join(f"{kind} {label_id}"
                                      for kind, label_id in data["labels"].items()))


@click.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@friendly_errors
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 and name the first broken entry if any."""
    from app.extensions import db as database
    from app.services import audit as audit_service

    with service_app().app_context():
        report = audit_service.verify(database.session)
    if report.ok:
        click.echo(f"audit chain intact: {report.entries} entries"
                   + (f" ({report.pending} approval event(s) waiting for the sequencer)"
                      if report.pending else ""))
        return
    click.echo(f"audit chain BROKEN at entry {report.first_broken_seq}: {report.problem}",
               err=True)
    sys.exit(1)


@click.group()
def keys() -> None:
    """Issuer signing keys (private halves in files, never in the database)."""


@keys.command("generate")
@friendly_errors
def keys_generate() -> None:
    """Create the first signing key."""
    _key_command(rotate=False)


@keys.command("rotate")
@friendly_errors
def keys_rotate() -> None:
    """Create a new active key; the old one is retired but stays in the DID document."""
    _key_command(rotate=True)


def _key_command(rotate: bool) -> None:
    from app.persistence.migrate import upgrade
    from app.services import keys as key_service
    from app.services import transaction
    from app.services.issuer import issuer_from_config

    app = service_app()
    upgrade(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context(), transaction() as session:
        # The id is read before the commit: afterwards the row is expired and detached.
        key_id = key_service.generate(session, app.config["KEYS_DIR"], rotate=rotate,
                                      did=issuer_from_config(app.config).did).id
    click.echo(f"active signing key {key_id}; private key in {app.config['KEYS_DIR']} (0600)")


@keys.command("list")
@friendly_errors
def keys_list() -> None:
    """List keys: id, status, public key (multibase)."""
    from app.extensions import db as database
    from app.services import keys as key_service

    with service_app().app_context():
        for key in key_service.all_keys(database.session):
            status = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
            click.echo(f"{key.id}  {status:<18} {key.public_multibase}")



@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
def serve(host: str, port: int) -> None:
    """Run the development server (production: gunicorn, see README)."""
    from app import create_app

    create_app().run(host=host, port=port)

