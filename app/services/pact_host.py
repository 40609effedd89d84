"""The PACT v3 host: data recipients authenticate with OAuth2 client credentials and read
the ProductFootprints of the exporters that granted them access. Events (/3/events) and the
outbox that answers them are in app/services/pact_events.py."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select

from app.persistence import Label, Organisation, PactClient, PactToken, User
from app.persistence.types import utcnow
from app.services import DbSession, audit
from app.services.issuer import Issuer
from lca_models import pact
from lca_models.messages import N_
from lca_models.recognition import read_standards

SCOPES = ("footprint:list", "footprint:read")
TOKEN_SECONDS = 3600
#: ListFootprints query parameters and RequestCreatedEvent criteria (spec 3.0.3), by their
#: lower-case name: the spec's own example writes `productid` and `validon`, so names match
#: without regard to case. Anything else is refused rather than silently ignored, because an
#: ignored filter would hand the recipient footprints it did not ask for.
CRITERIA = {n.lower(): n for n in ("productId", "companyId", "geography", "classification",
                                    "validOn", "validAfter", "validBefore", "status")}
#: `offset` and `after` are ours: the next-page links carry both (app/services/pact_listing.py)
PAGING = ("limit", "offset", "after")
#: a page size or offset beyond this is refused (no integer of thousands of digits)
MAX_PAGING_DIGITS = 9
MAX_CURSOR_CHARS = 200


class PactError(Exception):
    """An error with one of the specification's codes; `status` follows its table unless
    given (a missing or unknown access token is 401 with code BadRequest: the OpenAPI's
    UnauthorizedResponse, and the body the conformance cases TC6, TC7 and TC16 recommend)."""

    STATUS: ClassVar[dict[str, int]] = {
        "BadRequest": 400, "AccessDenied": 403, "TokenExpired": 401, "NotFound": 404,
        "InternalError": 500, "NotImplemented": 501}

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code, self.message = code, message
        self.status = status or self.STATUS[code]


class OAuthError(Exception):
    """RFC 6749 §5.2 token-endpoint error."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _hash(secret: str) -> str:
    # Client secrets and tokens carry 256 random bits, so a fast hash is enough.
    return hashlib.sha256(secret.encode()).hexdigest()


def register_client(session: DbSession, actor: User | None, *, name: str,
                    organisation_ids: list[str], events_url: str | None = None,
                    scopes: tuple[str, ...] = SCOPES) -> tuple[PactClient, str]:
    """Returns the client and its secret (shown once, stored hashed)."""
    for org_id in organisation_ids:
        org = session.get(Organisation, org_id)
        if org is None or org.kind != "exporter":
            raise ValueError(N_('%(org_id)s is not an exporter organisation', org_id=org_id))
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


def issue_token(session: DbSession, client_id: str, secret: str, scope: str | None
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


def client_for_token(session: DbSession, header: str | None) -> tuple[PactClient, list[str]]:
    """The client behind a bearer token: 401 when there is none or it is unknown or expired
    (the spec's 401 UnauthorizedResponse), 403 AccessDenied when the client was revoked."""
    if not header or not header.startswith("Bearer "):
        raise PactError("BadRequest", "send an access token from /auth/token", 401)
    row = session.get(PactToken, _hash(header[7:].strip()))
    if row is None:
        raise PactError("BadRequest", "Invalid token provided", 401)
    if row.expires_at <= utcnow():
        raise PactError("TokenExpired", "the access token has expired; request a new one")
    client = session.get_one(PactClient, row.client_id)
    if client.revoked_at is not None:
        raise PactError("AccessDenied", "this client's access has been revoked")
    return client, list(row.scopes)


def require(scopes: list[str], needed: str) -> None:
    if needed not in scopes:
        raise PactError("AccessDenied", f"the access token lacks the {needed} scope")


def footprint_for_label(session: DbSession, label: Label, issuer: Issuer) -> dict[str, Any]:
    """The label as the PACT v3 ProductFootprint our host serves, for its exporter to hand
    to a buyer directly. Raises lca_models.pact.PactMappingError (422 problem+json) when the
    label cannot be expressed without inventing data."""
    return pact.product_footprint(_facts(session, label, issuer))


def pact_unavailable_reason(session: DbSession, label: Label, issuer: Issuer) -> str | None:
    """Why the label cannot be expressed as a PACT footprint, or None when it can: pages
    offer the download only when it would succeed."""
    try:
        footprint_for_label(session, label, issuer)
    except pact.PactMappingError as exc:
        return str(exc)
    return None


def _facts(session: DbSession, label: Label, issuer: Issuer) -> pact.LabelFacts:
    calculation = label.request.calculation
    return facts_of(label, calculation.result, calculation.model_version.content,
                    earlier_ids(session, label), issuer)


def earlier_ids(session: DbSession, label: Label) -> tuple[str, ...]:
    """The ids of the labels `label` supersedes, nearest first (its precedingPfIds)."""
    earlier = []
    current = label
    while current.supersedes_id:
        current = session.get_one(Label, current.supersedes_id)
        earlier.append(current.id)
    return tuple(earlier)


def facts_of(label: Any, result: dict[str, Any], model_content: dict[str, Any],
             earlier: tuple[str, ...], issuer: Issuer) -> pact.LabelFacts:
    """The mapping's input from a label's columns (a Label, or a row with the same names:
    the listing index's back-fill reads plain rows), its calculation's result, its model's
    content and the ids of the labels it supersedes, nearest first."""
    subject = label.credential["credentialSubject"]
    meta = subject.get("recognitionMetadata") or {}
    period = meta.get("reference_period")
    model = _carbon_in_kg(model_content)
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
        supersedes=earlier, dqr=result.get("data_quality", {}).get("dqr"),
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


def visible_footprints(session: DbSession, client: PactClient, issuer: Issuer
                       ) -> list[dict[str, Any]]:
    """Every footprint the client may see, each label mapped here: the reference the
    listing index (app/services/pact_listing.py) is tested against, with Filters.match; the
    endpoints read the index, whose cost does not grow with the exporters' labels."""
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
    def from_criteria(cls, criteria: dict[str, list[Any]]) -> Filters:
        """From values keyed by the spec's criterion names. A `status` other than Active or
        Deprecated matches nothing (conformance case TC37 wants 200 and no footprints)."""
        def many(name: str) -> tuple[str, ...]:
            values = criteria.get(name, [])
            if any(not isinstance(v, str) for v in values):
                raise PactError("BadRequest", f"{name} must be a string or a list of strings")
            return tuple(values)

        def when(name: str) -> datetime | None:
            values = many(name)
            if len(values) > 1:
                raise PactError("BadRequest", f"{name} takes one date-time")
            if not values:
                return None
            return _instant(values[0], name)

        status = many("status")
        if len(status) > 1:
            raise PactError("BadRequest", "status takes one value")
        return cls(many("productId"), many("companyId"), many("geography"),
                   many("classification"), when("validOn"), when("validAfter"),
                   when("validBefore"), status[0].lower() if status else None)

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


def _instant(raw: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise PactError("BadRequest", f"{name} must be an RFC 3339 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def criteria_by_name(pairs: list[tuple[str, Any]], extra: tuple[str, ...] = ()
                     ) -> dict[str, list[Any]]:
    """(name, value) pairs keyed by the spec's spelling of the name, in any case; a list
    value contributes each item. Unknown names are refused, naming them: v2's OData
    `$filter` (deprecated in v3, conformance case TC40) or a misspelt criterion would
    otherwise be ignored and return more than was asked for."""
    known = CRITERIA | {n: n for n in extra}
    out: dict[str, list[Any]] = {}
    unknown = []
    for name, value in pairs:
        canonical = known.get(name.lower())
        if canonical is None:
            unknown.append(name)
            continue
        out.setdefault(canonical, []).extend(value if isinstance(value, list) else [value])
    if unknown:
        raise PactError("BadRequest", f"unsupported parameter(s) {', '.join(sorted(unknown))};"
                        f" this host filters by {', '.join(CRITERIA.values())}")
    return out


@dataclass(frozen=True)
class ListQuery:
    filters: Filters
    limit: int | None
    offset: int
    after: str | None = None  # a cursor from our own next-page link


def parse_list_query(pairs: list[tuple[str, str]]) -> ListQuery:
    """ListFootprints' query string: the filters, `limit` (0 or more, as the spec's schema
    says), our pagination `offset` and the cursor `after` our next-page links add."""
    criteria = criteria_by_name(pairs, PAGING)
    paging = {name: criteria.pop(name, []) for name in PAGING}

    def number(name: str) -> int | None:
        values = paging[name]
        if not values:
            return None
        if len(values) > 1 or not re.fullmatch(f"[0-9]{{1,{MAX_PAGING_DIGITS}}}", values[0]):
            raise PactError("BadRequest", f"{name} must be one integer from 0 to "
                            f"{10 ** MAX_PAGING_DIGITS - 1}")
        return int(values[0])

    after = paging["after"]
    if len(after) > 1 or (after and not 0 < len(after[0]) <= MAX_CURSOR_CHARS):
        raise PactError("BadRequest", "after takes one cursor from a next-page link")
    return ListQuery(Filters.from_criteria(criteria), number("limit"), number("offset") or 0,
                     after[0] if after else None)
