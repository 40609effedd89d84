"""Issued labels, signing keys (public halves only) and the transparency log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    exists,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app import clock
from app.extensions import Model
from app.persistence.audit import BigId
from app.persistence.certification import LabelRequest
from app.persistence.types import UtcDateTime, utcnow


class SigningKey(Model):
    """The public half of an issuer key; the private half lives in a file, never here."""

    __tablename__ = "signing_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_multibase: Mapped[str] = mapped_column(String(64), unique=True)
    # the did:web this key is published under; after `issuer move` old keys keep the old DID
    issuer_did: Mapped[str] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PendingLogEntry(Model):
    """An event committed with the change it records (an issuance, supersession or
    revocation) and waiting for the sequencer (app/services/sequencer.py) to give it a leaf
    index. `id` orders the queue; `at` is when the event happened and is the entry's "at".
    The sequencer deletes the row in the transaction that appends the leaf, so an event is
    either pending or in the log, never both and never neither."""

    __tablename__ = "log_pending"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    label_id: Mapped[str] = mapped_column(ForeignKey("labels.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Label(Model):
    """An issued label. Its revocation bit is entry `status_index` of revocation list
    `status_list_number` (see app.services.status_lists); the pair is unique, and the partial
    index on the revoked pairs is what re-signing one list reads. A label issued since
    suspension exists has its suspension bit at the same place of the suspension lists
    (`suspendable`), and the partial index on the suspended pairs serves those lists."""

    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("status_list_number", "status_index"),
        Index("ix_labels_revoked_slots", "status_list_number", "status_index",
              postgresql_where=text("revoked_at IS NOT NULL"),
              sqlite_where=text("revoked_at IS NOT NULL")),
        Index("ix_labels_suspended_slots", "status_list_number", "status_index",
              postgresql_where=text("suspended_at IS NOT NULL"),
              sqlite_where=text("suspended_at IS NOT NULL")),
        # keyset pagination (app/services/keyset.py): each list's filter, then its order
        Index("ix_labels_keyset", "issued_at", "id"),
        Index("ix_labels_org_keyset", "organisation_id", "issued_at", "id"),
        Index("ix_labels_body_keyset", "certification_body_id", "issued_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # e.g. GBA-2026-XXXX-XXXX-C
    request_id: Mapped[str] = mapped_column(ForeignKey("label_requests.id"), unique=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    certification_body_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status_list_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status_index: Mapped[int] = mapped_column(Integer)  # within its list
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_keys.id"))
    issuer_did: Mapped[str] = mapped_column(String(255))  # the credential's signed issuer
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential_sha256: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # set while suspended (ISO/IEC 17065 7.11), cleared on reinstatement; the audit trail
    # keeps every suspension and reinstatement
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("labels.id"))
    superseded_by_id: Mapped[str | None] = mapped_column(ForeignKey("labels.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    request: Mapped[LabelRequest] = relationship()
    # Whether the issuance still waits for the sequencer (deferred: read only where shown,
    # e.g. the label listing undefers it for its page in the same query)
    inclusion_pending: Mapped[bool] = column_property(
        exists().where(PendingLogEntry.label_id == id, PendingLogEntry.kind == "issuance"),
        deferred=True)

    @property
    def lifecycle(self) -> str:
        """revoked, superseded, suspended, expired or valid: what the records say, before any
        of the cryptographic checks that verification adds."""
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_by_id:
            return "superseded"
        if self.suspended_at is not None:
            return "suspended"
        return "expired" if self.valid_until < clock.today() else "valid"

    @property
    def suspendable(self) -> bool:
        """Whether its signed credential has a suspension entry (labels issued before
        suspension existed have none, and signed credentials never change)."""
        status = self.credential.get("credentialStatus")
        return isinstance(status, list) and any(
            isinstance(e, dict) and e.get("statusPurpose") == "suspension" for e in status)

    @property
    def kg_co2e(self) -> float:
        return self.credential["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"]


class LogEntry(Model):
    """One leaf of the transparency log: an issuance, revocation or supersession."""

    __tablename__ = "log_entries"

    leaf_index: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    label_id: Mapped[str] = mapped_column(ForeignKey("labels.id"), index=True)
    entry: Mapped[bytes] = mapped_column(LargeBinary)  # the exact bytes that were hashed
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LogNode(Model):
    """A perfect subtree of the log, stored once complete (it never changes after)."""

    __tablename__ = "log_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class TreeHead(Model):
    """A signed tree head: the log's size and root at a moment, signed by the issuer key as a
    C2SP checkpoint. `checkpoint` is the signed note exactly as served; `signature` is the
    Ed25519 signature inside it (over the note text), `key_id` the key that made it."""

    __tablename__ = "tree_heads"

    size: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_keys.id"))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    checkpoint: Mapped[str | None] = mapped_column(Text)


class StatusList(Model):
    """One signed Bitstring Status List credential as last published: list `number` of its
    purpose (0, 1, ... as labels fill them). It changes only when a label it holds is
    revoked (suspended or reinstated), so it is signed then and served as stored."""

    __tablename__ = "status_lists"

    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)  # or "suspension"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False,
                                        default=0, server_default="0")
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

