"""ListFootprints and GetFootprint read from an index, not from every label.

Mapping a label to a ProductFootprint costs milliseconds (credential, calculation and model
are read and converted), so the host no longer maps all of a client's exporters' labels to
filter them: at issuance each label the host can express in PACT gets a row in
`pact_footprints` (its pf id, exporter, listing order, status and validity period) and rows
in `pact_footprint_terms` (the lower-cased values the multi-valued filters match). A
listing is then one SQL query, visibility (the client's exporters) and every filter in its
WHERE clause, read in (created, label id) order from the index on (organisation_id,
created, label_id); only the page's rows are mapped. A lookup reads the unique pf id index.

The status is the only field that changes after issuance: revocation and supersession call
`record_status`. Product and company ids that name this host (`urn:pact:<host>:...`) are
stored with the host replaced by HOST_MARK and a wanted id naming the current host is
rewritten the same way, so a move to another PUBLIC_URL leaves no stale ids.

Pagination: the next-page link carries the page's end as `offset` (what the spec's example
shows, and what a client may edit) and as a cursor `after`, the last row's (created, label
id). With a cursor the next page starts strictly after that key, so a label issued, revoked
or superseded between two pages neither repeats nor skips one; `offset` alone is honoured
with SQL OFFSET.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import Select, bindparam, exists, false, insert, select, tuple_, update
from sqlalchemy.engine import Connection

from app.persistence import (
    Calculation,
    Label,
    LabelRequest,
    ModelVersion,
    PactClient,
    PactFootprint,
    PactFootprintTerm,
)
from app.persistence.types import utcnow
from app.services import DbSession
from app.services.issuer import Issuer
from app.services.pact_host import Filters, ListQuery, PactError, earlier_ids, facts_of
from lca_models import pact

#: a page holds at most this many footprints, also when no `limit` is given (the spec: the
#: host MAY return fewer than asked, with a next-page link)
MAX_PAGE = 1000
#: stands for this host in stored `urn:pact:<host>:` ids; no host name contains `*`
HOST_MARK = "urn:pact:*:"
#: the index is computed with this issuer: only the host of its URLs reaches the indexed
#: values, and HOST_MARK replaces it
_PLACEHOLDER = Issuer(public_url="https://pact-host.invalid", keys_dir=Path("."))
_PLACEHOLDER_PREFIX = "urn:pact:pact-host.invalid:"
_TERM_KINDS = ("product", "company", "geography", "classification")


@dataclass(frozen=True)
class NextPage:
    offset: int
    after: str


def _portable(value: str, prefix: str) -> str:
    low = value.lower()
    return HOST_MARK + low[len(prefix):] if low.startswith(prefix) else low


def index_values(pf: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The indexed columns and (kind, value) terms of a footprint the placeholder issuer
    mapped; geography also holds a subdivision's country (CN-GD is within CN), as
    pact_host.Filters.match has it."""
    pcf = pf["pcf"]
    places = [pcf[k] for k in ("geographyRegionOrSubregion", "geographyCountry",
                               "geographyCountrySubdivision") if pcf.get(k)]
    if pcf.get("geographyCountrySubdivision"):
        places.append(pcf["geographyCountrySubdivision"].split("-")[0])
    terms = {("product", _portable(v, _PLACEHOLDER_PREFIX)) for v in pf["productIds"]}
    terms |= {("company", _portable(v, _PLACEHOLDER_PREFIX)) for v in pf["companyIds"]}
    terms |= {("geography", v.lower()) for v in places}
    terms |= {("classification", v.lower()) for v in pf.get("productClassifications", [])}
    start, end = pact.validity_period(pf)
    return ({"pf_id": pf["id"], "status": pf["status"].lower(), "valid_start": start,
             "valid_end": end}, sorted(terms))


def _rows(label: Any, result: dict[str, Any], model: dict[str, Any]
          ) -> tuple[dict[str, Any], list[dict[str, str]]] | None:
    try:
        pf = pact.product_footprint(facts_of(label, result, model, (), _PLACEHOLDER))
    except pact.PactMappingError:
        return None  # not offered over PACT (see pact_host.visible_footprints)
    columns, terms = index_values(pf)
    columns.update(label_id=label.id, organisation_id=label.organisation_id,
                   created=label.issued_at, updated_at=utcnow())
    return columns, [{"kind": k, "value": v, "label_id": label.id} for k, v in terms]


def record(session: DbSession, label: Label, superseded: Label | None = None) -> None:
    """Index a label just issued (no row when it cannot be expressed in PACT), and the
    status of the label it supersedes. Called by labels.issue_label once both are flushed."""
    record_many(session, [(label, label.request.calculation)])
    if superseded is not None:
        record_status(session, superseded)


def record_many(session: DbSession, issued: list[tuple[Any, Calculation]]) -> None:
    """Index labels just issued (a Label, or a row with its columns, each with its
    calculation), one INSERT a table."""
    footprints, terms = [], []
    for label, calculation in issued:
        rows = _rows(label, calculation.result, calculation.model_version.content)
        if rows is not None:
            footprints.append(rows[0])
            terms += rows[1]
    if footprints:
        session.execute(insert(PactFootprint), footprints)
    if terms:
        session.execute(insert(PactFootprintTerm), terms)


def record_status(session: DbSession, label: Any) -> None:
    """Revocation and supersession turn a footprint Deprecated (the only field of a
    footprint that changes after issuance)."""
    status = "deprecated" if label.revoked_at or label.superseded_by_id else "active"
    session.execute(update(PactFootprint).where(PactFootprint.label_id == label.id)
                    .values(status=status, updated_at=utcnow()))


def backfill(conn: Connection, batch: int = 500) -> int:
    """Index every label already issued (migration 0019), reading plain columns so later
    changes to the models cannot break it; returns how many were indexed."""
    from sqlalchemy import column, table

    types = Label.__table__.c
    labels = table("labels", *(column(name, types[name].type) for name in (
        "id", "request_id", "organisation_id", "product_id", "issued_at", "valid_from",
        "valid_until", "credential", "revoked_at", "superseded_by_id", "issuer_did")))
    requests = table("label_requests", column("id"), column("calculation_id"))
    calcs = table("calculations", column("id"), column("result", Calculation.result.type),
                  column("model_version_id"))
    versions = table("model_versions", column("id"),
                     column("content", ModelVersion.content.type))
    query = (select(labels, calcs.c.result, versions.c.content)
             .join(requests, requests.c.id == labels.c.request_id)
             .join(calcs, calcs.c.id == requests.c.calculation_id)
             .join(versions, versions.c.id == calcs.c.model_version_id)
             .order_by(labels.c.issued_at, labels.c.id))
    done, pending, terms = 0, [], []
    for row in conn.execute(query):
        label = SimpleNamespace(**{c.name: row._mapping[c] for c in labels.c},
                                supersedes_id=None)
        rows = _rows(label, row.result, row.content)
        if rows is None:
            continue
        pending.append(rows[0])
        terms += rows[1]
        if len(pending) >= batch:
            done += _flush(conn, pending, terms)
    return done + _flush(conn, pending, terms)


def _flush(conn: Connection, rows: list[dict[str, Any]], terms: list[dict[str, str]]) -> int:
    count = len(rows)
    if rows:
        conn.execute(insert(PactFootprint), rows)
    if terms:
        conn.execute(insert(PactFootprintTerm), terms)
    rows.clear()
    terms.clear()
    return count


def matching(client: PactClient, issuer: Issuer, filters: Filters) -> Select:
    """Label ids (and sort key) of the footprints the client may see that match the
    filters, in listing order: OR within one criterion, AND across criteria, strings
    compared lower-cased, as pact_host.Filters.match does in Python."""
    fp = PactFootprint
    query = select(fp.label_id, fp.created).where(
        fp.organisation_id.in_(list(client.organisation_ids or []) or [""]))
    prefix = f"urn:pact:{(urlparse(issuer.public_url).hostname or '').lower()}:"
    for kind, wanted in zip(_TERM_KINDS, (filters.product_id, filters.company_id,
                                          filters.geography, filters.classification),
                            strict=True):
        if not wanted:
            continue
        # a stored mark never matches a value sent with the mark in it
        values = sorted({_portable(w, prefix) for w in wanted
                         if not w.lower().startswith(HOST_MARK)})
        if not values:
            query = query.where(false())
            continue
        term = PactFootprintTerm
        query = query.where(exists().where(term.label_id == fp.label_id, term.kind == kind,
                                           term.value.in_(values)))
    if filters.valid_on is not None:
        query = query.where(fp.valid_start <= filters.valid_on, fp.valid_end >= filters.valid_on)
    if filters.valid_after is not None:
        query = query.where(fp.valid_start > filters.valid_after)
    if filters.valid_before is not None:
        query = query.where(fp.valid_end < filters.valid_before)
    if filters.status is not None:
        query = query.where(fp.status == filters.status)
    return query.order_by(fp.created, fp.label_id)


def list_page(session: DbSession, client: PactClient, issuer: Issuer, query: ListQuery
              ) -> tuple[list[dict[str, Any]], NextPage | None]:
    """One page of ListFootprints and where the next starts, if there is more. `limit=0`
    asks for an empty page, which cannot advance: no next link, so a client never loops."""
    size = MAX_PAGE if query.limit is None else min(query.limit, MAX_PAGE)
    if size == 0:
        return [], None
    select_ = matching(client, issuer, query.filters)
    if query.after is not None:
        created, label_id = _decode(query.after)
        select_ = select_.where(tuple_(PactFootprint.created, PactFootprint.label_id) > tuple_(
            bindparam(None, created, type_=PactFootprint.created.type), bindparam(None, label_id)))
    elif query.offset:
        select_ = select_.offset(query.offset)
    rows = session.execute(select_.limit(size + 1)).all()
    shown = rows[:size]
    data = _footprints(session, issuer, [r.label_id for r in shown])
    if len(rows) <= size:
        return data, None
    last = shown[-1]
    return data, NextPage(query.offset + size, _encode(last.created, last.label_id))


def footprints(session: DbSession, client: PactClient, issuer: Issuer, filters: Filters
               ) -> list[dict[str, Any]]:
    """Every footprint matching the filters (a RequestCreatedEvent's answer)."""
    ids = session.scalars(matching(client, issuer, filters).with_only_columns(
        PactFootprint.label_id)).all()
    return _footprints(session, issuer, list(ids))


def find(session: DbSession, client: PactClient, issuer: Issuer, pf_id: str) -> dict[str, Any]:
    """GetFootprint through the unique pf id index, only among the client's exporters. An
    id that is not a UUID names no footprint either: 404 NotFound, as the spec requires for
    a footprint that is not found (conformance case TC8)."""
    label_id = session.scalar(select(PactFootprint.label_id).where(
        PactFootprint.pf_id == pf_id,
        PactFootprint.organisation_id.in_(list(client.organisation_ids or []) or [""])))
    found = _footprints(session, issuer, [label_id]) if label_id else []
    if not found:
        raise PactError("NotFound", "The requested footprint could not be found.")
    return found[0]


def _footprints(session: DbSession, issuer: Issuer, label_ids: list[str]) -> list[dict[str, Any]]:
    """The labels mapped, in the order given: each with its calculation's result and its
    model's content in one query, whatever the page's size (a lookup's cost is mostly
    round trips, so one join rather than a query per relationship)."""
    if not label_ids:
        return []
    loaded = {label.id: (label, result, content) for label, result, content in session.execute(
        select(Label, Calculation.result, ModelVersion.content)
        .join(LabelRequest, LabelRequest.id == Label.request_id)
        .join(Calculation, Calculation.id == LabelRequest.calculation_id)
        .join(ModelVersion, ModelVersion.id == Calculation.model_version_id)
        .where(Label.id.in_(label_ids)))}
    out = []
    for label_id in label_ids:
        label, result, content = loaded[label_id]
        try:
            out.append(pact.product_footprint(facts_of(
                label, result, content, earlier_ids(session, label), issuer)))
        except pact.PactMappingError:
            continue  # indexed by an earlier release of the mapping, which could map it
    return out


def _encode(created: datetime, label_id: str) -> str:
    text = json.dumps([created.isoformat(), label_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    """The (created, label id) a cursor holds; an edited or truncated one is refused."""
    try:
        created, label_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None or not isinstance(label_id, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise PactError("BadRequest", "after is not a cursor this host gave out; start "
                        "again without it") from None
    return moment, label_id
