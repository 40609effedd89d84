"""The PACT v3 host: data recipients authenticate with OAuth2 client credentials and read
the ProductFootprints of the exporters that granted them access; events arrive at
/3/events and answers go out through an outbox that a worker delivers with backoff."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.persistence import Label, Organisation, PactClient, PactOutbox, PactToken, User
from app.persistence.types import utcnow
from app.services import audit
from app.services.issuer import Issuer
from lca_models import pact
from lca_models.recognition import read_standards

SCOPES = ("footprint:list", "footprint:read")
TOKEN_SECONDS = 3600
EVENT_PREFIX = "org.wbcsd.pact.ProductFootprint."
CREATED, FULFILLED, REJECTED, PUBLISHED = (EVENT_PREFIX + n + ".3" for n in (
    "RequestCreatedEvent", "RequestFulfilledEvent", "RequestRejectedEvent", "PublishedEvent"))
#: PACT v3 (events): retry "using an exponential backoff strategy" and "abandon sending the
#: event after 72 hours" (openapi.yaml, the event descriptions). Waits double from 2 s and
#: stop growing at an hour, so a partner back from an outage hears from us within the hour.
GIVE_UP_AFTER = timedelta(hours=72)
MAX_WAIT = timedelta(hours=1)


class PactError(Exception):
    """An error with one of the specification's codes; `status` follows its table."""

    STATUS: ClassVar[dict[str, int]] = {
        "BadRequest": 400, "AccessDenied": 403, "TokenExpired": 401, "NotFound": 404,
        "InternalError": 500, "NotImplemented": 501}

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message, self.status = code, message, self.STATUS[code]


class OAuthError(Exception):
    """RFC 6749 §5.2 token-endpoint error."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _hash(secret: str) -> str:
    # Client secrets and tokens carry 256 random bits, so a fast hash is enough.
    return hashlib.sha256(secret.encode()).hexdigest()


def register_client(session: Session, actor: User | None, *, name: str,
                    organisation_ids: list[str], events_url: str | None = None,
                    scopes: tuple[str, ...] = SCOPES) -> tuple[PactClient, str]:
    """Returns the client and its secret (shown once, stored hashed)."""
    for org_id in organisation_ids:
        org = session.get(Organisation, org_id)
        if org is None or org.kind != "exporter":
            raise ValueError(f"{org_id} is not an exporter organisation")
    secret = secrets.token_urlsafe(32)
    client = PactClient(client_id="pact-" + secrets.token_hex(8), secret_hash=_hash(secret),
                        name=name, organisation_ids=list(organisation_ids),
                        scopes=[s for s in scopes if s in SCOPES], events_url=events_url)
    session.add(client)
    session.flush()
    audit.append(session, actor, "pact_client.registered", target_type="pact_client",
                 target_id=client.id, details={"name": name, "client_id": client.client_id,
                                               "organisations": organisation_ids})
    return client, secret


def issue_token(session: Session, client_id: str, secret: str, scope: str | None
                ) -> tuple[str, list[str]]:
    client = session.scalar(select(PactClient).where(PactClient.client_id == client_id))
    if client is None or client.revoked_at is not None or not secrets.compare_digest(
            client.secret_hash, _hash(secret)):
        raise OAuthError("invalid_client", "unknown client or wrong secret", 401)
    wanted = scope.split() if scope else list(client.scopes)
    if any(s not in client.scopes for s in wanted):
        raise OAuthError("invalid_scope", f"this client may ask for {' '.join(client.scopes)}")
    token = secrets.token_urlsafe(32)
    session.add(PactToken(token_hash=_hash(token), client_id=client.id, scopes=wanted,
                          expires_at=utcnow() + timedelta(seconds=TOKEN_SECONDS)))
    return token, wanted


def client_for_token(session: Session, header: str | None) -> tuple[PactClient, list[str]]:
    if not header or not header.startswith("Bearer "):
        raise PactError("AccessDenied", "send an access token from /auth/token")
    row = session.get(PactToken, _hash(header[7:].strip()))
    if row is None:
        raise PactError("AccessDenied", "the access token is not valid")
    if row.expires_at <= utcnow():
        raise PactError("TokenExpired", "the access token has expired; request a new one")
    client = session.get(PactClient, row.client_id)
    if client.revoked_at is not None:
        raise PactError("AccessDenied", "this client's access has been revoked")
    return client, list(row.scopes)


def require(scopes: list[str], needed: str) -> None:
    if needed not in scopes:
        raise PactError("AccessDenied", f"the access token lacks the {needed} scope")


def footprint_for_label(session: Session, label: Label, issuer: Issuer) -> dict[str, Any]:
    """The label as the PACT v3 ProductFootprint our host serves, for its exporter to hand
    to a buyer directly."""
    return pact.product_footprint(_facts(session, label, issuer))


def _facts(session: Session, label: Label, issuer: Issuer) -> pact.LabelFacts:
    subject = label.credential["credentialSubject"]
    meta = subject.get("recognitionMetadata") or {}
    period = meta.get("reference_period")
    result = label.request.calculation.result
    model = _carbon_in_kg(label.request.calculation.model_version.content)
    earlier = []
    current = label
    while current.supersedes_id:
        current = session.get(Label, current.supersedes_id)
        earlier.append(current.id)
    return pact.LabelFacts(
        label_id=label.id, created=label.issued_at, product=subject["product"],
        producer=subject["producer"], declared_unit=subject["declaredUnit"],
        boundary=subject["boundary"], footprint=subject["footprint"],
        factor_release=subject["factorRelease"], certifier=subject["certifier"],
        reference_period=(_date(period["start"]), _date(period["end"])) if period else (
            label.valid_from, label.valid_from),
        label_validity=(label.valid_from, label.valid_until),
        exclusions_percent=result.get("exclusions_percent", 0.0),
        primary_data_share=result["primary_data_share"],
        verification_url=issuer.url(f"/verify/{label.id}"),
        credential_url=issuer.url(f"/api/v1/labels/{label.id}/credential"),
        extension_schema_url=issuer.url("/pact/extensions/carbon-label/v1/schema.json"),
        organisation_id=label.organisation_id, product_id=label.product_id,
        revoked_at=label.revoked_at, superseded_by=label.superseded_by_id,
        supersedes=tuple(earlier), dqr=result.get("data_quality", {}).get("dqr"),
        standards=tuple((s.name, s.version or "") for s in read_standards(meta.get("standards"))),
        calculation=subject.get("calculation"), issuer_did=label.issuer_did,
        label_type=subject.get("labelType"), home_scheme=subject.get("homeScheme"),
        fossil_carbon_content_kg=model.get("carbon_content", {}).get("fossil", {}).get("kg"),
        biogenic_carbon_content_kg=model.get("carbon_content", {}).get("biogenic", {}).get(
            "kg"),
        product_mass_kg=_mass_kg(model),
    )


def _carbon_in_kg(content: dict[str, Any]) -> dict[str, Any]:
    """The model with its carbon content converted to kg (as validated at upload)."""
    from lca_models.units import conversion_factor

    out = dict(content)
    carbon = {}
    for kind, quantity in (content.get("carbon_content") or {}).items():
        if quantity:
            carbon[kind] = {"kg": quantity["amount"] * conversion_factor(quantity["unit"], "kg")}
    out["carbon_content"] = carbon
    return out


def _mass_kg(model: dict[str, Any]) -> float | None:
    from lca_models.units import conversion_factor

    mass = model.get("product_mass")
    return mass["amount"] * conversion_factor(mass["unit"], "kg") if mass else None


def _date(text: str):
    return datetime.fromisoformat(text).date()


def visible_footprints(session: Session, client: PactClient, issuer: Issuer
                       ) -> list[dict[str, Any]]:
    labels = session.scalars(select(Label).where(
        Label.organisation_id.in_(client.organisation_ids or [""])).order_by(
        Label.issued_at, Label.id))
    out = []
    for label in labels:
        try:
            out.append(pact.product_footprint(_facts(session, label, issuer)))
        except pact.PactMappingError:
            # Not expressible in PACT without inventing data (e.g. no carbon content or no
            # cross-sectoral standard declared, or not cradle-to-gate): not offered.
            continue
    return out


@dataclass(frozen=True)
class Filters:
    product_id: tuple[str, ...] = ()
    company_id: tuple[str, ...] = ()
    geography: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()
    valid_on: datetime | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None
    status: str | None = None

    @classmethod
    def from_mapping(cls, data: Any, getlist) -> Filters:
        def many(name: str) -> tuple[str, ...]:
            values = getlist(name)
            return tuple(v for value in values for v in
                         ([value] if isinstance(value, str) else value))

        def when(name: str) -> datetime | None:
            raw = data.get(name)
            if raw is None:
                return None
            try:
                moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
            except ValueError:
                raise PactError("BadRequest", f"{name} must be an RFC 3339 date-time") from None
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

        status = data.get("status")
        if status is not None and status.lower() not in ("active", "deprecated"):
            raise PactError("BadRequest", "status must be Active or Deprecated")
        return cls(many("productId"), many("companyId"), many("geography"),
                   many("classification"), when("validOn"), when("validAfter"),
                   when("validBefore"), status.lower() if status else None)

    def match(self, pf: dict[str, Any]) -> bool:
        """OR within one criterion, AND across criteria; string matches ignore case."""
        def any_of(wanted: tuple[str, ...], have: list[str]) -> bool:
            return not wanted or bool({w.lower() for w in wanted}
                                      & {h.lower() for h in have})

        pcf = pf["pcf"]
        places = [pcf.get(k) for k in ("geographyRegionOrSubregion", "geographyCountry",
                                        "geographyCountrySubdivision") if pcf.get(k)]
        subdivision = pcf.get("geographyCountrySubdivision")
        if subdivision:  # a footprint in CN-GD is also "within" CN
            places.append(subdivision.split("-")[0])
        start, end = pact.validity_period(pf)
        return (any_of(self.product_id, pf["productIds"])
                and any_of(self.company_id, pf["companyIds"])
                and any_of(self.geography, places)
                and any_of(self.classification, pf.get("productClassifications", []))
                and (self.valid_on is None or start <= self.valid_on <= end)
                and (self.valid_after is None or start > self.valid_after)
                and (self.valid_before is None or end < self.valid_before)
                and (self.status is None or pf["status"].lower() == self.status))


def find(session: Session, client: PactClient, issuer: Issuer, pf_id: str) -> dict[str, Any]:
    try:
        uuid.UUID(pf_id)
    except ValueError:
        raise PactError("BadRequest", "a footprint id is a UUID") from None
    for pf in visible_footprints(session, client, issuer):
        if pf["id"] == pf_id:
            return pf
    raise PactError("NotFound", "The requested footprint could not be found.")


def accept_event(session: Session, client: PactClient, event: Any, issuer: Issuer) -> None:
    """Validate an incoming CloudEvent; a request is answered later through the outbox."""
    if not isinstance(event, dict):
        raise PactError("BadRequest", "the body must be a CloudEvent JSON object")
    for name in ("type", "specversion", "id", "source"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise PactError("BadRequest", f"the event needs a string '{name}'")
    if event["specversion"] != "1.0":
        raise PactError("BadRequest", "specversion must be 1.0")
    kind = event["type"]
    if kind == CREATED:
        data = event.get("data")
        if not isinstance(data, dict):
            raise PactError("BadRequest", "a RequestCreatedEvent needs a data object")
        filters = Filters.from_mapping(data, lambda n: data.get(n) or [])
        found = [pf for pf in visible_footprints(session, client, issuer) if filters.match(pf)]
        answer = ({"type": FULFILLED, "data": {"requestEventId": event["id"], "pfs": found}}
                  if found else
                  {"type": REJECTED, "data": {"requestEventId": event["id"], "error": {
                      "code": "NotFound", "message": "no footprint matches the request"}}})
        _enqueue(session, client, answer, issuer)
    elif kind not in (FULFILLED, REJECTED, PUBLISHED):
        raise PactError("BadRequest", f"unknown event type {kind}")
    audit.append(session, None, "pact.event_received", target_type="pact_client",
                 target_id=client.id, actor_label=client.client_id,
                 details={"type": kind, "event_id": event["id"]})


def _enqueue(session: Session, client: PactClient, body: dict[str, Any], issuer: Issuer
             ) -> None:
    if not client.events_url:
        return
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": issuer.url("/3/events"),
             "time": clock.iso_z(utcnow()), **body}
    session.add(PactOutbox(client_id=client.id, event=event))
    session.flush()


def _event_time(item: PactOutbox) -> datetime:
    return datetime.strptime(item.event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def notify_published(session: Session, label: Label, issuer: Issuer) -> None:
    """Tell every client with access to the label's exporter that a footprint changed."""
    pf_id = pact.footprint_id(label.id)
    for client in session.scalars(select(PactClient).where(PactClient.revoked_at.is_(None))):
        if label.organisation_id in (client.organisation_ids or []) and client.events_url:
            _enqueue(session, client, {"type": PUBLISHED, "data": {"pfIds": [pf_id]}}, issuer)


def deliver_due(session: Session, send: Callable[[PactClient, dict[str, Any]], int],
                now: datetime | None = None) -> int:
    """Send due outbox events with send(client, event) -> HTTP status; back off on failure.
    `send` gets the partner's row, not only its URL, because the credentials to
    authenticate with are the partner's (app.services.pact_partner.EventSender)."""
    now = now or utcnow()
    due = session.scalars(select(PactOutbox).where(
        PactOutbox.delivered_at.is_(None), PactOutbox.failed_at.is_(None),
        PactOutbox.next_attempt_at <= now).order_by(PactOutbox.next_attempt_at).limit(50))
    delivered = 0
    for item in due:
        client = session.get(PactClient, item.client_id)
        item.attempts += 1
        try:
            status = send(client, item.event)
            ok, error = 200 <= status < 300, f"HTTP {status}"
        except Exception as exc:  # network failures are retried like error statuses
            ok, error = False, f"{type(exc).__name__}: {exc}"
        if ok:
            item.delivered_at = now
            delivered += 1
        else:
            item.last_error = error
            wait = min(timedelta(seconds=2 ** min(item.attempts, 20)), MAX_WAIT)
            if now + wait - _event_time(item) > GIVE_UP_AFTER:
                item.failed_at = now
            else:
                item.next_attempt_at = now + wait
    session.flush()
    return delivered
