"""The data recipient of the PACT conformance tests (a recipient's discovery, token endpoint
and /3/events on a loopback port) and helpers that call our endpoints as the conformance
service does. The fixtures are in conftest.py."""

from __future__ import annotations

import base64
import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.persistence import PactOutbox
from app.services import pact_events
from app.services.pact_partner import EventSender
from tests.app.api.pact_support import OPENAPI, answer_json

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
                answer_json(self, status, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.events_url = self.base + "/3/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def token(client, client_id: str, secret: str, base_url: str = HTTPS):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post("/auth/token", base_url=base_url, data="grant_type=client_credentials",
                       headers={"Authorization": f"Basic {basic}",
                                "Content-Type": "application/x-www-form-urlencoded"})


def list_footprints(client, pact, query: str = ""):
    return client.get(f"/3/footprints{query}", base_url=HTTPS, headers=pact["headers"])


def post_event(client, headers, body, base_url: str = HTTPS):
    return client.post("/3/events", base_url=base_url, data=json.dumps(body),
                       headers={**headers, "Content-Type":
                                "application/cloudevents+json; charset=UTF-8"})


def request_event(event_id: str, source: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": event_id, "source": source,
            "time": "2023-05-19T10:30:00Z", "type": CREATED, "data": data}


def deliver(app, pact, now: datetime | None = None, sender: EventSender | None = None
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


def outbox(app) -> list[PactOutbox]:
    with app.app_context():
        rows = list(db.session.scalars(select(PactOutbox)))
        db.session.expunge_all()
        return rows


def validate_footprints(pfs: list[dict[str, Any]]) -> None:
    if OPENAPI.is_file():
        from lca_models.pact import validate_product_footprint

        for pf in pfs:
            assert validate_product_footprint(pf, OPENAPI) == []


def has_data(response) -> bool:
    body = response.get_json(silent=True)
    return isinstance(body, dict) and ("data" in body or "access_token" in body)
