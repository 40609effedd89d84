"""The official PACT v3 conformance cases, one test per case marked "Mandatory: V3.0" in
`../shared/standards/pact-v3/conformance/v3-test-cases-expected-results.md`, each driving
the real HTTP endpoints (Flask's test client for our host; real sockets for the data
recipient). Each test is named after its case (`test_tc14a_…` for "#14.A") and its
docstring quotes what the case expects; `test_every_mandatory_case_has_a_test` reads the
file and fails when a mandatory case has no test.

For the asynchronous cases (TC13, TC14.B) the test plays the data recipient: a small HTTP
server on 127.0.0.1 (ephemeral port) with OpenID discovery, a token endpoint (client
credentials, HTTP Basic) and /3/events that wants a bearer token it issued. The host must
answer at the recipient the request's `source` names, with a token from that recipient's
authorisation server, through the outbox (app/services/pact_events.py). Plain HTTP on
loopback needs development mode, which those tests switch on; the HTTPS cases keep it off.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from app.extensions import db
from app.persistence import PactOutbox
from app.persistence.types import utcnow
from app.services import pact_events, pact_host, transaction
from app.services.pact_partner import EventSender
from tests.app.api.pact_support import CONFORMANCE_CASES, OPENAPI
from tests.app.api.test_labels import issue

HTTPS = "https://localhost"
CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"


class Recipient:
    """A data recipient's PACT endpoints on 127.0.0.1: discovery names a token endpoint at a
    path other than /auth/token (so a host that skips discovery fails), the token endpoint
    wants HTTP Basic with the credentials it issued to the host, and /3/events wants a
    bearer token it issued. `fail_next` answers that many events with 503."""

    CLIENT_ID, SECRET = "host-at-recipient", "recipient-issued-secret"

    def __init__(self):
        self.log: list[tuple[str, str, int]] = []
        self.events: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.tokens: list[str] = []
        self.fail_next = 0
        recipient = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._answer(200, {"issuer": recipient.base,
                                       "token_endpoint": recipient.base + "/oauth2/token"})
                else:
                    self._answer(404, {"code": "NotFound", "message": self.path})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                auth = self.headers.get("Authorization", "")
                if self.path == "/oauth2/token":
                    basic = "Basic " + base64.b64encode(
                        f"{recipient.CLIENT_ID}:{recipient.SECRET}".encode()).decode()
                    if auth != basic or b"grant_type=client_credentials" not in body:
                        return self._answer(401, {"error": "invalid_client"})
                    recipient.tokens.append(f"token-{len(recipient.tokens) + 1}")
                    return self._answer(200, {"access_token": recipient.tokens[-1],
                                              "token_type": "Bearer", "expires_in": 3600})
                if self.path == "/3/events":
                    if auth.removeprefix("Bearer ") not in recipient.tokens:
                        return self._answer(401, {"code": "BadRequest",
                                                  "message": "Invalid token provided"})
                    if recipient.fail_next:
                        recipient.fail_next -= 1
                        return self._answer(503, {"code": "InternalError", "message": "busy"})
                    recipient.events.append((dict(self.headers), json.loads(body)))
                    return self._answer(200, None)
                self._answer(404, {"code": "NotFound", "message": self.path})

            def _answer(self, status, body):
                recipient.log.append((self.command, self.path, status))
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.events_url = self.base + "/3/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recipient():
    r = Recipient()
    yield r
    r.close()


@pytest.fixture
def pact(world, app, client, recipient, tmp_path):
    """One issued label of exporter A; a data recipient registered for exporter A with its
    events URL; what the recipient issued to us in the partners file (outside the DB)."""
    label, _ = issue(world)
    with app.app_context(), transaction() as session:
        registered, secret = pact_host.register_client(
            session, None, name="Recipient", organisation_ids=[world["ids"]["exp_a"]],
            events_url=recipient.events_url)
        client_id = registered.client_id
    partners = tmp_path / "pact-partners.json"
    partners.write_text(json.dumps({client_id: {"client_id": Recipient.CLIENT_ID,
                                                "client_secret": Recipient.SECRET}}))
    partners.chmod(0o600)
    app.config["PACT_PARTNERS_FILE"] = partners
    token = _token(client, client_id, secret).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    pf = client.get("/3/footprints", base_url=HTTPS, headers=headers).json["data"][0]
    return {"label": label, "client_id": client_id, "secret": secret, "headers": headers,
            "pf": pf, "partners": partners}


@pytest.fixture
def development(app, monkeypatch):
    """Plain HTTP allowed, as CARBONLABEL_PACT_ALLOW_HTTP=1 does, for a loopback recipient."""
    monkeypatch.setitem(app.config, "PACT_ALLOW_HTTP", True)


def _token(client, client_id: str, secret: str, base_url: str = HTTPS):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post("/auth/token", base_url=base_url, data="grant_type=client_credentials",
                       headers={"Authorization": f"Basic {basic}",
                                "Content-Type": "application/x-www-form-urlencoded"})


def _list(client, pact, query: str = ""):
    return client.get(f"/3/footprints{query}", base_url=HTTPS, headers=pact["headers"])


def _events(client, headers, body, base_url: str = HTTPS):
    return client.post("/3/events", base_url=base_url, data=json.dumps(body),
                       headers={**headers, "Content-Type":
                                "application/cloudevents+json; charset=UTF-8"})


def _request_event(event_id: str, source: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": event_id, "source": source,
            "time": "2023-05-19T10:30:00Z", "type": CREATED, "data": data}


def _deliver(app, pact, now: datetime | None = None, sender: EventSender | None = None
             ) -> int:
    """One round of the outbox worker (`carbonlabel pact worker`), as the CLI runs it."""
    own = sender is None
    sender = sender or EventSender(pact["partners"], allow_http=True)
    try:
        with app.app_context():
            return pact_events.deliver_due(sender, now=now)
    finally:
        if own:
            sender.close()


def _outbox(app) -> list[PactOutbox]:
    with app.app_context():
        rows = list(db.session.scalars(select(PactOutbox)))
        db.session.expunge_all()
        return rows


def _validate_footprints(pfs: list[dict[str, Any]]) -> None:
    if OPENAPI.is_file():
        from lca_models.pact import validate_product_footprint

        for pf in pfs:
            assert validate_product_footprint(pf, OPENAPI) == []


def _has_data(response) -> bool:
    body = response.get_json(silent=True)
    return isinstance(body, dict) and ("data" in body or "access_token" in body)


# --- the md file names every mandatory case ------------------------------------------------

def mandatory_case_ids(markdown: str) -> list[str]:
    """Case ids ("1", "14.A", …) whose section says `_Mandatory: V3.0_`."""
    ids = []
    for section in re.split(r"^## ", markdown, flags=re.M)[1:]:
        heading = re.match(r"Test Case #([0-9]+(?:\.[A-Z])?):", section)
        mandatory = re.search(r"^_Mandatory:(.*)_$", section, re.M)
        versions = {v.strip() for v in mandatory.group(1).split(",")} if mandatory else set()
        if heading and "V3.0" in versions:
            ids.append(heading.group(1))
    return ids


def test_every_mandatory_case_has_a_test():
    """Every case the official file marks Mandatory for V3.0 has a test here named after it."""
    if not CONFORMANCE_CASES.is_file():
        pytest.skip(f"no PACT conformance cases at {CONFORMANCE_CASES}")
    ids = mandatory_case_ids(CONFORMANCE_CASES.read_text("utf-8"))
    assert len(ids) == 39 and "14.A" in ids and "18" not in ids  # 18 and 19: Mandatory None
    names = [n for n in vars(sys.modules[__name__]) if n.startswith("test_tc")]
    missing = [i for i in ids if not any(
        n.startswith(f"test_tc{i.lower().replace('.', '')}_") for n in names)]
    assert missing == []


# --- authentication -------------------------------------------------------------------------

def test_tc1_obtain_auth_token_with_valid_credentials(client, pact):
    """TC1: POST {AUTH_BASE_URL}/auth/token, grant_type=client_credentials, Basic
    credentials: "Expected http status code: 200" with access_token, token_type, expires_in."""
    response = _token(client, pact["client_id"], pact["secret"])
    assert response.status_code == 200
    body = response.json
    assert body["access_token"] and body["token_type"].lower() == "bearer"
    assert body["expires_in"] == 3600


def test_tc2_obtain_auth_token_with_invalid_credentials(client, pact):
    """TC2: invalid Basic credentials: "Expected http status code: 400 or 401", body
    {"error": "invalid_client", ...}."""
    response = _token(client, pact["client_id"], "not-the-secret")
    assert response.status_code in (400, 401) and response.json["error"] == "invalid_client"
    unknown = _token(client, "pact-nobody", pact["secret"])
    assert unknown.status_code in (400, 401) and "access_token" not in unknown.json


def test_tc3_get_pcf_using_getfootprint(client, pact):
    """TC3: GET /3/footprints/{footprint_id}: "Expected http status code: 200" with
    {"data": <the ProductFootprint with that id>}."""
    pf_id = pact["pf"]["id"]
    response = client.get(f"/3/footprints/{pf_id}", base_url=HTTPS, headers=pact["headers"])
    assert response.status_code == 200 and response.json["data"]["id"] == pf_id
    assert pact["label"]["id"] in json.dumps(response.json["data"])
    _validate_footprints([response.json["data"]])


def test_tc4_get_all_pcfs_using_listfootprints(client, pact, world):
    """TC4: GET /3/footprints: "Expected http status code: 200 or 202", {"data": [...]}
    with every footprint the recipient may read."""
    issue(world)
    response = _list(client, pact)
    assert response.status_code in (200, 202)
    data = response.json["data"]
    assert len(data) == 2 and len({pf["id"] for pf in data}) == 2
    _validate_footprints(data)


def test_tc5_pagination_link_implementation_of_action_listfootprints(client, pact, world):
    """TC5: GET /3/footprints?offset=2 "or pagination URL from response links": "Expected
    http status code: 200" (the spec: an absolute `Link: <…>; rel="next"` on the request's
    host while more footprints remain, none on the last page)."""
    issue(world)
    issue(world)
    first = _list(client, pact, "?limit=2")
    assert first.status_code == 200 and len(first.json["data"]) == 2
    link = re.fullmatch(r'<(https://localhost/3/footprints\?[^>]+)>; rel="next"',
                        first.headers["Link"])
    assert link and "offset=2" in link.group(1) and "limit=2" in link.group(1)
    second = client.get(link.group(1).removeprefix(HTTPS), base_url=HTTPS,
                        headers=pact["headers"])
    assert second.status_code == 200 and len(second.json["data"]) == 1
    assert "Link" not in second.headers
    ids = {pf["id"] for pf in first.json["data"] + second.json["data"]}
    assert len(ids) == 3
    by_offset = _list(client, pact, "?offset=2")
    assert by_offset.status_code == 200 and by_offset.json == second.json


def test_tc6_attempt_listfootprints_with_invalid_token(client, pact):
    """TC6: GET /3/footprints with "authorization: Bearer invalid-access-token": "Expected
    http status codes: 400, 401 (Mandatory)", recommended body {"code": "BadRequest",
    "message": "Invalid token provided"}."""
    response = client.get("/3/footprints", base_url=HTTPS,
                          headers={"Authorization": "Bearer invalid-access-token"})
    assert response.status_code == 401
    assert response.json == {"code": "BadRequest", "message": "Invalid token provided"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tc7_attempt_getfootprint_with_invalid_token(client, pact):
    """TC7: GET /3/footprints/{footprint_id} with an invalid bearer token: "Expected http
    status codes: 400, 401 (Mandatory)", recommended body code BadRequest."""
    response = client.get(f"/3/footprints/{pact['pf']['id']}", base_url=HTTPS,
                          headers={"Authorization": "Bearer invalid-access-token"})
    assert response.status_code == 401 and response.json["code"] == "BadRequest"
    assert "data" not in response.json


def test_tc8_attempt_getfootprint_with_non_existent_pfid(client, pact):
    """TC8: GET /3/footprints/non-existent-id: "Expected http status code: 400, 404", body
    {"code": "NotFound", ...}."""
    for pf_id in ("non-existent-id", "0b6f4c0e-1111-4a8e-9d7c-000000000000"):
        response = client.get(f"/3/footprints/{pf_id}", base_url=HTTPS,
                              headers=pact["headers"])
        assert response.status_code == 404 and response.json["code"] == "NotFound"


def test_tc9_attempt_authentication_through_http_non_https(client, pact):
    """TC9: POST http://{AUTH_BASE_URL}/auth/token: "Connection should be rejected or
    response should not include authentication tokens"."""
    response = _token(client, pact["client_id"], pact["secret"], base_url="http://localhost")
    assert response.status_code == 403 and not _has_data(response)


def test_tc10_attempt_listfootprints_through_http_non_https(client, pact):
    """TC10: GET http://{API_BASE_URL}/3/footprints: "Connection should be rejected or
    response should not include data property"."""
    response = client.get("/3/footprints", base_url="http://localhost", headers=pact["headers"])
    assert response.status_code == 403 and not _has_data(response)


def test_tc11_attempt_getfootprint_through_http_non_https(client, pact):
    """TC11: GET http://{API_BASE_URL}/3/footprints/{footprint_id}: "Connection should be
    rejected or response should not include data property"."""
    response = client.get(f"/3/footprints/{pact['pf']['id']}", base_url="http://localhost",
                          headers=pact["headers"])
    assert response.status_code == 403 and not _has_data(response)


# --- events ---------------------------------------------------------------------------------

def test_tc12_send_pcf_creation_request_async(client, app, pact, recipient, development):
    """TC12: POST /3/events, a RequestCreatedEvent with data.productId: "Expected http
    status code: 200 (Mandatory)", "Example response body: empty (Recommended)". Here the
    answer is queued for the recipient its `source` names."""
    event = _request_event("test-run-id-12345", recipient.events_url, {
        "productId": [pact["pf"]["productIds"][0]],
        "comment": "Please send PCF data for this year."})
    response = _events(client, pact["headers"], event)
    assert response.status_code == 200 and response.data == b""
    [row] = _outbox(app)
    assert row.target_url == recipient.events_url
    assert row.event["data"]["requestEventId"] == "test-run-id-12345"


def test_tc13_call_back_with_a_request_fulfilled_event(client, app, pact, recipient,
                                                       development):
    """TC13: the host POSTs to the recipient's /3/events, with "Content-Type:
    application/cloudevents+json; charset=UTF-8" and "authorization: Bearer [BearerToken]"
    "obtained from the PACT Conformance Testing Service", a RequestFulfilledEvent whose
    data.requestEventId is the request's id and data.pfs the footprints asked for."""
    event = _request_event("test-run-id-12345", recipient.events_url,
                           {"productId": [pact["pf"]["productIds"][0]]})
    assert _events(client, pact["headers"], event).status_code == 200
    assert _deliver(app, pact) == 1
    assert recipient.log == [("GET", "/.well-known/openid-configuration", 200),
                             ("POST", "/oauth2/token", 200), ("POST", "/3/events", 200)]
    [(headers, answer)] = recipient.events
    assert headers["Content-Type"] == "application/cloudevents+json; charset=UTF-8"
    assert headers["Authorization"] == "Bearer token-1"
    assert answer["type"] == "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    assert answer["specversion"] == "1.0" and answer["id"] and answer["time"].endswith("Z")
    assert answer["data"]["requestEventId"] == "test-run-id-12345"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [pact["pf"]["id"]]
    _validate_footprints(answer["data"]["pfs"])
    [row] = _outbox(app)
    assert row.delivered_at is not None and row.attempts == 1 and row.last_error is None


def test_tc14a_request_for_the_creation_of_a_pcf_to_be_rejected(client, app, pact,
                                                                recipient, development):
    """TC14.A: POST /3/events, a RequestCreatedEvent for productId ["urn:null"]: "Expected
    http status code: 200 (Mandatory)", response body empty (recommended)."""
    event = _request_event("test-run-id-14a", recipient.events_url,
                           {"productId": ["urn:null"],
                            "comment": "Please send PCF data for this year."})
    response = _events(client, pact["headers"], event)
    assert response.status_code == 200 and response.data == b""
    [row] = _outbox(app)
    assert row.event["type"].endswith("RequestRejectedEvent.3")


def test_tc14b_call_back_with_a_request_rejected_event(client, app, pact, recipient,
                                                      development):
    """TC14.B: the host POSTs a RequestRejectedEvent to the recipient: data.requestEventId
    the request's id, data.error {"code": "NotFound", "message": "The requested footprint
    could not be found."}. A recipient that is busy at first is retried with backoff."""
    event = _request_event("test-run-id-14a", recipient.events_url, {"productId": ["urn:null"]})
    assert _events(client, pact["headers"], event).status_code == 200
    recipient.fail_next = 1
    now = utcnow()
    worker = EventSender(pact["partners"], allow_http=True)  # one worker process, two rounds
    assert _deliver(app, pact, now, worker) == 0
    [row] = _outbox(app)
    assert row.attempts == 1 and row.delivered_at is None and "HTTP 503" in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=2)  # the first backoff step
    assert _deliver(app, pact, now + timedelta(seconds=1), worker) == 0  # not due yet
    assert _deliver(app, pact, row.next_attempt_at, worker) == 1
    worker.close()
    [(headers, answer)] = recipient.events
    assert headers["Authorization"] == "Bearer token-1"  # one token, kept for the retry
    assert answer["type"] == "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
    assert answer["data"] == {"requestEventId": "test-run-id-14a", "error": {
        "code": "NotFound", "message": "The requested footprint could not be found."}}
    [row] = _outbox(app)
    assert row.delivered_at is not None and row.attempts == 2


def test_tc15_receive_notification_of_pcf_update_published_event(client, pact):
    """TC15: POST /3/events, a PublishedEvent: "Expected http status code: 200
    (Mandatory)", response body empty. The md's example lists a URN as pfId; the spec's
    PublishedEvent (data.pfIds items: format uuid) and TC40 make that malformed, and the
    conformance service sends a UUID, as here."""
    event = {"type": PUBLISHED, "specversion": "1.0",
             "id": "123e4567-e89b-12d3-a456-426614174000",
             "source": "https://webhook.example.com", "time": "2023-05-19T11:30:00Z",
             "data": {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}}
    response = _events(client, pact["headers"], event)
    assert response.status_code == 200 and response.data == b""


def test_tc16_attempt_action_events_with_invalid_token(client, app, pact):
    """TC16: POST /3/events with "authorization: Bearer invalid-access-token": "Expected
    http status codes: 400, 401 (Mandatory)", recommended body code BadRequest."""
    event = {"type": PUBLISHED, "specversion": "1.0", "id": "test-run-id-12345",
             "source": "https://webhook.example.com", "time": "2023-05-19T12:30:00Z",
             "data": {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}}
    response = _events(client, {"Authorization": "Bearer invalid-access-token"}, event)
    assert response.status_code == 401 and response.json["code"] == "BadRequest"
    assert _outbox(app) == []


def test_tc17_attempt_action_events_through_http_non_https(client, app, pact):
    """TC17: POST http://{API_BASE_URL}/3/events: "Connection should be rejected or
    response should not include data property"."""
    event = _request_event("test-run-id-12345", "https://webhook.example.com",
                           {"productId": ["urn:gtin:4712345060507"]})
    response = _events(client, pact["headers"], event, base_url="http://localhost")
    assert response.status_code == 403 and not _has_data(response)
    assert _outbox(app) == []


# --- filters --------------------------------------------------------------------------------

def _only(client, pact, query: str) -> list[dict[str, Any]]:
    response = _list(client, pact, query)
    assert response.status_code == 200, response.json
    return response.json["data"]


def test_tc20_filter_by_productid(client, pact):
    """TC20: GET /3/footprints?productId=urn:gtin:…: "Expected http status code: 200",
    the footprints whose productIds contain it."""
    product = pact["pf"]["productIds"][0]
    assert [pf["id"] for pf in _only(client, pact, f"?productId={product}")] == [pact["pf"]["id"]]


def test_tc21_filter_by_companyid(client, pact):
    """TC21: GET /3/footprints?companyId=urn:…: "Expected http status code: 200", the
    footprints whose companyIds contain it."""
    company = pact["pf"]["companyIds"][0]
    data = _only(client, pact, f"?companyId={company}")
    assert data and all(company in pf["companyIds"] for pf in data)


def test_tc22_filter_by_geography(client, pact):
    """TC22: GET /3/footprints?geography=DE: "Expected http status code: 200", the
    footprints in that geography (ours are in Guangdong, CN-GD, which is within CN)."""
    pcf = pact["pf"]["pcf"]
    place = pcf.get("geographyCountrySubdivision") or pcf["geographyCountry"]
    for value in (place, place.split("-")[0]):
        assert [pf["id"] for pf in _only(client, pact, f"?geography={value}")] == [
            pact["pf"]["id"]]


def test_tc23_filter_by_classification(client, pact):
    """TC23: GET /3/footprints?classification=urn:…: "Expected http status code: 200",
    the footprints with that productClassification."""
    classes = pact["pf"]["productClassifications"]
    assert classes
    from urllib.parse import quote

    data = _only(client, pact, f"?classification={quote(classes[0])}")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]


def test_tc24_filter_by_validon(client, pact):
    """TC24: GET /3/footprints?validOn=<date-time>: "Expected http status code: 200", the
    footprints with validityPeriodStart <= validOn <= validityPeriodEnd."""
    start = pact["pf"]["validityPeriodStart"]
    assert [pf["id"] for pf in _only(client, pact, f"?validOn={start}")] == [pact["pf"]["id"]]


def _shift(moment: str, days: int) -> str:
    when = datetime.fromisoformat(moment.replace("Z", "+00:00")) + timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_tc25_filter_by_validafter(client, pact):
    """TC25: GET /3/footprints?validAfter=<date-time>: "Expected http status code: 200",
    the footprints whose validity starts after it (one day before ours starts)."""
    after = _shift(pact["pf"]["validityPeriodStart"], -1)
    assert [pf["id"] for pf in _only(client, pact, f"?validAfter={after}")] == [pact["pf"]["id"]]


def test_tc26_filter_by_validbefore(client, pact):
    """TC26: GET /3/footprints?validBefore=<date-time>: "Expected http status code: 200",
    the footprints whose validity ends before it (one day after ours ends)."""
    before = _shift(pact["pf"]["validityPeriodEnd"], 1)
    assert [pf["id"] for pf in _only(client, pact, f"?validBefore={before}")] == [
        pact["pf"]["id"]]


def test_tc27_filter_by_status(client, pact):
    """TC27: GET /3/footprints?status=Active: "Expected http status code: 200", only
    Active footprints."""
    data = _only(client, pact, "?status=Active")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]] and data[0]["status"] == "Active"
    assert _only(client, pact, "?status=Deprecated") == []


def test_tc28_filter_by_status_and_productid(client, pact):
    """TC28: GET /3/footprints?status=Active&productId=…: "Expected http status code: 200",
    footprints matching both."""
    product = pact["pf"]["productIds"][0]
    data = _only(client, pact, f"?status=Active&productId={product}")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]


def test_tc29_filter_by_companyid_or_logic(client, pact):
    """TC29: GET /3/footprints?companyId=<ours>&companyId=urn:uuid:other-company&
    companyId=urn:uuid:another-company: "Expected http status code: 200", values of one
    criterion OR-ed."""
    company = pact["pf"]["companyIds"][0]
    data = _only(client, pact, f"?companyId={company}&companyId=urn:uuid:other-company"
                 "&companyId=urn:uuid:another-company")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]


def _negative(client, pact, case, query):
    """The negative filter cases TC30-TC39: "Expected http status code: 200" with
    {"data": []}, while the unfiltered list is not empty."""
    assert _only(client, pact, "") != []
    response = _list(client, pact, query)
    assert response.status_code == 200, case
    assert response.json == {"data": []}, case


def _negative_case(case: str, query: str, title: str):
    def test(client, pact):
        _negative(client, pact, case, query)
    test.__doc__ = f"{case}: {title} (negative): GET /3/footprints{query}: \"Expected http " \
                   "status code: 200\" with {\"data\": []}."
    return test


test_tc30_filter_by_productid_negative = _negative_case(
    "TC30", "?productId=urn:bogus:product:nonexistent123", "productId")
test_tc31_filter_by_companyid_negative = _negative_case(
    "TC31", "?companyId=urn:bogus:company:nonexistent456", "companyId")
test_tc32_filter_by_geography_negative = _negative_case("TC32", "?geography=XX", "geography")
test_tc33_filter_by_classification_negative = _negative_case(
    "TC33", "?classification=urn:bogus:classification:nonexistent789", "classification")
test_tc34_filter_by_validon_negative = _negative_case(
    "TC34", "?validOn=1900-01-01T00:00:00Z", "validOn")
test_tc35_filter_by_validafter_negative = _negative_case(
    "TC35", "?validAfter=2099-12-31T23:59:59Z", "validAfter")
test_tc36_filter_by_validbefore_negative = _negative_case(
    "TC36", "?validBefore=1900-01-01T00:00:00Z", "validBefore")
test_tc37_filter_by_status_negative = _negative_case(
    "TC37", "?status=BogusStatusValue", "status")
test_tc38_filter_and_logic_negative = _negative_case(
    "TC38", "?companyId=urn:bogus:company:5FIi8zS3&productId=urn:bogus:product:nonexistent123",
    "companyId AND productId")
test_tc39_filter_or_logic_negative = _negative_case(
    "TC39", "?companyId=urn:bogus:company:nonexistent1&companyId=urn:bogus:company:"
    "nonexistent2&companyId=urn:bogus:company:nonexistent3", "companyId OR companyId")


def test_tc40_failed_published_event_malformed_request(client, app, pact):
    """TC40, "Failed to Receive Notification of PCF Update (Published Event) - Malformed
    Request": "a malformed request can't be sent (pfId can't be an URN, but a UUID)",
    "Expected http status code: 400". The md's request is `GET /3/footprints?$filter=…`
    (v2's OData filter, deprecated in v3); the conformance service POSTs a PublishedEvent
    whose pfIds holds a URN. Both, and other malformed events, answer 400 BadRequest."""
    odata = _list(client, pact, "?$filter=created ge '2023-01-15T10:15:30Z'")
    assert odata.status_code == 400 and odata.json["code"] == "BadRequest"
    assert "$filter" in odata.json["message"] and "data" not in odata.json
    good = {"type": PUBLISHED, "specversion": "1.0", "id": "e-40",
            "source": "https://webhook.example.com", "time": "2023-05-19T11:30:00Z",
            "data": {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}}
    malformed = [
        {**good, "data": {"pfIds": ["urn:gtin:4712345060507"]}},
        {**good, "data": {"pfIds": "3a6c14a7-4deb-498a-b5ea-16ce2535b576"}},
        {**good, "data": {"pfIds": []}},
        {key: value for key, value in good.items() if key != "data"},
        {**good, "data": "pfIds"},
        {key: value for key, value in good.items() if key != "time"},
        {**good, "time": "yesterday"},
        {**good, "specversion": "0.3"},
        {**good, "type": "org.wbcsd.pact.ProductFootprint.Unknown.3"},
        {**good, "type": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
         "data": {"requestEventId": "r", "pfs": []}},
        {**good, "type": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
         "data": {"requestEventId": "r", "error": {"code": "Nope", "message": "x"}}},
        {**good, "type": CREATED, "data": {"productId": [1]}},
        {**good, "type": CREATED, "data": {"pf": {"productIds": ["urn:x"]}}},
    ]
    for event in malformed:
        response = _events(client, pact["headers"], event)
        assert response.status_code == 400, event
        assert response.json["code"] == "BadRequest" and response.json["message"], event
    not_json = client.post("/3/events", base_url=HTTPS, data="{", headers=pact["headers"])
    assert not_json.status_code == 400
    assert _events(client, pact["headers"], good).status_code == 200
    assert _outbox(app) == []


# --- beyond the cases: where answers may go, paging, delivery without a held transaction ----

def test_an_answer_goes_only_to_the_asking_partners_own_origin(client, app, pact, recipient,
                                                                development, world):
    """A `source` on another origin (a URL an attacker hands us, or another partner's) is
    refused with 400 and nothing is queued; so is one we hold no credentials for, and a
    client with no registered events URL. `//host/path` is read as https."""
    def ask(source, headers=pact["headers"]):
        return _events(client, headers, _request_event("r", source, {"productId": ["urn:x"]}))

    for source in ("http://169.254.169.254/latest/meta-data", "https://evil.example/3/events",
                   f"http://user:pw@127.0.0.1:{recipient.server.server_port}/3/events",
                   "ftp://127.0.0.1/3/events", "not a url",
                   f"{recipient.events_url}?{'x' * 600}"):
        response = ask(source)
        assert response.status_code == 400 and response.json["code"] == "BadRequest", source
    assert "not the origin registered" in ask("https://evil.example").json["message"]
    pact["partners"].write_text(json.dumps({"pact-someone-else": {
        "client_id": "x", "client_secret": "y"}}))
    assert "no credentials" in ask(recipient.events_url).json["message"]
    with app.app_context(), transaction() as session:
        other, secret = pact_host.register_client(session, None, name="No events URL",
                                                  organisation_ids=[world["ids"]["exp_a"]])
        other_id = other.client_id
    headers = {"Authorization": "Bearer " + _token(client, other_id, secret).json[
        "access_token"]}
    assert "none is registered" in ask(recipient.events_url, headers).json["message"]
    assert _outbox(app) == []
    assert pact_events.events_url_from_source("//api.example.com/3/events", False) == \
        "https://api.example.com/3/events"
    assert pact_events.events_url_from_source("https://webhook.example.com", False) == \
        "https://webhook.example.com/3/events"


def test_a_source_path_is_kept_on_the_registered_origin(client, app, pact, recipient,
                                                        development):
    """The answer goes to the path the `source` names (appending /3/events), not to the
    registered URL: here the recipient's base URL without a path."""
    event = _request_event("r-base", recipient.base, {"productId": ["urn:null"]})
    assert _events(client, pact["headers"], event).status_code == 200
    assert _outbox(app)[0].target_url == recipient.events_url
    assert _deliver(app, pact) == 1 and recipient.events[0][1]["data"]["requestEventId"] == \
        "r-base"


@pytest.mark.parametrize("limit", ["0", "-1", "1.5", "abc", "1" * 12, "2&limit=3"])
def test_limit_zero_or_invalid_never_links_to_itself(client, pact, world, limit):
    """limit=0 (valid in the spec's schema) is an empty page with no next link, which
    would point at the same page forever; invalid limits are 400 BadRequest."""
    issue(world)
    response = _list(client, pact, f"?limit={limit}")
    if limit == "0":
        assert response.status_code == 200 and response.json == {"data": []}
        assert "Link" not in response.headers
    else:
        assert response.status_code == 400 and response.json["code"] == "BadRequest"


def test_criteria_names_ignore_case(client, pact):
    """The spec's own example writes `productid` and `validon`."""
    product, start = pact["pf"]["productIds"][0], pact["pf"]["validityPeriodStart"]
    data = _only(client, pact, f"?productid={product}&VALIDON={start}")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]


def test_delivery_holds_no_transaction_during_the_call(app, pact, recipient, development,
                                                       client, database_url):
    """While the recipient is being called, another connection can write the very outbox
    row being delivered (no lock, no open write transaction)."""
    event = _request_event("r-lock", recipient.events_url, {"productId": ["urn:null"]})
    assert _events(client, pact["headers"], event).status_code == 200
    [row] = _outbox(app)
    other = create_engine(database_url, connect_args={"timeout": 0} if database_url.startswith(
        "sqlite") else {"options": "-c lock_timeout=200"})
    probes = []

    def send(target, body):
        with other.begin() as conn:
            probes.append(conn.execute(text(
                "UPDATE pact_outbox SET last_error = 'probe' WHERE id = :id"),
                {"id": row.id}).rowcount)
        assert target.events_url == recipient.events_url and body["type"].endswith(
            "RequestRejectedEvent.3")
        return 200

    try:
        with app.app_context():
            assert pact_events.deliver_due(send) == 1
    finally:
        other.dispose()
    assert probes == [1]
    [row] = _outbox(app)
    assert row.delivered_at is not None and row.last_error is None


def test_answers_for_a_revoked_partner_are_not_sent(client, app, pact, recipient, development):
    """Access revoked after the request was accepted: the answer is marked failed, unsent."""
    from app.persistence import PactClient

    event = _request_event("r-revoked", recipient.events_url, {"productId": ["urn:null"]})
    assert _events(client, pact["headers"], event).status_code == 200
    with app.app_context(), transaction() as session:
        session.scalars(select(PactClient)).one().revoked_at = utcnow()
    assert _deliver(app, pact) == 0
    [row] = _outbox(app)
    assert row.failed_at is not None and "revoked" in row.last_error and row.attempts == 1
    assert recipient.log == []
