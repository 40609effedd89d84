"""`carbonlabel pact`: PACT v3 data recipients of this service, pulling partners' footprints
with client credentials, and the worker that delivers PACT events."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.cli_common import friendly_errors, instance_dir, service_app

if TYPE_CHECKING:
    from lca_models.pact_client import ClientCredentials


@click.group()
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

    with service_app().app_context(), transaction() as session:
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
    from app.cli_factors import store_supplier_footprints
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
    from app.config import load_config
    from lca_models.errors import PactConfigError
    from lca_models.pact_client import (
        ClientCredentials,
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

    app = service_app()
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
