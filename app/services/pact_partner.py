"""Our side as a client of partners' PACT hosts: the outbox worker's event deliveries.

A partner's /3/events wants a bearer token from the partner's own auth endpoint, got with
client credentials the partner issued to us. Those credentials are secrets of ours, so they
live in a file (0600) beside the signing keys, never in the database; see
docs/pact-exchange.md for its format. Tokens are cached per partner until shortly before
they expire, and a 401 fetches a new one once (lca_models.pact_client.ClientCredentialsAuth).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from app.services.pact_events import EVENTS_PATH, Recipient
from lca_models.errors import PactConfigError, PactExchangeError
from lca_models.messages import N_
from lca_models.pact_client import (
    ClientCredentials,
    ClientCredentialsAuth,
    error_for,
    find_credentials,
    load_partner_credentials,
    origin,
    require_https,
)

#: CloudEvents structured mode, UTF-8 as the conformance cases show the header
CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"


class PartnerDeliveryError(Exception):
    """An event could not be delivered; the message is safe to store (no secrets)."""


class EventSender:
    """send(recipient, event) for `pact_events.deliver_due`: POST the CloudEvent to the
    recipient's events URL (a request's `source`, or the registered one) with a bearer token
    from the partner's authorisation server, found by discovery at that URL's base. Raises
    PartnerDeliveryError on any failure, which the outbox records and retries with backoff.
    Redirects are not followed (httpx's default), so an answer cannot be bounced elsewhere.

    Keep one per worker process, so tokens are reused across rounds. The partners file is
    read again whenever it changes, so new credentials need no restart."""

    def __init__(self, partners_file: Path, *, allow_http: bool = False,
                 timeout: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.partners_file = Path(partners_file)
        self.allow_http = allow_http
        self._clock = clock
        self._http = httpx.Client(timeout=timeout, headers={
            "User-Agent": "carbonlabel-pact-events"})
        self._loaded_stamp: tuple[float, int] | None = None
        self._entries: dict[str, ClientCredentials] = {}
        self._auths: dict[tuple[str, ClientCredentials], ClientCredentialsAuth] = {}

    def close(self) -> None:
        self._http.close()

    def __call__(self, recipient: Recipient, event: dict[str, Any]) -> int:
        url = recipient.events_url
        secret = None
        try:
            credentials = self.credentials_for(recipient)
            secret = credentials.client_secret
            require_https(url, self.allow_http, "the partner's events URL")
            response = self._http.post(
                url, content=json.dumps(event).encode(), auth=self._auth(url, credentials),
                headers={"Content-Type": CONTENT_TYPE})
        except PactExchangeError as exc:
            raise PartnerDeliveryError(_redact(str(exc), secret)) from None
        except httpx.HTTPError as exc:
            raise PartnerDeliveryError(_redact(f"{type(exc).__name__} posting to {url}: {exc}",
                                              secret)) from None
        if not 200 <= response.status_code < 300:
            raise PartnerDeliveryError(_redact(str(error_for(response, "event delivery")),
                                               secret))
        return response.status_code

    def credentials_for(self, recipient: Recipient) -> ClientCredentials:
        """Looked up by our registration id of the partner, then the events URL, then the
        events URL's origin (a host shared by several partners needs the id form)."""
        self._reload()
        url = recipient.events_url
        found = find_credentials(self._entries, recipient.registration_id, url,
                                 url.removesuffix(EVENTS_PATH), origin(url) if url else None)
        if found is None:
            raise PactConfigError(
                N_(
                    "no outbound credentials for partner '%(name)s' (%(registration_id)s, "
                    "%(url)s) in %(partners_file)s: add the client id and secret the partner "
                    "issued to us (docs/pact-exchange.md)",
                    name=recipient.name, registration_id=recipient.registration_id, url=url,
                    partners_file=self.partners_file))
        return found

    def _auth(self, events_url: str, credentials: ClientCredentials) -> ClientCredentialsAuth:
        base = events_url.removesuffix(EVENTS_PATH) if events_url.endswith(EVENTS_PATH) \
            else origin(events_url)
        key = (base, credentials)
        if key not in self._auths:
            self._auths[key] = ClientCredentialsAuth(credentials, base,
                                                     allow_http=self.allow_http,
                                                     clock=self._clock)
        return self._auths[key]

    def _reload(self) -> None:
        try:
            info = self.partners_file.stat()
        except FileNotFoundError:
            self._entries, self._loaded_stamp = {}, None
            return
        stamp = (info.st_mtime, info.st_size)
        if stamp != self._loaded_stamp:
            self._entries = load_partner_credentials(self.partners_file)
            self._loaded_stamp = stamp


def _redact(text: str, secret: str | None) -> str:
    """A partner's error text could echo what we sent; the secret never reaches the outbox."""
    return text.replace(secret, "[secret]") if secret else text
