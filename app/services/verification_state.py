"""What a verification reads: every mutable input of it, in *one* statement.

The label row with its stored credential as text, the certifier's name, the issuance log
entry, the latest signed tree head, the published status list as text and every published
key (app/services/verification.py says why one statement, and what a cache may do with it).
Built once, plain Core on the tables, executed through SQLAlchemy like every other query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import Connection, Select, Text, and_, bindparam, case, cast, func, select, true

from app.domain import NotFound
from app.persistence import (
    Label,
    LogEntry,
    Organisation,
    PendingLogEntry,
    SigningKey,
    StatusList,
    TreeHead,
)
from lca_models.messages import N_


@dataclass(frozen=True)
class State:
    """Every mutable input of a verification, as one statement read it."""

    label_id: str
    issuer_did: str
    credential_text: str
    credential_sha256: str
    status_list_number: int
    status_index: int
    valid_from: date
    valid_until: date
    revoked_at: datetime | None
    revocation_reason: str | None
    supersedes_id: str | None
    superseded_by_id: str | None
    certifier: str | None
    entry_index: int | None
    entry: bytes | None
    head_size: int | None
    head_root: bytes | None
    head_timestamp: datetime | None
    head_key_id: str | None
    head_checkpoint: str | None
    status_list_text: str | None
    keys_text: str | None  # "id multibase status did" per published key, comma separated
    suspended_at: datetime | None
    suspension_reason: str | None
    suspension_list_text: str | None  # the suspension list at the label's place, if stored
    pending: int  # 1 while the issuance waits for the sequencer (app/services/sequencer.py)


@lru_cache(maxsize=1)
def state_statement() -> Select:
    """Built once (construction costs more than running it); plain Core on the tables, so
    the ORM's compile and load machinery stays out of the hot path."""
    labels_t, entries_t = Label.__table__, LogEntry.__table__
    heads_t, lists_t, keys_t = TreeHead.__table__, StatusList.__table__, SigningKey.__table__
    head = (select(heads_t.c.size, heads_t.c.root_hash, heads_t.c.timestamp, heads_t.c.key_id,
                   heads_t.c.checkpoint).order_by(heads_t.c.size.desc()).limit(1)
            .subquery("head"))
    body = Organisation.__table__.alias("body")
    pending_t = PendingLogEntry.__table__
    pending = (select(func.count()).where(pending_t.c.label_id == labels_t.c.id,
                                          pending_t.c.kind == "issuance").scalar_subquery())
    listed, suspension_listed = (
        select(cast(lists_t.c.credential, Text))
        .where(lists_t.c.purpose == purpose, lists_t.c.number == labels_t.c.status_list_number)
        .scalar_subquery() for purpose in ("revocation", "suspension"))
    published = (select(func.aggregate_strings(
        keys_t.c.id + " " + keys_t.c.public_multibase + " "
        + case((keys_t.c.retired_at.is_(None), "current"), else_="retired") + " "
        + keys_t.c.issuer_did, ","))
        .scalar_subquery())
    return (select(labels_t.c.id, labels_t.c.issuer_did, cast(labels_t.c.credential, Text),
                   labels_t.c.credential_sha256, labels_t.c.status_list_number,
                   labels_t.c.status_index,
                   labels_t.c.valid_from, labels_t.c.valid_until, labels_t.c.revoked_at,
                   labels_t.c.revocation_reason, labels_t.c.supersedes_id,
                   labels_t.c.superseded_by_id, body.c.name, entries_t.c.leaf_index,
                   entries_t.c.entry, head.c.size, head.c.root_hash, head.c.timestamp,
                   head.c.key_id, head.c.checkpoint, listed, published,
                   labels_t.c.suspended_at, labels_t.c.suspension_reason, suspension_listed,
                   pending)
            .select_from(labels_t
                         .outerjoin(body, body.c.id == labels_t.c.certification_body_id)
                         .outerjoin(entries_t, and_(entries_t.c.label_id == labels_t.c.id,
                                                    entries_t.c.kind == "issuance"))
                         .outerjoin(head, true()))
            .where(labels_t.c.id == bindparam("label_id")).limit(1))


def read_state(connection: Connection, label_id: str) -> State:
    """The label's `State` as one statement reads it; NotFound when there is no such label."""
    row = connection.execute(state_statement(), {"label_id": label_id}).first()
    if row is None:
        raise NotFound(N_('no label %(label_id)s', label_id=label_id))
    return State(*row)


_STATE_FIELDS = fields(State)


def digest(state: State, today: date) -> bytes:
    """SHA-256 of the state and the date (`repr` of str, bytes, int, date and datetime values
    is unambiguous), so an entry holds 32 bytes rather than the credential's text."""
    text = repr((*(getattr(state, f.name) for f in _STATE_FIELDS), today))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
