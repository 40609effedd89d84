"""`carbonlabel` commands that work on the service's database: init, db, demo, orgs, users,
tokens, audit, serve. They run inside the app so configuration comes from one place."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.cli import friendly_errors, main

if TYPE_CHECKING:
    from lca_models.pact_client import ClientCredentials


def _app():
    from app import create_app

    return create_app()


@main.command()
@friendly_errors
def init() -> None:
    """Create the instance folder, its secret key and the database schema."""
    app = _app()
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


def _sign_checkpoints(app) -> None:
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


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@friendly_errors
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION."""
    from app.persistence.migrate import current, upgrade

    app = _app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    upgrade(url, revision)
    click.echo(f"database at revision {current(url)}")
    if revision == "head":
        _sign_checkpoints(app)


@main.command()
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

    app = _app()
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


@main.group()
def orgs() -> None:
    """Organisations."""


@orgs.command("list")
@friendly_errors
def orgs_list() -> None:
    """List organisations."""
    from sqlalchemy import select

    from app.extensions import db as database
    from app.persistence import Organisation

    with _app().app_context():
        for org in database.session.scalars(select(Organisation).order_by(Organisation.name)):
            click.echo(f"{org.id}  {org.kind:<19} {org.name}")


@orgs.command("create")
@click.option("--kind", type=click.Choice(["exporter", "certification_body", "operator"]),
              required=True)
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2")
@click.option("--subdivision", default=None, help="ISO 3166-2, e.g. CN-GD")
@click.option("--identifier", default=None, help="USCC or BR number")
@click.option("--accreditation-body", default=None, help="e.g. CNAS, HKAS, UKAS")
@click.option("--accreditation-number", default=None)
@click.option("--accreditation-standard", default=None, help="e.g. ISO 14065:2020")
@click.option("--scope", default="", help="HS chapters, comma separated, e.g. 72,76")
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@friendly_errors
def orgs_create(kind, name, country, subdivision, identifier, accreditation_body,
                accreditation_number, accreditation_standard, scope, valid_from,
                valid_to) -> None:
    """Register an organisation."""
    from app.services import accounts, transaction

    data = {"kind": kind, "name": name, "country": country, "subdivision": subdivision,
            "identifier": identifier, "accreditation_body": accreditation_body,
            "accreditation_number": accreditation_number,
            "accreditation_standard": accreditation_standard,
            "accreditation_scope": [s.strip() for s in scope.split(",") if s.strip()],
            "accredited_from": _date(valid_from), "accredited_to": _date(valid_to)}
    with _app().app_context(), transaction() as session:
        org = accounts.create_organisation(session, None, data)
        click.echo(org.id)


def _date(value) -> date | None:
    return value.date() if value else None


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["exporter", "certifier", "admin"]), required=True)
@click.option("--org", "organisation_id", default=None, help="organisation id")
@click.password_option()
@friendly_errors
def users_create(email, name, role, organisation_id, password) -> None:
    """Create a user (the password is asked twice and never echoed)."""
    from app.services import accounts, transaction

    with _app().app_context(), transaction() as session:
        user = accounts.create_user(session, None, email=email, name=name, password=password,
                                    role=role, organisation_id=organisation_id)
        click.echo(user.id)


@users.command("list")
@friendly_errors
def users_list() -> None:
    """List users."""
    from sqlalchemy import select

    from app.extensions import db as database
    from app.persistence import User

    with _app().app_context():
        for user in database.session.scalars(select(User).order_by(User.email)):
            click.echo(f"{user.id}  {user.role:<9} {user.email}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["exporter", "certifier", "admin"]))
@click.option("--reason", required=True)
@friendly_errors
def users_set_role(email, role, reason) -> None:
    """Change a user's role (audited)."""
    from sqlalchemy import select

    from app.persistence import User
    from app.services import accounts, transaction

    with _app().app_context(), transaction() as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        if user is None:
            raise click.ClickException(f"no user {email}")
        accounts.set_role(session, None, user.id, role, reason)
        click.echo(f"{email} is now {role}; their sessions and API tokens are ended")


@users.command("set-password")
@click.argument("email")
@click.password_option()
@friendly_errors
def users_set_password(email, password) -> None:
    """Set a user's password (asked twice); their sessions and API tokens end."""
    from sqlalchemy import select

    from app.persistence import User
    from app.services import accounts, transaction

    with _app().app_context(), transaction() as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        if user is None:
            raise click.ClickException(f"no user {email}")
        accounts.set_password(session, None, user.id, password)
        click.echo(f"password of {email} changed; their sessions and API tokens are ended")


@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True)
@click.option("--days", type=int, default=90, show_default=True)
@friendly_errors
def tokens_create(email, name, scopes, days) -> None:
    """Create a token for a user; the secret is printed once."""
    from sqlalchemy import select

    from app.persistence import User
    from app.services import accounts, transaction

    with _app().app_context(), transaction() as session:
        user = session.scalar(select(User).where(User.email == email.lower()))
        if user is None:
            raise click.ClickException(f"no user {email}")
        token, secret = accounts.create_token(session, user, name=name, scopes=list(scopes),
                                              days=days)
        click.echo(f"{token.id}  {secret}")


@tokens.command("revoke")
@click.argument("token_id")
@friendly_errors
def tokens_revoke(token_id) -> None:
    """Revoke a token."""
    from app.persistence import ApiToken
    from app.services import accounts, transaction

    with _app().app_context(), transaction() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise click.ClickException(f"no token {token_id}")
        accounts.revoke_token(session, token.user, token_id)
        click.echo(f"revoked {token_id}")


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@friendly_errors
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 and name the first broken entry if any."""
    from app.extensions import db as database
    from app.services import audit as audit_service

    with _app().app_context():
        report = audit_service.verify(database.session)
    if report.ok:
        click.echo(f"audit chain intact: {report.entries} entries")
        return
    click.echo(f"audit chain BROKEN at entry {report.first_broken_seq}: {report.problem}",
               err=True)
    sys.exit(1)


@main.group()
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

    app = _app()
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

    with _app().app_context():
        for key in key_service.all_keys(database.session):
            status = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
            click.echo(f"{key.id}  {status:<18} {key.public_multibase}")


@main.group()
def pact() -> None:
    """PACT v3 data recipients and event delivery."""


@pact.command("register")
@click.option("--name", required=True, help="The trade partner's system.")
@click.option("--org", "organisation_ids", multiple=True, required=True,
              help="Exporter organisation id whose footprints it may read; repeatable.")
@click.option("--events-url", default=None, help="The partner's /3/events endpoint.")
@friendly_errors
def pact_register(name, organisation_ids, events_url) -> None:
    """Register a client; prints client_id and the secret (shown once)."""
    from app.services import pact_host, transaction

    with _app().app_context(), transaction() as session:
        client, secret = pact_host.register_client(session, None, name=name,
                                                   organisation_ids=list(organisation_ids),
                                                   events_url=events_url)
        click.echo(f"client_id {client.client_id}\nclient_secret {secret}")


_WHEN = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"])


@pact.command("pull")
@click.option("--host", "host", required=True,
              help="The partner's PACT host base URL (where /3/footprints is).")
@click.option("--id", "pf_ids", multiple=True, help="Get these footprint ids; repeatable.")
@click.option("--product-id", "product_ids", multiple=True, help="productId filter (URN).")
@click.option("--company-id", "company_ids", multiple=True, help="companyId filter (URN).")
@click.option("--geography", "geographies", multiple=True, help="e.g. CN, CN-GD, DE.")
@click.option("--classification", "classifications", multiple=True, help="e.g. urn:cpc:41.")
@click.option("--valid-on", type=_WHEN, default=None, help="validOn (UTC unless zoned).")
@click.option("--valid-after", type=_WHEN, default=None, help="validAfter (e.g. since).")
@click.option("--valid-before", type=_WHEN, default=None, help="validBefore.")
@click.option("--status", type=click.Choice(["Active", "Deprecated", "any"],
                                            case_sensitive=False),
              default="Active", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Page size asked of the host; every page is fetched.")
@click.option("--credentials", "credentials_file",
              type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSON with client_id and client_secret (mode 0600). Default: "
                   "CARBONLABEL_PACT_CLIENT_ID/_SECRET, else the partners file entry for "
                   "the host.")
@click.option("--spec", "spec", type=click.Path(dir_okay=False, path_type=Path),
              envvar="CARBONLABEL_PACT_SPEC", required=True,
              help="The PACT v3 openapi.yaml every footprint is validated against "
                   "[env CARBONLABEL_PACT_SPEC].")
@click.option("--allow-http", is_flag=True, envvar="CARBONLABEL_PACT_ALLOW_HTTP",
              help="Allow a plain-HTTP host (development only).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help='Write the footprints as {"data": [...]} (input of factors import-pact).')
@click.option("--name", default=None, help="Also import them as user factor set NAME.")
@friendly_errors
def pact_pull(host: str, pf_ids: tuple[str, ...], product_ids, company_ids, geographies,
              classifications, valid_on, valid_after, valid_before, status: str, limit: int,
              credentials_file: Path | None, spec: Path, allow_http: bool,
              output: Path | None, name: str | None) -> None:
    """Pull ProductFootprints from a partner's PACT v3 host with client credentials."""
    from app.cli import store_supplier_footprints
    from lca_models.pact_client import FootprintQuery, PactHostClient

    filtered = any((product_ids, company_ids, geographies, classifications, valid_on,
                    valid_after, valid_before))
    if pf_ids and filtered:
        raise ValueError("--id gets footprints by id; it cannot be combined with filters")
    credentials = _pull_credentials(host, credentials_file)
    with PactHostClient(host, credentials, openapi_path=spec,
                        allow_http=allow_http) as partner:
        if pf_ids:
            footprints = [partner.get_footprint(pf_id) for pf_id in pf_ids]
        else:
            query = FootprintQuery(
                tuple(product_ids), tuple(company_ids), tuple(geographies),
                tuple(classifications), valid_on, valid_after, valid_before,
                None if status.lower() == "any" else status)
            footprints = list(partner.list_footprints(query, limit=limit))
    click.echo(f"{len(footprints)} footprint(s) from {partner.base_url}, each valid against "
               f"the PACT v3 schema")
    for pf in footprints:
        pcf = pf["pcf"]
        click.echo(f"  {pf['id']}  {pf['status']:<10} {pcf['pcfExcludingBiogenicUptake']} kg "
                   f"CO2e / {pcf['declaredUnitAmount']} {pcf['declaredUnitOfMeasurement']}  "
                   f"{pf['productNameCompany']} ({pf['companyName']})")
    if output:
        output.write_text(json.dumps({"data": footprints}, indent=2, ensure_ascii=False),
                          "utf-8")
        click.echo(f"wrote {output}")
    if name:
        store_supplier_footprints(footprints, name, partner.base_url,
                                  lambda pf: partner.footprint_url(pf["id"]))


def _pull_credentials(host: str, credentials_file: Path | None) -> ClientCredentials:
    """--credentials FILE, else the environment, else the partners file entry for the host:
    never a secret on the command line, where other users could read it."""
    from app.cli import instance_dir
    from app.config import load_config
    from lca_models.pact_client import (
        ClientCredentials,
        PactConfigError,
        find_credentials,
        load_partner_credentials,
        origin,
        read_secret_json,
    )

    if credentials_file is not None:
        data = read_secret_json(credentials_file)
        if isinstance(data, dict) and "client_id" in data:
            return ClientCredentials.from_mapping(data, str(credentials_file))
        found = find_credentials(load_partner_credentials(credentials_file), host,
                                 origin(host))
        if found is None:
            raise PactConfigError(f"{credentials_file} has no entry for {host}")
        return found
    client_id = os.environ.get("CARBONLABEL_PACT_CLIENT_ID")
    secret = os.environ.get("CARBONLABEL_PACT_CLIENT_SECRET")
    if client_id and secret:
        return ClientCredentials(client_id, secret)
    partners = load_config(str(instance_dir()))["PACT_PARTNERS_FILE"]
    found = (find_credentials(load_partner_credentials(partners), host, origin(host))
             if partners.exists() else None)
    if found is None:
        raise PactConfigError(
            f"no client credentials for {host}: use --credentials FILE (0600 JSON with "
            "client_id and client_secret), set CARBONLABEL_PACT_CLIENT_ID and "
            f"CARBONLABEL_PACT_CLIENT_SECRET, or add an entry for the host to {partners}")
    return found


@pact.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds.")
@friendly_errors
def pact_worker(once: bool, interval: float) -> None:
    """Deliver queued PACT events (request answers, published notices) with backoff, each
    with a bearer token from the partner's host (credentials: CARBONLABEL_PACT_PARTNERS)."""
    import time

    from app.services import pact_events
    from app.services.pact_partner import EventSender

    app = _app()
    sender = EventSender(app.config["PACT_PARTNERS_FILE"],
                         allow_http=app.config["PACT_ALLOW_HTTP"])
    try:
        while True:
            with app.app_context():  # no transaction is held across a partner's answer
                sent = pact_events.deliver_due(sender)
            if sent:
                click.echo(f"delivered {sent} event(s)")
            if once:
                return
            time.sleep(interval)
    finally:
        sender.close()
