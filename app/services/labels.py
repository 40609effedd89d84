"""Issuing, revoking and superseding labels. Issuance happens inside the approval
transaction: label, signed credential, status-list slot and pending log entries exist
together or not at all; the sequencer gives the entries their leaf indexes within the merge
delay (app/services/sequencer.py), or this transaction does with LOG_SEQUENCER=inline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import aliased, defer, undefer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app import clock
from app.domain import Conflict, Forbidden, InvalidInput, NotFound
from app.persistence import (
    Calculation,
    Label,
    LabelRequest,
    ModelVersion,
    Organisation,
    Product,
    SigningKey,
    User,
)
from app.persistence.types import table_of, utcnow
from app.services import (
    DbSession,
    audit,
    keys,
    keyset,
    label_claims,
    pact_events,
    pact_listing,
    recognition,
    sequencer,
    status_lists,
    transparency_log,
)
from app.services.issuer import VC_CONTEXT, Issuer
from app.trust import label_ids, signing
from lca_models.canonical import sha256_hex
from lca_models.messages import N_


def normalise_id(text: str) -> str:
    """The canonical label ID, or InvalidInput naming the typo (before any lookup)."""
    try:
        return label_ids.normalise(text)
    except label_ids.LabelIdError as exc:
        raise InvalidInput(str(exc), field="label_id") from None


def get_label(session: DbSession, text: str) -> Label:
    label_id = normalise_id(text)
    label = session.get(Label, label_id)
    if label is None:
        raise NotFound(N_('no label %(label_id)s', label_id=label_id))
    return label


def list_labels(session: DbSession, user: User, after: str | None, size: int) -> keyset.Page:
    """Exporters: their labels. Certifiers: the labels their body issued. Admins: all."""
    query = select(Label).options(undefer(Label.inclusion_pending)).order_by(Label.issued_at,
                                                                            Label.id)
    if user.role == "exporter":
        query = query.where(Label.organisation_id == user.organisation_id)
    elif user.role == "certifier":
        query = query.where(Label.certification_body_id == user.organisation_id)
    return keyset.page(session, query, after, size)


def visible_label(session: DbSession, user: User, label_id: str) -> Label:
    """A label its exporter, its issuing body or an admin may look into beyond the public
    credential; 404 for anyone else."""
    label = session.get(Label, label_id)
    if label is None or not (user.role == "admin" or user.organisation_id in (
            label.organisation_id, label.certification_body_id)):
        raise NotFound(N_("no such label"))
    return label


def issue_label(session: DbSession, req: LabelRequest, reviewer: User, valid_until: date,
                issuer: Issuer) -> Label:
    """Issue the label of an approved request. The caller has locked the product's row (see
    `load_for_issuance`), so approvals of one product queue and each sees the label the
    previous one issued. Everything that does not depend on the log's position (allocation,
    the credential and its signature, the label row, the supersession, PACT events) happens
    before any lock but the product's; then the log's entries are queued (batched
    sequencing: no log lock at all, and the audit events deferred to the sequencer too, so
    no audit lock either) or, inline, appended under the log's lock, held until commit
    together with the audit chain's. The label is valid from this instant (UTC) to the
    end of `valid_until`, a UTC date (see app.clock). `BatchIssuance` is the same for a
    batch of requests, its writes one statement a table."""
    issued_at = clock.now()
    today = issued_at.date()
    check_validity(valid_until, today)
    candidate = label_ids.new_label_id(today.year)
    with session.no_autoflush:  # the request's UPDATE goes out with the label's INSERT
        slot, listed, suspension_listed, taken, previous_id, key_id, key_multibase, key_did = (
            session.execute(_allocation(session.get_bind().dialect.name),
                            {"candidate": candidate, "product_id": req.product_id,
                             "today": today, "entries": issuer.status_list_entries}).one())
    check_key(key_id, key_did, issuer)
    number, index = status_lists.place(slot, issuer)
    # The key's identity as a value (its row is not needed): the id names the verification
    # method, the public half must match the private key file. A rotation committed from
    # here on leaves this key retired, and labels signed with retired keys still verify.
    key = SigningKey(id=key_id, public_multibase=key_multibase, issuer_did=key_did)
    private = keys.load_private(issuer.keys_dir, key)
    label_id = _new_ids(session, today.year, 1)[0] if taken else candidate
    previous = session.get(Label, previous_id) if previous_id else None
    label = Label(**label_row(session, req, label_id, (number, index), valid_until, previous_id,
                              issuer, issued_at, (key.id, private)))
    session.add(label)
    if not listed:  # the list's first label: its bit is 0, the list changes on revocation
        status_lists.publish_new(session, issuer, number)
    if not suspension_listed:  # the same, for its suspension bit at the same place
        status_lists.publish_new(session, issuer, number, status_lists.SUSPENSION)
    pact_events.notify_published(session, label, issuer)
    session.flush()  # the new row first: the old one's superseded_by refers to it
    if previous is not None:
        previous.superseded_by_id, previous.superseded_at = label_id, issued_at
        session.flush()
    pact_listing.record(session, label, previous)
    sequencer.enqueue(session, "issuance", label_id, issuance_payload(label.credential_sha256))
    if previous is not None:
        sequencer.enqueue(session, "supersession", previous.id, supersession_payload(label_id))
    if issuer.log_inline:
        # The log's lock and the audit chain's, together, until commit: this transaction
        # appends to the chain before it commits anyway, and their ends are read in one go.
        audit_seq, audit_hash = transparency_log.lock(session, *audit.chain_end(),
                                                      also_lock=audit.LOCK_KEY)
        audit.hold(session, audit_seq, audit_hash)
        sequencer.integrate(session, issuer, signer=(key, private), locked=True,
                            chain_audit=False)
    # Batched: the audit events wait for the sequencer too, so the approval takes no global
    # lock at all (app/services/audit.py, "Deferred appends").
    audit.append(session, reviewer, "label.issued", **issued_event(req.id, label),
                 deferred=not issuer.log_inline)
    return label


def check_validity(valid_until: date, today: date) -> None:
    if valid_until <= today:
        raise InvalidInput(N_("a label must be valid until a future date"), field="valid_until")


def check_key(key_id: str | None, key_did: str | None, issuer: Issuer) -> None:
    """The active signing key (its id and DID, None when there is none) can sign for
    `issuer`."""
    if key_id is None:
        raise Conflict(N_("no signing key: an operator runs `carbonlabel keys generate` first"))
    if key_did != issuer.did:
        raise Conflict(N_(
            'the active signing key belongs to %(key_did)s, but the service is configured as '
            '%(did)s; see `carbonlabel issuer move`',
            key_did=key_did, did=issuer.did))


def label_row(session: DbSession, req: LabelRequest, label_id: str, slot: tuple[int, int],
              valid_until: date, supersedes: str | None, issuer: Issuer, issued_at: datetime,
              signer: tuple[str, Any]) -> dict[str, Any]:
    """The new label's columns, its credential built and signed with `signer` (the key's id
    and private half)."""
    key_id, private = signer
    credential = signing.sign(
        build_credential(session, req, label_id, slot, valid_until, supersedes, issuer,
                         issued_at),
        private, issuer.method_id(key_id), created=clock.iso_z(issued_at))
    return {"id": label_id, "request_id": req.id, "product_id": req.product_id,
            "organisation_id": req.organisation_id,
            "certification_body_id": req.certification_body_id, "issued_at": issued_at,
            "valid_from": issued_at.date(), "valid_until": valid_until,
            "status_list_number": slot[0], "status_index": slot[1], "key_id": key_id,
            "issuer_did": issuer.did, "credential": credential,
            "credential_sha256": sha256_hex(credential), "supersedes_id": supersedes}


def issuance_payload(credential_sha256: str) -> dict[str, Any]:
    return {"credential_sha256": credential_sha256}


def supersession_payload(superseded_by: str) -> dict[str, Any]:
    return {"superseded_by": superseded_by}


def issued_event(request_id: str, label: Any) -> dict[str, Any]:
    """The `label.issued` audit event's target and details (see `audit.append`)."""
    return {"target_type": "label", "target_id": label.id,
            "details": {"request_id": request_id, "supersedes": label.supersedes_id,
                        "credential_sha256": label.credential_sha256}}


class BatchIssuance:
    """Issue the labels of several approved requests as `issue_label` does one after
    another (each label its own ID, credential, signature, status-list slot, PACT index
    rows and events, pending log entries; a label supersedes its product's label in force,
    also one issued earlier in the batch), for batched sequencing only: a few reads for the
    whole batch (`start`), each label built and signed in plain Python (`add`, in the order
    `issue_label` would issue them, after the caller checked the request as `issue_label`
    does: `check_validity`, `check_key`), then one statement a table (`write`) instead of
    the unit of work's per-label flushes. The caller has locked the products
    (`lock_for_issuance`) and writes the approvals and the audit events (`add` returns each
    label's deferred `label.issued` event as a row for `audit.insert_pending`)."""

    def __init__(self, session: DbSession, reqs: Sequence[LabelRequest], valid_until: date,
                 issuer: Issuer) -> None:
        assert not issuer.log_inline, "inline sequencing issues one label at a time"
        self.valid_until, self.issuer = valid_until, issuer
        today = clock.today()
        self._slots = [status_lists.place(s, issuer) for s in status_lists.next_slots(
            session, len(reqs), issuer.status_list_entries)]
        self._stored = status_lists.stored(session, {number for number, _ in self._slots})
        self._ids = _new_ids(session, today.year, len(reqs))
        self._in_force = {product_id: label_id for product_id, label_id in session.execute(
            select(Label.product_id, Label.id)
            .where(Label.product_id.in_({req.product_id for req in reqs}), *_in_force_on(today))
            .order_by(Label.issued_at))}  # the latest in force of a product wins
        self._rows: list[dict[str, Any]] = []
        self._calculations: list[Calculation] = []
        self._superseded: list[dict[str, Any]] = []
        self._pending_log: list[dict[str, Any]] = []

    def add(self, session: DbSession, req: LabelRequest, reviewer: User,
            signer: tuple[str, Any]) -> tuple[str, dict[str, Any]]:
        """Build and sign the next label, for `req` (approved: its reviewed hashes set);
        returns its ID and its `label.issued` event."""
        number = len(self._rows)
        label_id, slot = self._ids[number], self._slots[number]
        issued_at = clock.now()
        previous_id = self._in_force.get(req.product_id)
        row = label_row(session, req, label_id, slot, self.valid_until, previous_id,
                        self.issuer, issued_at, signer)
        self._rows.append(row)
        self._calculations.append(req.calculation)
        self._in_force[req.product_id] = label_id
        at = utcnow()
        self._pending_log.append(sequencer.pending_row(
            "issuance", label_id, issuance_payload(row["credential_sha256"]), at))
        if previous_id is not None:
            self._superseded.append({"b_id": previous_id, "by": label_id, "at": issued_at})
            self._pending_log.append(sequencer.pending_row(
                "supersession", previous_id, supersession_payload(label_id), at))
        return label_id, audit.pending_row(reviewer, "label.issued", **issued_event(
            req.id, SimpleNamespace(id=label_id, supersedes_id=previous_id,
                                    credential_sha256=row["credential_sha256"])))

    def write(self, session: DbSession) -> None:
        """Store what `add` built: the lists its labels open, the labels, the PACT events
        and index rows, the supersessions and the pending log entries."""
        assert len(self._rows) == len(self._ids), "a label of the batch was not built"
        for number in sorted({number for number, _ in self._slots}):
            for purpose in status_lists.PURPOSES:  # a list's first label: its bits are 0
                if (purpose, number) not in self._stored:
                    status_lists.publish_new(session, self.issuer, number, purpose)
        session.execute(insert(table_of(Label)), self._rows)
        labels = [SimpleNamespace(**row, revoked_at=None, superseded_by_id=None)
                  for row in self._rows]
        pact_events.notify_published_many(session, labels, self.issuer)
        if self._superseded:
            session.execute(update(table_of(Label)).where(Label.id == bindparam("b_id"))
                            .values(superseded_by_id=bindparam("by"),
                                    superseded_at=bindparam("at")), self._superseded)
            for change in self._superseded:
                committed(session, Label, change["b_id"], superseded_by_id=change["by"],
                          superseded_at=change["at"])
        pact_listing.record_many(session, list(zip(labels, self._calculations, strict=True)))
        for change in self._superseded:
            pact_listing.record_status(session, SimpleNamespace(
                id=change["b_id"], revoked_at=None, superseded_by_id=change["by"]))
        sequencer.insert_pending(session, self._pending_log)


def committed(session: DbSession, model: type, key: Any, **values: Any) -> None:
    """Show a change a Core statement made to a row in the session's copy of it, if the
    session holds one, as loaded (no change pending: nothing is flushed again)."""
    obj = session.identity_map.get(identity_key(model, key))
    if obj is not None:
        for name, value in values.items():
            set_committed_value(obj, name, value)


def _new_ids(session: DbSession, year: int, count: int) -> list[str]:
    """`count` new label IDs, none taken and all different (one query for the batch), in
    the order drawn."""
    ids: list[str] = []
    for _ in range(10):
        candidates = [label_ids.new_label_id(year) for _ in range(count - len(ids))]
        taken = set(session.scalars(select(Label.id).where(Label.id.in_(candidates))))
        ids += [c for c in dict.fromkeys(candidates) if c not in taken and c not in ids]
        if len(ids) == count:
            return ids
    raise Conflict(N_("could not find an unused label ID; try again"))


def lock_for_issuance(session: DbSession, reqs: Sequence[LabelRequest]) -> list[Any]:
    """`load_for_issuance` for a batch, in one query: the products locked in the order of
    their ids (two batches sharing products cannot deadlock), and what approving the
    requests reads loaded into the session. The caller keeps the returned rows until the
    approvals are done."""
    body, producer = aliased(Organisation), aliased(Organisation)
    return list(session.execute(
        select(LabelRequest.id, Calculation, ModelVersion, Product, body, producer)
        .join(Calculation, Calculation.id == LabelRequest.calculation_id)
        .join(ModelVersion, ModelVersion.id == Calculation.model_version_id)
        .join(Product, Product.id == LabelRequest.product_id)
        .join(body, body.id == LabelRequest.certification_body_id)
        .join(producer, producer.id == LabelRequest.organisation_id)
        .where(LabelRequest.id.in_([req.id for req in reqs]))
        .options(defer(Calculation.inputs))
        .order_by(Product.id, LabelRequest.id)
        .with_for_update(of=Product, key_share=True)))


def active_key(session: DbSession) -> tuple[str | None, str | None, str | None]:
    """The active signing key's id, public key and DID (all None when there is none), as
    `_allocation` reads them."""
    row = session.execute(select(SigningKey.id, SigningKey.public_multibase,
                                 SigningKey.issuer_did)
                          .where(SigningKey.retired_at.is_(None)).limit(1)).first()
    return (row[0], row[1], row[2]) if row else (None, None, None)


def load_for_issuance(session: DbSession, req: LabelRequest) -> tuple[Any, ...]:
    """Load what approving `req` reads (calculation, model version, product, certification
    body, producer) in one query, and lock the product's row until commit (FOR NO KEY
    UPDATE: other approvals and revocations for the product wait, foreign-key checks do
    not); the lazy loads and `session.get` calls that follow find them in the session. The
    identity map holds objects weakly, so the caller keeps the returned row until the
    approval is done."""
    return tuple(session.execute(_issuance_rows(), {
        "calculation_id": req.calculation_id, "product_id": req.product_id,
        "body_id": req.certification_body_id, "producer_id": req.organisation_id}).one())


@lru_cache(maxsize=1)
def _issuance_rows() -> Select:
    """Built once: constructing a five-entity ORM select costs about as much as running it."""
    body, producer = aliased(Organisation), aliased(Organisation)
    return (select(Calculation, ModelVersion, Product, body, producer)
            .join(ModelVersion, ModelVersion.id == Calculation.model_version_id)
            .join(Product, Product.id == bindparam("product_id"))
            .join(body, body.id == bindparam("body_id"))
            .join(producer, producer.id == bindparam("producer_id"))
            .where(Calculation.id == bindparam("calculation_id"))
            .options(defer(Calculation.inputs))  # the reviewed hash is what approval reads
            .with_for_update(of=Product, key_share=True))


@lru_cache(maxsize=4)
def _allocation(dialect: str) -> Select:
    """What issuance reads once the product is locked, in one statement (built once): a
    status slot (see app.services.status_lists), whether the revocation and the suspension
    list holding it are stored, whether the random candidate ID is taken, the product's
    label in force and the active signing key's id, public key and DID."""
    slot = status_lists.slot_cte(dialect)
    return select(
        slot.c.n,
        status_lists.listed(slot.c.n // bindparam("entries")),
        status_lists.listed(slot.c.n // bindparam("entries"), status_lists.SUSPENSION),
        select(func.count()).select_from(Label)
        .where(Label.id == bindparam("candidate")).scalar_subquery(),
        select(Label.id).where(*_in_force(bindparam("product_id"), bindparam("today")))
        .order_by(Label.issued_at.desc()).limit(1).scalar_subquery(),
        *(select(column).where(SigningKey.retired_at.is_(None)).limit(1).scalar_subquery()
          for column in (SigningKey.id, SigningKey.public_multibase, SigningKey.issuer_did))
    ).select_from(slot)


def current_label(session: DbSession, product_id: str) -> Label | None:
    """The product's label that is still in force (not revoked, superseded or expired)."""
    return session.scalar(select(Label).where(*_in_force(product_id, clock.today()))
                          .order_by(Label.issued_at.desc()).limit(1))


def _in_force(product_id: Any, today: Any) -> tuple[Any, ...]:
    return (Label.product_id == product_id, *_in_force_on(today))


def _in_force_on(today: Any) -> tuple[Any, ...]:
    return (Label.revoked_at.is_(None), Label.superseded_by_id.is_(None),
            Label.valid_until >= today)


def revoke(session: DbSession, user: User, text: str, reason: str, issuer: Issuer) -> Label:
    """Revoke a label: re-sign only the list that holds it (its row locked, so revocations
    in one list queue), then append to the log, whose lock is taken last and so is held
    only for the append, the signed head and the audit entry."""
    label = get_label(session, text)
    if not (user.role == "admin" or (user.role == "certifier"
                                     and user.organisation_id == label.certification_body_id)):
        raise Forbidden(N_("only the issuing certification body or an admin can revoke"))
    if label.revoked_at is not None:
        raise Conflict(N_("the label is revoked already"), state="revoked")
    # The product's row, as an approval locks it: a new label for the product cannot decide
    # to supersede this one while the revocation is under way.
    # Revocations of one label queue on it too: one that committed while we waited is seen.
    session.execute(select(Product.id).where(Product.id == label.product_id)
                    .with_for_update(key_share=True))
    session.refresh(label)
    if label.revoked_at is not None:
        raise Conflict(N_("the label was revoked meanwhile"), state="revoked")
    label.revoked_at, label.revocation_reason = utcnow(), reason
    pact_listing.record_status(session, label)
    status_lists.publish(session, issuer, label.status_list_number)
    pact_events.notify_published(session, label, issuer)
    sequencer.enqueue(session, "revocation", label.id, {"reason": reason})
    if issuer.log_inline:
        sequencer.integrate(session, issuer)
    audit.append(session, user, "label.revoked", target_type="label", target_id=label.id,
                 reason=reason)
    return label


def build_credential(session: DbSession, req: LabelRequest, label_id: str,
                     slot: tuple[int, int], valid_until: date, supersedes: str | None,
                     issuer: Issuer, issued_at: datetime) -> dict[str, Any]:
    """The unsigned credential: valid from the issuance instant to 23:59:59Z of
    `valid_until`, both UTC (see app.clock). `slot`: (list number, index) of its
    revocation bit and of its suspension bit (W3C Bitstring Status List: an array of
    entries, one per purpose)."""
    calc, product = req.calculation, req.product
    result = calc.result
    body = session.get_one(Organisation, req.certification_body_id)
    producer = session.get_one(Organisation, req.organisation_id)
    subject: dict[str, Any] = {
        "id": issuer.label_url(label_id),
        "type": "CarbonFootprintLabel",
        "labelId": label_id,
        "labelType": req.label_type,
        "homeScheme": req.home_scheme,
        "product": _compact({"name": product.name, "nameZh": product.name_zh,
                             "gtin": product.gtin, "hsCode": product.hs_code,
                             "cnCode": product.cn_code}),
        "producer": _compact({"name": producer.name, "identifier": producer.identifier,
                              "country": producer.country,
                              "subdivision": producer.subdivision}),
        "declaredUnit": result["declared_unit"],
        "boundary": result["boundary"],
        "footprint": {"kgCO2ePerDeclaredUnit": result["kg_co2e_per_declared_unit"],
                      "iso14067": result["iso14067"], "gwpSet": result["gwp_set"],
                      "method": result["method"]},
        "factorRelease": result["factor_release"],
        "calculation": {"inputsSha256": req.reviewed_inputs_sha256,
                        "resultSha256": req.reviewed_result_sha256},
        "certifier": _compact({"name": body.name, "accreditationBody": body.accreditation_body,
                               "accreditationNumber": body.accreditation_number,
                               "accreditationStandard": body.accreditation_standard}),
    }
    if supersedes is not None:
        subject["supersedes"] = supersedes
    subject.update(label_claims.claims(session, req))
    subject["recognitionMetadata"] = recognition.metadata_for(req, body, valid_until,
                                                              issued_at.date())
    return {
        "@context": [VC_CONTEXT, issuer.context_url],
        "id": issuer.label_url(label_id),
        "type": ["VerifiableCredential", "CarbonLabelCredential"],
        "issuer": issuer.did,
        "validFrom": clock.iso_z(issued_at),
        "validUntil": clock.iso_z(clock.end_of_day(valid_until)),
        "credentialSubject": subject,
        "credentialStatus": status_lists.entries(issuer, *slot),
    }


def status_list_credential(session: DbSession, issuer: Issuer, number: int = 0,
                           purpose: str = status_lists.REVOCATION) -> dict[str, Any]:
    """The signed list `number` of `purpose` as published (see app.services.status_lists)."""
    return status_lists.credential(session, issuer, number, purpose)


def qr_target(label: Label, issuer: Issuer) -> str:
    """What the QR code encodes: a GS1 Digital Link URI (GTIN-14, served by this service and
    leading on to the label) when the product has a GTIN, else the verification page."""
    gtin = label.credential["credentialSubject"]["product"].get("gtin")
    if gtin:
        return issuer.url(f"/01/{gtin.zfill(14)}?label={label.id}")
    return issuer.verify_page(label.id)


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}



