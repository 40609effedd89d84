"""PACT v3 events: what /3/events accepts, and the outbox that answers requests and tells
partners about published footprints.

Where answers go. A RequestCreatedEvent is answered (RequestFulfilledEvent or
RequestRejectedEvent) at the data recipient its `source` names, as the spec and the
conformance cases TC13/TC14.B expect. A caller must not be able to make us POST data, or
our bearer token, to a URL of its choosing (server-side request forgery, or a confused
deputy leaking one partner's footprints to another), so an event is only accepted for an
answer when all of these hold, and is refused with 400 otherwise (nothing is queued):

1. `source` is an absolute https URL (`//host/path` is read as https; http only in
   development, CARBONLABEL_PACT_ALLOW_HTTP=1), without user info;
2. its origin is the origin of the events URL registered for the asking partner (an admin
   set it: `pact register --events-url`), so a partner can only name itself;
3. we hold outbound credentials for that partner in the partners file
   (instance/pact-partners.json), found by its registration id or by the URL.

The answer goes to `source` (with `/3/events` appended when its path does not end so),
with a bearer token from that partner's authorisation server (discovery, then client
credentials; app/services/pact_partner.py). Redirects are not followed. PublishedEvents
answer no request and go to the registered events URL.

Delivery never holds a database transaction across an HTTP call: due rows are claimed (a
lease pushes their next attempt out) and committed, then sent, then the outcome recorded.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from app import clock
from app.persistence import Label, PactClient, PactOutbox
from app.persistence.types import new_id, table_of, utcnow
from app.services import DbSession, audit, pact_listing, transaction
from app.services.issuer import Issuer
from app.services.pact_host import (
    Filters,
    PactError,
    criteria_by_name,
)
from lca_models import pact

log = logging.getLogger(__name__)

EVENT_PREFIX = "org.wbcsd.pact.ProductFootprint."
CREATED, FULFILLED, REJECTED, PUBLISHED = (EVENT_PREFIX + n + ".3" for n in (
    "RequestCreatedEvent", "RequestFulfilledEvent", "RequestRejectedEvent", "PublishedEvent"))
EVENTS_PATH = "/3/events"
#: PACT v3 (events): retry "using an exponential backoff strategy" and "abandon sending the
#: event after 72 hours" (openapi.yaml, the event descriptions). Waits double from 2 s and
#: stop growing at an hour, so a partner back from an outage hears from us within the hour.
GIVE_UP_AFTER = timedelta(hours=72)
MAX_WAIT = timedelta(hours=1)
#: a claimed row is not due again for this long, so a worker that dies mid-call leaves it
#: to the next round rather than to nobody (longer than any HTTP timeout of the sender)
CLAIM_LEASE = timedelta(minutes=5)
BATCH = 50
MAX_URL_LENGTH = 500  # pact_outbox.target_url
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
_ERROR_CODES = ("BadRequest", "AccessDenied", "TokenExpired", "NotFound", "InternalError",
                "NotImplemented")


@dataclass(frozen=True)
class Recipient:
    """Who an outbox event goes to, detached from the database so that it can be handed to
    an HTTP call after the claiming transaction has committed."""

    registration_id: str  # our client_id of the partner ("pact-…")
    name: str
    events_url: str


Send = Callable[[Recipient, dict[str, Any]], int]


@dataclass(frozen=True)
class AnswerPolicy:
    """What decides whether a request's `source` may be answered (see the module doc)."""

    partners_file: Path
    allow_http: bool = False


def accept_event(session: DbSession, client: PactClient, event: Any, issuer: Issuer,
                 policy: AnswerPolicy) -> None:
    """Validate an incoming CloudEvent against the spec's event schemas (400 BadRequest
    naming the fault); a request is answered later through the outbox."""
    kind = _validate(event)
    data = event["data"]
    if kind == CREATED:
        target = answer_target(client, event["source"], policy)
        criteria = criteria_by_name([(k, v) for k, v in data.items() if k != "comment"])
        filters = Filters.from_criteria(criteria)
        found = pact_listing.footprints(session, client, issuer, filters)
        answer = ({"type": FULFILLED, "data": {"requestEventId": event["id"], "pfs": found}}
                  if found else
                  {"type": REJECTED, "data": {"requestEventId": event["id"], "error": {
                      "code": "NotFound",
                      "message": "The requested footprint could not be found."}}})
        _enqueue(session, client, answer, issuer, target)
    audit.append(session, None, "pact.event_received", target_type="pact_client",
                 target_id=client.id, actor_label=client.client_id,
                 details={"type": kind, "event_id": event["id"]})


def _validate(event: Any) -> str:
    if not isinstance(event, dict):
        raise PactError("BadRequest", "the body must be a CloudEvent JSON object")
    for name in ("type", "specversion", "id", "source"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise PactError("BadRequest", f"the event needs a string '{name}'")
    if event["specversion"] != "1.0":
        raise PactError("BadRequest", "specversion must be 1.0")
    if not isinstance(event.get("time"), str) or not _RFC3339.fullmatch(event["time"]):
        raise PactError("BadRequest", "the event needs a 'time' (RFC 3339 date-time)")
    kind, data = event["type"], event.get("data")
    if kind not in (CREATED, FULFILLED, REJECTED, PUBLISHED):
        raise PactError("BadRequest", f"unknown event type {kind}")
    if not isinstance(data, dict):
        raise PactError("BadRequest", "the event needs a 'data' object")
    if kind == PUBLISHED:
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids or not all(_is_uuid(i) for i in ids):
            raise PactError("BadRequest", "a PublishedEvent's data.pfIds must be a non-empty "
                            "list of footprint ids (UUIDs)")
    elif kind in (FULFILLED, REJECTED):
        if not isinstance(data.get("requestEventId"), str) or not data["requestEventId"]:
            raise PactError("BadRequest", "data.requestEventId must be a non-empty string")
        if kind == FULFILLED:
            pfs = data.get("pfs")
            if not isinstance(pfs, list) or not pfs or not all(
                    isinstance(pf, dict) and _is_uuid(pf.get("id")) for pf in pfs):
                raise PactError("BadRequest", "data.pfs must be a non-empty list of "
                                "ProductFootprints")
        else:
            error = data.get("error")
            if not isinstance(error, dict) or error.get("code") not in _ERROR_CODES or \
                    not isinstance(error.get("message"), str):
                raise PactError("BadRequest", "data.error must be an Error object with one "
                                f"of the codes {', '.join(_ERROR_CODES)} and a message")
    elif "comment" in data and not isinstance(data["comment"], str):
        raise PactError("BadRequest", "data.comment must be a string")
    return kind


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def events_url_from_source(source: str, allow_http: bool) -> str:
    """The events URL a `source` names: https (or http in development), no user info, and
    `/3/events` appended when the path does not already end with it. Raises BadRequest."""
    import httpx  # only when a request event arrives: the web app starts without httpx

    text = source.strip()
    if text.startswith("//"):
        text = "https:" + text
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise PactError("BadRequest", f"source {source!r} is not a URL") from None
    schemes = ("https", "http") if allow_http else ("https",)
    if url.scheme not in schemes or not url.host or url.userinfo:
        raise PactError("BadRequest", f"source {source!r} is not an https URL of a data "
                        "recipient; answers are only sent over TLS")
    path = url.path.rstrip("/")
    if not path.endswith(EVENTS_PATH):
        path += EVENTS_PATH
    target = str(url.copy_with(path=path, fragment=None))
    if len(target) > MAX_URL_LENGTH:
        raise PactError("BadRequest", f"source is longer than {MAX_URL_LENGTH} characters")
    return target


def answer_target(client: PactClient, source: str, policy: AnswerPolicy) -> str:
    """Where a request from `client` naming `source` is answered, or BadRequest saying why
    it cannot be (the three rules of the module doc)."""
    from lca_models.errors import PactConfigError
    from lca_models.pact_client import (  # the PACT client (httpx) loads only when answering
        find_credentials,
        load_partner_credentials,
        origin,
    )

    url = events_url_from_source(source, policy.allow_http)
    if not client.events_url:
        raise PactError("BadRequest", "requests are answered only at a partner's registered "
                        "origin, and none is registered for this client; ask the data owner "
                        "to register your events URL")
    if origin(url) != origin(client.events_url):
        raise PactError("BadRequest", f"source {origin(url)} is not the origin registered for "
                        f"this client ({origin(client.events_url)}); answers go only there")
    try:
        entries = (load_partner_credentials(policy.partners_file)
                   if policy.partners_file.exists() else {})
    except PactConfigError:
        log.exception("the PACT partners file cannot be used")
        raise PactError("InternalError", "the request cannot be answered now; "
                        "try again later") from None
    if find_credentials(entries, client.client_id, url, url.removesuffix(EVENTS_PATH),
                        origin(url)) is None:
        raise PactError("BadRequest", f"this host holds no credentials for {origin(url)}, so "
                        "it could not deliver an answer there; ask the data owner to add the "
                        "client credentials your host issued to it")
    return url


def _enqueue(session: DbSession, client: PactClient, body: dict[str, Any], issuer: Issuer,
             target_url: str | None = None) -> None:
    session.add(PactOutbox(client_id=client.id, event=_event(body, issuer),
                           target_url=target_url))
    session.flush()


def _event(body: dict[str, Any], issuer: Issuer) -> dict[str, Any]:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": issuer.url(EVENTS_PATH),
            "time": clock.iso_z(utcnow()), **body}


def notify_published(session: DbSession, label: Label, issuer: Issuer) -> None:
    """Tell every client with access to the label's exporter that a footprint changed."""
    notify_published_many(session, [label], issuer)


def notify_published_many(session: DbSession, labels: Sequence[Any], issuer: Issuer) -> None:
    """`notify_published` for each label (a Label, or anything with its `id` and
    `organisation_id`), in order: one read of the clients, one INSERT."""
    clients = session.execute(select(PactClient.id, PactClient.organisation_ids,
                                     PactClient.events_url)
                              .where(PactClient.revoked_at.is_(None))).all()
    rows = [{"id": new_id(), "client_id": client_id, "target_url": None,
             "event": _event({"type": PUBLISHED,
                              "data": {"pfIds": [pact.footprint_id(label.id)]}}, issuer)}
            for label in labels for client_id, organisations, events_url in clients
            if label.organisation_id in (organisations or []) and events_url]
    if rows:
        session.execute(insert(table_of(PactOutbox)), rows)


def deliver_due(send: Send, now: datetime | None = None, batch: int = BATCH) -> int:
    """Send due outbox events with send(recipient, event) -> HTTP status, backing off on
    failure: claim and commit, call with no transaction open, then record. Needs an app
    context; returns how many were delivered."""
    now = now or utcnow()
    with transaction() as session:
        claimed = _claim(session, now, batch)
    outcomes = []
    for item_id, recipient, event in claimed:
        try:
            status = send(recipient, event)
            outcomes.append((item_id, 200 <= status < 300, f"HTTP {status}"))
        except Exception as exc:  # network failures are retried like error statuses
            outcomes.append((item_id, False, f"{type(exc).__name__}: {exc}"))
    with transaction() as session:
        for item_id, ok, error in outcomes:
            _record(session.get_one(PactOutbox, item_id), ok, error, now)
    return sum(1 for _, ok, _ in outcomes if ok)


def _claim(session: DbSession, now: datetime, batch: int
           ) -> list[tuple[str, Recipient, dict[str, Any]]]:
    """Due rows, each pushed out by CLAIM_LEASE and counted as an attempt. On PostgreSQL
    rows another worker is claiming are skipped; SQLite lets one writer in at a time."""
    due = session.scalars(select(PactOutbox).where(
        PactOutbox.delivered_at.is_(None), PactOutbox.failed_at.is_(None),
        PactOutbox.next_attempt_at <= now).order_by(PactOutbox.next_attempt_at)
        .limit(batch).with_for_update(skip_locked=True))
    claimed = []
    for item in due:
        client = session.get_one(PactClient, item.client_id)
        item.attempts += 1
        if client.revoked_at is not None:
            item.failed_at, item.last_error = now, "the partner's access was revoked"
            continue
        url = item.target_url or client.events_url
        if not url:
            item.failed_at, item.last_error = now, "the partner has no events URL"
            continue
        item.next_attempt_at = now + CLAIM_LEASE
        claimed.append((item.id, Recipient(client.client_id, client.name, url),
                        dict(item.event)))
    session.flush()
    return claimed


def _record(item: PactOutbox, ok: bool, error: str, now: datetime) -> None:
    if ok:
        item.delivered_at, item.last_error = now, None
        return
    item.last_error = error
    wait = min(timedelta(seconds=2 ** min(item.attempts, 20)), MAX_WAIT)
    if now + wait - _event_time(item) > GIVE_UP_AFTER:
        item.failed_at = now
    else:
        item.next_attempt_at = now + wait


def _event_time(item: PactOutbox) -> datetime:
    return datetime.strptime(item.event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
