"""The PACT v3 host: client credentials, footprints with filters and pagination, events."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from app.extensions import db
from app.persistence import PactOutbox, PactToken
from app.services import pact_events, pact_host, transaction
from tests.app.api.pact_support import OPENAPI, answer_json
from tests.app.api.test_labels import issue

HTTPS = "https://localhost"


class Receiver:
    """A partner's /3/events endpoint on 127.0.0.1, recording what it is sent. Like a PACT
    host it wants a bearer token from its /auth/token (client credentials, HTTP Basic)."""

    CLIENT_ID, SECRET, TOKEN = "gba-labels", "receiver-secret", "receiver-token"

    def __init__(self):
        received = self.received = []
        expected_basic = "Basic " + base64.b64encode(
            f"{self.CLIENT_ID}:{self.SECRET}".encode()).decode()
        token = self.TOKEN

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                auth = self.headers.get("Authorization")
                if self.path == "/auth/token" and auth == expected_basic:
                    self._answer(200, {"access_token": token, "token_type": "bearer",
                                       "expires_in": 3600})
                elif self.path == "/3/events" and auth == f"Bearer {token}":
                    received.append(json.loads(body))
                    self._answer(200, None)
                else:
                    self._answer(401, {"code": "AccessDenied", "message": "who are you?"})

            def _answer(self, status, body):
                answer_json(self, status, body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/3/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def partner(world, app, receiver):
    """A label of exporter A and a PACT client with access to exporter A's footprints."""
    label, credential = issue(world)
    with app.app_context(), transaction() as session:
        client, secret = pact_host.register_client(
            session, None, name="Buyer GmbH", organisation_ids=[world["ids"]["exp_a"]],
            events_url=receiver.url)
        client_id = client.client_id
    return {"label": label, "credential": credential, "client_id": client_id,
            "secret": secret}


def token(client, client_id, secret, **form):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post("/auth/token", base_url=HTTPS, headers={"Authorization": f"Basic {basic}"},
                       data={"grant_type": "client_credentials", **form})


def bearer(client, partner) -> dict[str, str]:
    response = token(client, partner["client_id"], partner["secret"])
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_token_endpoint(client, partner):
    ok = token(client, partner["client_id"], partner["secret"])
    assert ok.json["token_type"] == "bearer" and ok.json["expires_in"] == 3600
    assert ok.headers["Cache-Control"] == "no-store"
    wrong = token(client, partner["client_id"], "not-the-secret")
    assert wrong.status_code == 401 and wrong.json["error"] == "invalid_client"
    grant = client.post("/auth/token", base_url=HTTPS, data={"grant_type": "password"})
    assert grant.status_code == 400 and grant.json["error"] == "unsupported_grant_type"
    scope = token(client, partner["client_id"], partner["secret"], scope="footprint:write")
    assert scope.status_code == 400 and scope.json["error"] == "invalid_scope"


def test_discovery(client):
    doc = client.get("/.well-known/openid-configuration", base_url=HTTPS).json
    assert doc["token_endpoint"].endswith("/auth/token")
    assert doc["grant_types_supported"] == ["client_credentials"]


def test_list_and_get_footprints(client, partner):
    headers = bearer(client, partner)
    listed = client.get("/3/footprints", base_url=HTTPS, headers=headers)
    assert listed.status_code == 200, listed.json
    [pf] = listed.json["data"]
    assert pf["specVersion"].startswith("3.")
    one = client.get(f"/3/footprints/{pf['id']}", base_url=HTTPS, headers=headers)
    assert one.json["data"] == pf
    assert partner["label"]["id"] in json.dumps(pf)
    if OPENAPI.exists():
        from lca_models.pact import validate_product_footprint

        assert validate_product_footprint(pf, OPENAPI) == []


def test_access_is_limited_to_granting_exporters(client, partner, world, app):
    with app.app_context(), transaction() as session:
        other, secret = pact_host.register_client(session, None, name="Other",
                                                  organisation_ids=[world["ids"]["exp_b"]])
        other_id = other.client_id
    headers = bearer(client, {"client_id": other_id, "secret": secret})
    assert client.get("/3/footprints", base_url=HTTPS, headers=headers).json == {"data": []}
    pf_id = client.get("/3/footprints", base_url=HTTPS, headers=bearer(client, partner)
                       ).json["data"][0]["id"]
    hidden = client.get(f"/3/footprints/{pf_id}", base_url=HTTPS, headers=headers)
    assert hidden.status_code == 404 and hidden.json["code"] == "NotFound"


def _ids(client, headers, query):
    response = client.get(f"/3/footprints?{query}", base_url=HTTPS, headers=headers)
    assert response.status_code == 200, response.json
    return [pf["id"] for pf in response.json["data"]]


def test_filters_match_and_exclude(client, partner):
    headers = bearer(client, partner)
    pf = client.get("/3/footprints", base_url=HTTPS, headers=headers).json["data"][0]
    product, company = pf["productIds"][0], pf["companyIds"][0]
    pcf = pf["pcf"]
    place = pcf.get("geographyCountrySubdivision") or pcf.get("geographyCountry")
    start = pf.get("validityPeriodStart") or pf["created"]
    cases = [
        (f"productId={product.upper()}", True), ("productId=urn:gtin:00000000000000", False),
        (f"productId=urn:x:none&productId={product}", True),
        (f"companyId={company}", True), ("companyId=urn:x:none", False),
        (f"geography={place.lower()}", True), ("geography=FR", False),
        (f"geography={place.split('-')[0]}", True),
        ("status=Active", True), ("status=deprecated", False),
        (f"validOn={start}", True), ("validOn=1990-01-01T00:00:00Z", False),
        ("validAfter=1990-01-01T00:00:00Z", True), ("validAfter=2099-01-01T00:00:00Z", False),
        ("validBefore=2199-01-01T00:00:00Z", True), ("validBefore=1990-01-01T00:00:00Z", False),
        (f"productId={product}&geography=FR", False),
    ]
    for query, expected in cases:
        assert (_ids(client, headers, query) == [pf["id"]]) is expected, query
    for cls in pf.get("productClassifications", []):
        assert _ids(client, headers, f"classification={cls}") == [pf["id"]]
    assert _ids(client, headers, "classification=urn:x:none") == []
    bad = client.get("/3/footprints?validOn=yesterday", base_url=HTTPS, headers=headers)
    assert bad.status_code == 400 and bad.json["code"] == "BadRequest"


def test_pagination_with_link_headers(client, partner, world):
    issue(world)
    issue(world)
    headers = bearer(client, partner)
    first = client.get("/3/footprints?limit=2&status=Active", base_url=HTTPS, headers=headers)
    assert len(first.json["data"]) == 2
    link = first.headers["Link"]
    assert link.startswith("<https://localhost/3/footprints?") and link.endswith('rel="next"')
    url = link[1:link.index(">")]
    second = client.get(url.removeprefix(HTTPS), base_url=HTTPS, headers=headers)
    again = client.get(url.removeprefix(HTTPS), base_url=HTTPS, headers=headers)
    assert second.json == again.json and len(second.json["data"]) == 1
    assert "Link" not in second.headers
    ids = [pf["id"] for pf in first.json["data"] + second.json["data"]]
    assert len(set(ids)) == 3


def test_deprecated_footprints_after_revocation(client, partner, world):
    world["certifier_c"].post(f"/api/v1/labels/{partner['label']['id']}/revocation",
                              json={"reason": "error found"})
    headers = bearer(client, partner)
    [pf] = client.get("/3/footprints", base_url=HTTPS, headers=headers).json["data"]
    assert pf["status"] == "Deprecated"


def test_errors_and_plain_http(client, partner, app):
    headers = bearer(client, partner)
    unknown = client.get("/3/footprints/0b6f4c0e-1111-4a8e-9d7c-000000000000",
                         base_url=HTTPS, headers=headers)
    assert unknown.status_code == 404 and unknown.json == {
        "code": "NotFound", "message": "The requested footprint could not be found."}
    bad_id = client.get("/3/footprints/not-a-uuid", base_url=HTTPS, headers=headers)
    assert bad_id.status_code == 404 and bad_id.json["code"] == "NotFound"
    none = client.get("/3/footprints", base_url=HTTPS)
    assert none.status_code == 401 and none.json["code"] == "BadRequest"
    assert none.headers["WWW-Authenticate"] == 'Bearer realm="pact"'
    with app.app_context():
        row = db.session.query(PactToken).first()
        row.expires_at = row.expires_at - timedelta(hours=2)
        db.session.commit()
    expired = client.get("/3/footprints", base_url=HTTPS, headers=headers)
    assert expired.status_code == 401 and expired.json["code"] == "TokenExpired"
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    plain = client.get("/3/footprints", headers=headers)
    assert plain.status_code == 403 and "HTTPS" in plain.json["message"]


@pytest.mark.parametrize(("code", "status"), [("BadRequest", 400), ("AccessDenied", 403),
                                              ("TokenExpired", 401), ("NotFound", 404),
                                              ("InternalError", 500), ("NotImplemented", 501)])
def test_every_row_of_the_code_status_table(app, code, status):
    from app.api.pact import _error

    with app.test_request_context():
        response = _error(pact_host.PactError(code, "x"))
    assert response.status_code == status and response.json == {"code": code, "message": "x"}


def _event(kind, data, event_id="e-1", source="//buyer.example/3/events"):
    return {"specversion": "1.0", "id": event_id, "source": source,
            "type": pact_events.EVENT_PREFIX + kind + ".3", "time": "2026-11-01T00:00:00Z",
            "data": data}


def _partners_file(app, partner, tmp_path) -> Path:
    """What the receiver issued to us, where the service looks for it; plain HTTP on
    loopback as in development."""
    partners = tmp_path / "pact-partners.json"
    partners.write_text(json.dumps({partner["client_id"]: {
        "client_id": Receiver.CLIENT_ID, "client_secret": Receiver.SECRET}}))
    partners.chmod(0o600)
    app.config.update(PACT_PARTNERS_FILE=partners, PACT_ALLOW_HTTP=True)
    return partners


def _deliver(app, partner, tmp_path) -> None:
    from app.services.pact_partner import EventSender

    sender = EventSender(_partners_file(app, partner, tmp_path), allow_http=True)
    with app.app_context():
        pact_events.deliver_due(sender)
    sender.close()


def test_the_periodic_task_delivers_due_events(client, partner, app, receiver, world,
                                               tmp_path):
    """The task queue's `carbonlabel.pact_deliver` (beat, every 30 s) is what delivers in
    production; run eagerly here, it sends the outbox's due event to the partner."""
    _partners_file(app, partner, tmp_path)
    issue(world)  # a new label of the granting exporter: subscribed partners are told
    assert not receiver.received
    app.extensions["celery"].tasks["carbonlabel.pact_deliver"].delay()
    assert any(e["type"].endswith("PublishedEvent.3") for e in receiver.received)


def test_request_flow_is_answered_asynchronously(client, partner, app, receiver, world,
                                                  tmp_path):
    _partners_file(app, partner, tmp_path)
    headers = bearer(client, partner)
    issue(world)  # a new label of the granting exporter: subscribed partners are told
    _deliver(app, partner, tmp_path)
    published = [e for e in receiver.received if e["type"].endswith("PublishedEvent.3")]
    assert published and published[0]["data"]["pfIds"]
    pf = client.get("/3/footprints", base_url=HTTPS, headers=headers).json["data"][0]
    asked = client.post("/3/events", base_url=HTTPS, headers=headers, json=_event(
        "RequestCreatedEvent", {"productId": [pf["productIds"][0]]}, "req-1", receiver.url))
    assert asked.status_code == 200 and asked.data == b""
    nothing = client.post("/3/events", base_url=HTTPS, headers=headers, json=_event(
        "RequestCreatedEvent", {"productId": ["urn:gtin:00000000000000"]}, "req-2",
        receiver.url))
    assert nothing.status_code == 200
    _deliver(app, partner, tmp_path)
    answers = {e["data"]["requestEventId"]: e for e in receiver.received
               if "requestEventId" in e["data"]}
    assert answers["req-1"]["type"].endswith("RequestFulfilledEvent.3")
    assert [p["id"] for p in answers["req-1"]["data"]["pfs"]] == [pf["id"]]
    assert answers["req-2"]["type"].endswith("RequestRejectedEvent.3")
    for kind, data in (("RequestFulfilledEvent", {"requestEventId": "r", "pfs": [pf]}),
                       ("RequestRejectedEvent", {"requestEventId": "r", "error": {
                           "code": "NotFound", "message": "none"}}),
                       ("PublishedEvent", {"pfIds": [pf["id"]]})):
        accepted = client.post("/3/events", base_url=HTTPS, headers=headers,
                               json=_event(kind, data))
        assert accepted.status_code == 200, (kind, accepted.json)
    wrong = client.post("/3/events", base_url=HTTPS, headers=headers,
                        json=_event("SomethingElse", {}))
    assert wrong.status_code == 400 and wrong.json["code"] == "BadRequest"
    malformed = client.post("/3/events", base_url=HTTPS, headers=headers, data="not json")
    assert malformed.status_code == 400


def test_failed_deliveries_back_off(app, partner, world):
    issue(world)  # queues a PublishedEvent for the partner
    calls = []

    def failing(recipient, event):
        calls.append(recipient.events_url)
        raise OSError("connection refused")

    with app.app_context():
        assert pact_events.deliver_due(failing) == 0
        item = db.session.query(PactOutbox).first()
        assert item.attempts == 1 and "refused" in item.last_error
        assert pact_events.deliver_due(failing) == 0  # not due yet: backing off
        assert len(calls) == 1


def test_failing_deliveries_are_retried_for_72_hours_then_abandoned(app, partner, world):
    """The spec: exponential backoff, abandon after 72 hours. By hand: waits of 2, 4, ...,
    2048 s after attempts 1-11 (4,094 s in all), then 3,600 s (the cap); attempt 12 + j runs
    at 4,094 + 3,600 j s, and the next wait would pass 259,200 s (72 h) after attempt 82,
    at 256,094 s."""
    from datetime import UTC, datetime

    issue(world)

    def failing(recipient, event):
        raise OSError("connection refused")

    with app.app_context():
        item = db.session.query(PactOutbox).first()
        created = datetime.strptime(item.event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC)
        start = when = item.next_attempt_at  # the first attempt, within a second of `created`
        assert timedelta(0) <= start - created < timedelta(seconds=1)
        waits = []
        while item.failed_at is None:
            pact_events.deliver_due(failing, now=when)
            db.session.refresh(item)
            if item.failed_at is None:
                waits.append((item.next_attempt_at - when).total_seconds())
                when = item.next_attempt_at
        assert waits[:12] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600]
        assert set(waits[11:]) == {3600}
        assert item.attempts == 82
        assert (item.failed_at - start).total_seconds() == 256094
        assert "refused" in item.last_error
