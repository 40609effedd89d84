"""The event cases of the official PACT v3 conformance list (TC12-TC17, see
test_cases.py for the list and the test that every mandatory case has a test),
and what answering at a request's `source` must never do. For TC13 and TC14.B the test
plays the data recipient (support.Recipient): OpenID discovery, a token
endpoint and /3/events on a loopback port; the host must answer at the recipient the
request's `source` names, with a token from that recipient's authorisation server, through
the outbox. Plain HTTP on loopback needs development mode, which those tests switch on."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import create_engine, select, text

from app.persistence.types import utcnow
from app.services import pact_events, pact_host, transaction
from app.services.pact_partner import EventSender
from tests.app.api.pact_conformance.support import (
    PUBLISHED,
    deliver,
    has_data,
    outbox,
    post_event,
    request_event,
    token,
    validate_footprints,
)


def test_tc12_send_pcf_creation_request_async(client, app, pact, recipient, development):
    """TC12: POST /3/events, a RequestCreatedEvent with data.productId: "Expected http
    status code: 200 (Mandatory)", "Example response body: empty (Recommended)". Here the
    answer is queued for the recipient its `source` names."""
    event = request_event("test-run-id-12345", recipient.events_url, {
        "productId": [pact["pf"]["productIds"][0]],
        "comment": "Please send PCF data for this year."})
    response = post_event(client, pact["headers"], event)
    assert response.status_code == 200 and response.data == b""
    [row] = outbox(app)
    assert row.target_url == recipient.events_url
    assert row.event["data"]["requestEventId"] == "test-run-id-12345"


def test_tc13_call_back_with_a_request_fulfilled_event(client, app, pact, recipient,
                                                       development):
    """TC13: the host POSTs to the recipient's /3/events, with "Content-Type:
    application/cloudevents+json; charset=UTF-8" and "authorization: Bearer [BearerToken]"
    "obtained from the PACT Conformance Testing Service", a RequestFulfilledEvent whose
    data.requestEventId is the request's id and data.pfs the footprints asked for."""
    event = request_event("test-run-id-12345", recipient.events_url,
                           {"productId": [pact["pf"]["productIds"][0]]})
    assert post_event(client, pact["headers"], event).status_code == 200
    assert deliver(app, pact) == 1
    assert recipient.log == [("GET", "/.well-known/openid-configuration", 200),
                             ("POST", "/oauth2/token", 200), ("POST", "/3/events", 200)]
    [(headers, answer)] = recipient.events
    assert headers["Content-Type"] == "application/cloudevents+json; charset=UTF-8"
    assert headers["Authorization"] == "Bearer token-1"
    assert answer["type"] == "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    assert answer["specversion"] == "1.0" and answer["id"] and answer["time"].endswith("Z")
    assert answer["data"]["requestEventId"] == "test-run-id-12345"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [pact["pf"]["id"]]
    validate_footprints(answer["data"]["pfs"])
    [row] = outbox(app)
    assert row.delivered_at is not None and row.attempts == 1 and row.last_error is None


def test_tc14a_request_for_the_creation_of_a_pcf_to_be_rejected(client, app, pact,
                                                                recipient, development):
    """TC14.A: POST /3/events, a RequestCreatedEvent for productId ["urn:null"]: "Expected
    http status code: 200 (Mandatory)", response body empty (recommended)."""
    event = request_event("test-run-id-14a", recipient.events_url,
                           {"productId": ["urn:null"],
                            "comment": "Please send PCF data for this year."})
    response = post_event(client, pact["headers"], event)
    assert response.status_code == 200 and response.data == b""
    [row] = outbox(app)
    assert row.event["type"].endswith("RequestRejectedEvent.3")


def test_tc14b_call_back_with_a_request_rejected_event(client, app, pact, recipient,
                                                      development):
    """TC14.B: the host POSTs a RequestRejectedEvent to the recipient: data.requestEventId
    the request's id, data.error {"code": "NotFound", "message": "The requested footprint
    could not be found."}. A recipient that is busy at first is retried with backoff."""
    event = request_event("test-run-id-14a", recipient.events_url, {"productId": ["urn:null"]})
    assert post_event(client, pact["headers"], event).status_code == 200
    recipient.fail_next = 1
    now = utcnow()
    worker = EventSender(pact["partners"], allow_http=True)  # one worker process, two rounds
    assert deliver(app, pact, now, worker) == 0
    [row] = outbox(app)
    assert row.attempts == 1 and row.delivered_at is None and "HTTP 503" in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=2)  # the first backoff step
    assert deliver(app, pact, now + timedelta(seconds=1), worker) == 0  # not due yet
    assert deliver(app, pact, row.next_attempt_at, worker) == 1
    worker.close()
    [(headers, answer)] = recipient.events
    assert headers["Authorization"] == "Bearer token-1"  # one token, kept for the retry
    assert answer["type"] == "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
    assert answer["data"] == {"requestEventId": "test-run-id-14a", "error": {
        "code": "NotFound", "message": "The requested footprint could not be found."}}
    [row] = outbox(app)
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
    response = post_event(client, pact["headers"], event)
    assert response.status_code == 200 and response.data == b""


def test_tc16_attempt_action_events_with_invalidtoken(client, app, pact):
    """TC16: POST /3/events with "authorization: Bearer invalid-access-token": "Expected
    http status codes: 400, 401 (Mandatory)", recommended body code BadRequest."""
    event = {"type": PUBLISHED, "specversion": "1.0", "id": "test-run-id-12345",
             "source": "https://webhook.example.com", "time": "2023-05-19T12:30:00Z",
             "data": {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}}
    response = post_event(client, {"Authorization": "Bearer invalid-access-token"}, event)
    assert response.status_code == 401 and response.json["code"] == "BadRequest"
    assert outbox(app) == []


def test_tc17_attempt_action_events_through_http_non_https(client, app, pact):
    """TC17: POST http://{API_BASE_URL}/3/events: "Connection should be rejected or
    response should not include data property"."""
    event = request_event("test-run-id-12345", "https://webhook.example.com",
                           {"productId": ["urn:gtin:4712345060507"]})
    response = post_event(client, pact["headers"], event, base_url="http://localhost")
    assert response.status_code == 403 and not has_data(response)
    assert outbox(app) == []


# --- beyond the cases: where answers may go, paging, delivery without a held transaction ----

def test_an_answer_goes_only_to_the_asking_partners_own_origin(client, app, pact, recipient,
                                                                development, world):
    """A `source` on another origin (a URL an attacker hands us, or another partner's) is
    refused with 400 and nothing is queued; so is one we hold no credentials for, and a
    client with no registered events URL. `//host/path` is read as https."""
    def ask(source, headers=pact["headers"]):
        return post_event(client, headers, request_event("r", source, {"productId": ["urn:x"]}))

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
    headers = {"Authorization": "Bearer " + token(client, other_id, secret).json[
        "access_token"]}
    assert "none is registered" in ask(recipient.events_url, headers).json["message"]
    assert outbox(app) == []
    assert pact_events.events_url_from_source("//api.example.com/3/events", False) == \
        "https://api.example.com/3/events"
    assert pact_events.events_url_from_source("https://webhook.example.com", False) == \
        "https://webhook.example.com/3/events"


def test_a_source_path_is_kept_on_the_registered_origin(client, app, pact, recipient,
                                                        development):
    """The answer goes to the path the `source` names (appending /3/events), not to the
    registered URL: here the recipient's base URL without a path."""
    event = request_event("r-base", recipient.base, {"productId": ["urn:null"]})
    assert post_event(client, pact["headers"], event).status_code == 200
    assert outbox(app)[0].target_url == recipient.events_url
    assert deliver(app, pact) == 1 and recipient.events[0][1]["data"]["requestEventId"] == \
        "r-base"


def test_delivery_holds_no_transaction_during_the_call(app, pact, recipient, development,
                                                       client, database_url):
    """While the recipient is being called, another connection can write the very outbox
    row being delivered (no lock, no open write transaction)."""
    event = request_event("r-lock", recipient.events_url, {"productId": ["urn:null"]})
    assert post_event(client, pact["headers"], event).status_code == 200
    [row] = outbox(app)
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
    [row] = outbox(app)
    assert row.delivered_at is not None and row.last_error is None


def test_answers_for_a_revoked_partner_are_not_sent(client, app, pact, recipient, development):
    """Access revoked after the request was accepted: the answer is marked failed, unsent."""
    from app.persistence import PactClient

    event = request_event("r-revoked", recipient.events_url, {"productId": ["urn:null"]})
    assert post_event(client, pact["headers"], event).status_code == 200
    with app.app_context(), transaction() as session:
        session.scalars(select(PactClient)).one().revoked_at = utcnow()
    assert deliver(app, pact) == 0
    [row] = outbox(app)
    assert row.failed_at is not None and "revoked" in row.last_error and row.attempts == 1
    assert recipient.log == []
