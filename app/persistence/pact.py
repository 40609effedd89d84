"""PACT v3 data recipients (OAuth2 clients), their access tokens, and the event outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.persistence.types import UtcDateTime, new_id, utcnow


class PactClient(Model):
    """A trade partner's system; it may read the footprints of the exporters listed."""

    __tablename__ = "pact_clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    organisation_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    events_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PactToken(Model):
    __tablename__ = "pact_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("pact_clients.id"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PactOutbox(Model):
    """An event to deliver to a partner's /3/events, retried with backoff by the worker."""

    __tablename__ = "pact_outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("pact_clients.id"), index=True)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: where to POST it: a request's answer goes to the events URL its `source` named; None
    #: means the partner's registered events URL (app/services/pact_events.py)
    target_url: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class PactFootprint(Model):
    """What ListFootprints and GetFootprint filter on, for each label the host can express
    as a PACT ProductFootprint: written at issuance, its status kept current on revocation
    and supersession (app/services/pact_listing.py), so a listing reads one index range for
    its page instead of mapping every label of the client's exporters."""

    __tablename__ = "pact_footprints"
    __table_args__ = (
        # keyset pagination within what a client may see: its exporters, in listing order
        Index("ix_pact_footprints_org_keyset", "organisation_id", "created", "label_id"),
    )

    label_id: Mapped[str] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"),
                                          primary_key=True)
    pf_id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created: Mapped[datetime] = mapped_column(UtcDateTime)  # the label's issued_at
    status: Mapped[str] = mapped_column(String(16))  # "active" or "deprecated"
    valid_start: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_end: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PactFootprintTerm(Model):
    """One value a multi-valued filter matches (product id, company id, geography or
    classification), lower-cased because the filters ignore case. Host-dependent ids are
    stored with the host replaced by a mark (see pact_listing), so a change of PUBLIC_URL
    does not leave them stale."""

    __tablename__ = "pact_footprint_terms"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    label_id: Mapped[str] = mapped_column(
        ForeignKey("pact_footprints.label_id", ondelete="CASCADE"), primary_key=True,
        index=True)
