"""We as a PACT v3 data recipient and event sender, against real hosts over real HTTP.

The partner hosts are instances of this service itself, which implements the host side of
the spec, served on ephemeral loopback ports with werkzeug: for pulling, the app under test
(with labels issued through the API); for event deliveries, a second instance with its own
database that has registered us as a client. A few tests put a small WSGI middleware in
front of a host to make it misbehave the way a partner might.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.persistence import AuditEntry, PactClient, PactOutbox, PactToken
from app.persistence.types import utcnow
from app.services import issuer_pin, pact_events, pact_host, transaction
from app.services.pact_partner import EventSender
from lca_models.pact_client import (
    EXPIRY_MARGIN_SECONDS,
    ClientCredentials,
    FootprintQuery,
    PactAccessDenied,
    PactAuthError,
    PactConfigError,
    PactFootprintNotFound,
    PactHostClient,
    PactInvalidFootprint,
    PactProtocolError,
)
from tests.app.api.pact_support import OPENAPI
from tests.app.api.test_labels import issue

pytestmark = pytest.mark.skipif(not OPENAPI.is_file(), reason=f"no PACT spec at {OPENAPI}")

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Any]


class Served:
    """A WSGI app on 127.0.0.1:<ephemeral>, recording each request as (method, path, status)
    and letting a test put a middleware in front (`self.front`)."""

    def __init__(self, target: Wsgi):
        self.target = target
        self.front: Callable[[Wsgi], Wsgi] | None = None
        self.log: list[tuple[str, str, int]] = []
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _wsgi(self, environ, start_response):
        entry = [environ["REQUEST_METHOD"], environ["PATH_INFO"], 0]

        def recording_start(status, headers, exc_info=None):
            entry[2] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        app = self.front(self.target) if self.front else self.target
        try:
            return app(environ, recording_start)
        finally:
            self.log.append(tuple(entry))

    def paths(self, method: str | None = None) -> list[str]:
        return [p for m, p, _ in self.log if method is None or m == method]

    def close(self) -> None:
        self.server.shutdown()
        self._thread.join(5)


def rewrite_json(path_prefix: str, change: Callable[[Any], Any]
                 ) -> Callable[[Wsgi], Wsgi]:
    """Middleware: responses under `path_prefix` get their JSON body passed through change."""
    def wrap(app: Wsgi) -> Wsgi:
        def wsgi(environ, start_response):
            if not environ["PATH_INFO"].startswith(path_prefix):
                return app(environ, start_response)
            captured = {}

            def capture(status, headers, exc_info=None):
                captured.update(status=status, headers=headers)

            body = b"".join(app(environ, capture))
            if captured["status"].startswith("200"):
                body = json.dumps(change(json.loads(body))).encode()
            headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
            start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
            return [body]
        return wsgi
    return wrap


@pytest.fixture
def host(app, world):
    """The service under test as a partner's PACT host on a real port, with two labels of
    exporter A and a client registered for exporter A's footprints."""
    served = Served(app.wsgi_app)
    # on a loopback port over http: development mode, and the issuer moved there on purpose
    app.config.update(PUBLIC_URL=served.base, PACT_ALLOW_HTTP=True, DEV_MODE=True)
    with app.app_context(), transaction() as session:
        issuer_pin.move(session, app.config["KEYS_DIR"], served.base, dev_mode=True)
    issue(world)
    issue(world)
    with app.app_context(), transaction() as session:
        client, secret = pact_host.register_client(
            session, None, name="Us, pulling", organisation_ids=[world["ids"]["exp_a"]])
        client_id = client.client_id
    yield {"served": served, "base": served.base, "app": app, "world": world,
           "credentials": ClientCredentials(client_id, secret)}
    served.close()


def connect(host, credentials: ClientCredentials | None = None, **kwargs) -> PactHostClient:
    return PactHostClient(host["base"], credentials or host["credentials"],
                          openapi_path=OPENAPI, allow_http=True, **kwargs)


def tokens_issued(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PactToken))


def test_discovery_token_list_and_get(host):
    with connect(host) as partner:
        footprints = list(partner.list_footprints())
        assert partner.auth.token_url == host["base"] + "/auth/token"
        one = partner.get_footprint(footprints[0]["id"])
    served = host["served"]
    assert served.log[:3] == [("GET", "/.well-known/openid-configuration", 200),
                              ("POST", "/auth/token", 200), ("GET", "/3/footprints", 200)]
    assert len(footprints) == 2 and one == footprints[0]
    labels = host["world"]["exporter_a"].get("/api/v1/labels").json["items"]
    assert {lb["id"] for lb in labels} == {
        pf["extensions"][0]["data"]["labelId"] for pf in footprints}


def test_token_endpoint_from_discovery_is_used(host):
    """The discovery document names another token path; the spec's default answers 404."""
    def wrap(app: Wsgi) -> Wsgi:
        def wsgi(environ, start_response):
            path = environ["PATH_INFO"]
            if path == "/.well-known/openid-configuration":
                body = json.dumps({"token_endpoint": host["base"] + "/oauth2/token"}).encode()
                start_response("200 OK", [("Content-Type", "application/json")])
                return [body]
            if path == "/auth/token":
                start_response("404 Not Found", [])
                return [b""]
            if path == "/oauth2/token":
                environ["PATH_INFO"] = "/auth/token"
            return app(environ, start_response)
        return wsgi

    host["served"].front = wrap
    with connect(host) as partner:
        assert len(list(partner.list_footprints())) == 2
    assert ("POST", "/oauth2/token", 200) in host["served"].log
    assert "/auth/token" not in host["served"].paths()


def test_without_discovery_the_spec_token_url_is_used(host):
    def wrap(app: Wsgi) -> Wsgi:
        def wsgi(environ, start_response):
            if environ["PATH_INFO"].startswith("/.well-known/"):
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"no discovery here"]
            return app(environ, start_response)
        return wsgi

    host["served"].front = wrap
    with connect(host) as partner:
        assert len(list(partner.list_footprints())) == 2
        assert partner.auth.token_url == host["base"] + "/auth/token"
    assert host["served"].log[:2] == [("GET", "/.well-known/openid-configuration", 404),
                                      ("POST", "/auth/token", 200)]


def test_filters_reach_the_host(host):
    with connect(host) as partner:
        every = list(partner.list_footprints())
        first, second = every
        only = FootprintQuery(product_ids=(first["productIds"][-1].upper(),))
        assert [pf["id"] for pf in partner.list_footprints(only)] == [first["id"]]
        either = FootprintQuery(product_ids=(first["productIds"][-1],
                                             second["productIds"][-1]))
        assert {pf["id"] for pf in partner.list_footprints(either)} == {
            first["id"], second["id"]}
        assert list(partner.list_footprints(FootprintQuery(geographies=("FR",)))) == []
        place = FootprintQuery(geographies=("CN",), company_ids=(first["companyIds"][0],))
        assert len(list(partner.list_footprints(place))) == 2
        both = FootprintQuery(product_ids=(first["productIds"][-1],), geographies=("FR",))
        assert list(partner.list_footprints(both)) == []
        assert list(partner.list_footprints(FootprintQuery(status="Deprecated"))) == []
        assert len(list(partner.list_footprints(FootprintQuery(status="active")))) == 2
        start = pact_validity_start(first)
        assert list(partner.list_footprints(FootprintQuery(valid_after=start))) == []
        assert len(list(partner.list_footprints(
            FootprintQuery(valid_after=start - timedelta(days=1))))) == 2


def pact_validity_start(pf):
    from lca_models.pact import validity_period

    return validity_period(pf)[0]


def test_pagination_over_several_pages(host):
    world = host["world"]
    for _ in range(3):
        issue(world)
    with connect(host) as partner:
        paged = list(partner.list_footprints(limit=2))
        whole = list(partner.list_footprints())
    pages = [e for e in host["served"].log if e[1] == "/3/footprints"]
    assert len(pages) == 3 + 1  # 2 + 2 + 1 footprints, then the unpaged list
    assert len(paged) == 5 and len({pf["id"] for pf in paged}) == 5
    assert paged == whole


def test_foreign_pagination_link_is_not_followed(host):
    def wrap(app: Wsgi) -> Wsgi:
        def wsgi(environ, start_response):
            def relink(status, headers, exc_info=None):
                headers = [(k, v.replace("127.0.0.1", "127.0.0.2") if k == "Link" else v)
                           for k, v in headers]
                return start_response(status, headers, exc_info)
            return app(environ, relink)
        return wsgi

    host["served"].front = wrap
    with connect(host) as partner, pytest.raises(PactProtocolError, match="another host"):
        list(partner.list_footprints(limit=1))


def test_unknown_footprint_is_not_found(host):
    pf_id = str(uuid.uuid4())
    with connect(host) as partner, pytest.raises(PactFootprintNotFound) as caught:
        partner.get_footprint(pf_id)
    assert caught.value.status == 404 and caught.value.code == "NotFound"
    assert "could not be found" in str(caught.value)


def test_token_is_cached_and_refreshed_once_when_expired(host):
    app = host["app"]
    with connect(host) as partner:
        list(partner.list_footprints())
        list(partner.list_footprints())
        assert tokens_issued(app) == 1
        with app.app_context():
            row = db.session.scalars(select(PactToken)).one()
            row.expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
        assert len(list(partner.list_footprints())) == 2
    assert tokens_issued(app) == 2
    statuses = [status for _, path, status in host["served"].log if path == "/3/footprints"]
    assert statuses == [200, 200, 401, 200]


def test_token_is_renewed_before_it_expires(host):
    now = [1000.0]
    with connect(host, clock=lambda: now[0]) as partner:
        list(partner.list_footprints())
        now[0] += pact_host.TOKEN_SECONDS - EXPIRY_MARGIN_SECONDS - 10  # still good
        list(partner.list_footprints())
        assert partner.auth.tokens_fetched == 1
        now[0] += 20  # inside the margin before expiry: renewed without waiting for a 401
        list(partner.list_footprints())
        assert partner.auth.tokens_fetched == 2
    assert tokens_issued(host["app"]) == 2
    assert 401 not in [status for _, _, status in host["served"].log]


def test_refresh_is_tried_only_once(host, monkeypatch):
    monkeypatch.setattr(pact_host, "TOKEN_SECONDS", -5)  # every token is born expired
    with connect(host) as partner, pytest.raises(PactAuthError, match="TokenExpired"):
        list(partner.list_footprints())
    assert tokens_issued(host["app"]) == 2


@pytest.mark.parametrize("wrong", ["secret", "client"])
def test_bad_credentials_are_a_clear_error(host, wrong):
    good = host["credentials"]
    bad = (ClientCredentials(good.client_id, "not-the-secret") if wrong == "secret"
           else ClientCredentials("pact-unknown", good.client_secret))
    with connect(host, bad) as partner, pytest.raises(PactAuthError) as caught:
        list(partner.list_footprints())
    message = str(caught.value)
    assert caught.value.code == "invalid_client" and caught.value.status == 401
    assert bad.client_id in message and "refused the client credentials" in message
    assert good.client_secret not in message and "not-the-secret" not in message
    assert "/3/footprints" not in host["served"].paths()


def test_revoked_access_is_access_denied(host):
    with connect(host) as partner:
        list(partner.list_footprints())
        with host["app"].app_context():
            client = db.session.scalars(select(PactClient)).one()
            client.revoked_at = utcnow()
            db.session.commit()
        with pytest.raises(PactAccessDenied, match="AccessDenied"):
            list(partner.list_footprints())


@pytest.mark.parametrize("fault", ["unit", "missing", "decimal"])
def test_a_nonconforming_footprint_is_rejected(host, fault):
    def spoil(body):
        pf = body["data"][-1]
        if fault == "unit":
            pf["pcf"]["declaredUnitOfMeasurement"] = "furlong"
        elif fault == "missing":
            del pf["companyName"]
        else:
            pf["pcf"]["pcfExcludingBiogenicUptake"] = 1.5
        return body

    host["served"].front = rewrite_json("/3/footprints", spoil)
    with connect(host) as partner, pytest.raises(PactInvalidFootprint) as caught:
        list(partner.list_footprints())
    field = {"unit": "pcf/declaredUnitOfMeasurement", "missing": "(root)",
             "decimal": "pcf/pcfExcludingBiogenicUptake"}[fault]
    assert any(e.startswith(field) for e in caught.value.errors), caught.value.errors
    assert "does not conform" in str(caught.value)


def test_plain_http_is_refused_outside_development(host):
    with pytest.raises(PactConfigError, match="not https"):
        PactHostClient(host["base"], host["credentials"], openapi_path=OPENAPI)


# --- the command line --------------------------------------------------------------------

def test_cli_pull_imports_footprints_as_a_factor_set(host, runner, tmp_path, monkeypatch):
    from app.cli import main

    monkeypatch.setenv("CARBONLABEL_PACT_CLIENT_ID", host["credentials"].client_id)
    monkeypatch.setenv("CARBONLABEL_PACT_CLIENT_SECRET", host["credentials"].client_secret)
    out = tmp_path / "pulled.json"
    result = runner.invoke(main, ["pact", "pull", "--host", host["base"], "--spec",
                                  str(OPENAPI), "--allow-http", "--limit", "1",
                                  "-o", str(out), "--name", "buyer-steel"])
    assert result.exit_code == 0, result.output
    pulled = json.loads(out.read_text())["data"]
    assert len(pulled) == 2
    import csv

    with (tmp_path / "factor_sets" / "buyer-steel.csv").open() as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    from decimal import Decimal

    for pf in pulled:
        [row] = [r for r in rows.values() if r["id"].endswith(pf["id"])]
        pcf = pf["pcf"]
        per_unit = Decimal(pcf["pcfExcludingBiogenicUptake"]) / Decimal(
            pcf["declaredUnitAmount"])
        assert abs(Decimal(row["co2e_kg"]) - per_unit) <= per_unit * Decimal("1e-11")
        assert row["source_url"] == f"{host['base']}/3/footprints/{pf['id']}"
    again = runner.invoke(main, ["factors", "import-pact", str(out), "--name", "same"])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "factor_sets" / "same.csv").read_text().count("\n") == \
        (tmp_path / "factor_sets" / "buyer-steel.csv").read_text().count("\n")


def test_cli_pull_by_id_with_a_credentials_file(host, runner, tmp_path):
    from app.cli import main

    with connect(host) as partner:
        pf_id = next(partner.list_footprints())["id"]
    creds = tmp_path / "partner.json"
    creds.write_text(json.dumps({"client_id": host["credentials"].client_id,
                                 "client_secret": host["credentials"].client_secret}))
    args = ["pact", "pull", "--host", host["base"], "--spec", str(OPENAPI), "--allow-http",
            "--credentials", str(creds), "--id", pf_id]
    os.chmod(creds, 0o644)
    loose = runner.invoke(main, args)
    assert loose.exit_code == 2 and "chmod 600" in loose.output
    os.chmod(creds, 0o600)
    ok = runner.invoke(main, args)
    assert ok.exit_code == 0, ok.output
    assert f"1 footprint(s) from {host['base']}" in ok.output and pf_id in ok.output
    missing = runner.invoke(main, [*args[:-1], str(uuid.uuid4())])
    assert missing.exit_code == 2 and "NotFound" in missing.output


def test_cli_pull_without_credentials_says_how(host, runner, monkeypatch):
    from app.cli import main

    monkeypatch.delenv("CARBONLABEL_PACT_CLIENT_ID", raising=False)
    monkeypatch.delenv("CARBONLABEL_PACT_CLIENT_SECRET", raising=False)
    result = runner.invoke(main, ["pact", "pull", "--host", host["base"], "--spec",
                                  str(OPENAPI), "--allow-http"])
    assert result.exit_code == 2 and "CARBONLABEL_PACT_CLIENT_ID" in result.output
    assert host["served"].log == []


# --- our event deliveries to a partner's /3/events ---------------------------------------

@pytest.fixture
def partner_host(tmp_path_factory, brightway_dir):
    """A second instance of this service, with its own database, as the partner's host: it
    has registered us as a client, so it accepts our events with a token it issued."""
    from app import create_app
    from app.persistence.migrate import upgrade
    from app.services import accounts

    folder = tmp_path_factory.mktemp("partner")
    url = f"sqlite:///{folder / 'partner.sqlite'}"
    upgrade(url)
    partner = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                          "INSTANCE_DIR": folder, "SECRET_KEY": "partner-secret",
                          "BRIGHTWAY_DIR": brightway_dir, "KEYS_DIR": folder / "keys",
                          "PACT_ALLOW_HTTP": True, "DEV_MODE": True})
    served = Served(partner.wsgi_app)
    partner.config["PUBLIC_URL"] = served.base
    with partner.app_context(), transaction() as session:
        org = accounts.create_organisation(session, None, {
            "kind": "exporter", "name": "Buyer's supplier", "country": "DE",
            "subdivision": None, "identifier": None, "address": None,
            "accreditation_body": None, "accreditation_number": None,
            "accreditation_standard": None, "accreditation_scope": [],
            "accredited_from": None, "accredited_to": None})
        us, secret = pact_host.register_client(session, None, name="GBA carbon labels",
                                               organisation_ids=[org.id])
        client_id = us.client_id
    yield {"app": partner, "served": served, "events_url": served.base + "/3/events",
           "client_id": client_id, "secret": secret}
    served.close()
    with partner.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def outbox(app, world, partner_host, tmp_path):
    """Our service with the partner registered (events to its host) and one PublishedEvent
    queued for it; the partners file holds what the partner issued to us."""
    with app.app_context(), transaction() as session:
        client, _ = pact_host.register_client(
            session, None, name="Buyer GmbH", organisation_ids=[world["ids"]["exp_a"]],
            events_url=partner_host["events_url"])
        our_id = client.client_id
    issue(world)
    partners = tmp_path / "pact-partners.json"

    def configure(secret: str) -> None:
        partners.write_text(json.dumps({our_id: {"client_id": partner_host["client_id"],
                                                 "client_secret": secret}}))
        os.chmod(partners, 0o600)

    configure(partner_host["secret"])
    sender = EventSender(partners, allow_http=True)
    yield {"sender": sender, "configure": configure, "partners": partners,
           "our_id": our_id}
    sender.close()


def deliver(app, sender, now=None) -> int:
    with app.app_context():
        return pact_events.deliver_due(sender, now=now)


def outbox_rows(app) -> list[PactOutbox]:
    with app.app_context():
        rows = list(db.session.scalars(select(PactOutbox).order_by(PactOutbox.next_attempt_at)))
        db.session.expunge_all()
        return rows


def received(partner_host) -> list[AuditEntry]:
    with partner_host["app"].app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "pact.event_received")))
        db.session.expunge_all()
        return rows


def test_delivery_carries_a_bearer_token_the_partner_accepts(app, outbox, partner_host):
    assert deliver(app, outbox["sender"]) == 1
    [row] = outbox_rows(app)
    assert row.delivered_at is not None and row.attempts == 1
    [seen] = received(partner_host)
    assert seen.actor == partner_host["client_id"]
    assert seen.details == {"type": row.event["type"], "event_id": row.event["id"]}
    assert partner_host["served"].log[:3] == [
        ("GET", "/.well-known/openid-configuration", 200), ("POST", "/auth/token", 200),
        ("POST", "/3/events", 200)]


def test_delivery_tokens_are_cached_and_refreshed(app, world, outbox, partner_host):
    assert deliver(app, outbox["sender"]) == 1
    issue(world)
    assert deliver(app, outbox["sender"]) == 1
    assert tokens_issued(partner_host["app"]) == 1
    with partner_host["app"].app_context():
        for row in db.session.scalars(select(PactToken)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    issue(world)
    assert deliver(app, outbox["sender"]) == 1
    assert tokens_issued(partner_host["app"]) == 2
    assert len(received(partner_host)) == 3
    events = [s for m, p, s in partner_host["served"].log if p == "/3/events"]
    assert events == [200, 200, 401, 200]


def test_a_wrong_secret_is_recorded_and_retried(app, outbox, partner_host):
    outbox["configure"]("a-wrong-secret")
    assert deliver(app, outbox["sender"]) == 0
    [row] = outbox_rows(app)
    assert row.delivered_at is None and row.failed_at is None and row.attempts == 1
    assert "invalid_client" in row.last_error and partner_host["client_id"] in row.last_error
    assert "a-wrong-secret" not in row.last_error
    assert row.next_attempt_at > utcnow()  # backing off
    assert deliver(app, outbox["sender"]) == 0 and outbox_rows(app)[0].attempts == 1
    assert received(partner_host) == []
    outbox["configure"](partner_host["secret"])  # the operator fixes the file
    assert deliver(app, outbox["sender"], now=row.next_attempt_at) == 1
    [row] = outbox_rows(app)
    assert row.delivered_at is not None and row.attempts == 2
    assert len(received(partner_host)) == 1


def test_missing_or_exposed_credentials_are_recorded(app, outbox, partner_host):
    outbox["partners"].write_text(json.dumps({"pact-someone-else": {
        "client_id": "x", "client_secret": "y"}}))
    assert deliver(app, outbox["sender"]) == 0
    [row] = outbox_rows(app)
    assert "no outbound credentials" in row.last_error and outbox["our_id"] in row.last_error
    outbox["configure"](partner_host["secret"])
    os.chmod(outbox["partners"], 0o644)
    assert deliver(app, outbox["sender"], now=row.next_attempt_at) == 0
    [row] = outbox_rows(app)
    assert "chmod 600" in row.last_error and row.attempts == 2
    assert partner_host["served"].log == [] and received(partner_host) == []


def test_partner_that_refuses_the_event_is_retried(app, world, outbox, partner_host):
    """With a valid token, the partner's /3/events still says AccessDenied (it revoked us):
    recorded with the spec's code and retried like a network failure."""
    assert deliver(app, outbox["sender"]) == 1  # the token is cached from here on
    with partner_host["app"].app_context():
        us = db.session.scalars(select(PactClient)).one()
        us.revoked_at = utcnow()
        db.session.commit()
    issue(world)
    assert deliver(app, outbox["sender"]) == 0
    row = next(r for r in outbox_rows(app) if r.delivered_at is None)
    assert "HTTP 403 AccessDenied" in row.last_error and "revoked" in row.last_error
    assert row.attempts == 1 and row.failed_at is None and row.next_attempt_at > utcnow()


def test_partner_errors_map_to_problems(app):
    """Should a request handler meet a partner's failure, it answers problem+json."""
    from app.errors import _domain_error
    from lca_models.pact_client import PactExchangeError

    with app.test_request_context():
        invalid = _domain_error(PactInvalidFootprint("bad", ["pcf/x: wrong"]))
        missing = _domain_error(PactFootprintNotFound("gone", code="NotFound", status=404))
        failed = _domain_error(PactAuthError("refused"))
        other = _domain_error(PactExchangeError("down"))
    assert invalid.status_code == 502 and invalid.json["errors"] == [{"message": "pcf/x: wrong"}]
    assert invalid.mimetype == "application/problem+json"
    assert missing.status_code == 404 and missing.json["type"].endswith("partner-footprint")
    assert failed.status_code == other.status_code == 502
