"""The append-only audit trail, hash-chained so that an edited or deleted entry shows.

Each entry's hash covers its own fields and the previous entry's hash (SHA-256 over RFC 8785
canonical JSON). Appends take a transaction-scoped lock on PostgreSQL, so concurrent
transactions queue instead of forking the chain; a unique constraint on `prev_hash` backs
that up. Callers append last in their transaction, after flushing their own changes, so the
lock is always taken in the same order and cannot deadlock with row locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select, text

from app.persistence import AuditEntry, User
from app.persistence.types import utcnow
from app.services import DbSession, innermost_transaction, keyset
from lca_models.canonical import sha256_hex

GENESIS = "0" * 64
LOCK_KEY = _LOCK_KEY = 7_346_011  # arbitrary: "the audit chain" among advisory locks
_CHAIN = "carbonlabel.audit_chain"  # session.info: (transaction, seq, hash) of our last append


def list_entries(session: DbSession, after: str | None, size: int) -> keyset.Page:
    """Entries, oldest first (the admin's view of the trail)."""
    return keyset.page(session, select(AuditEntry).order_by(AuditEntry.seq), after, size)


def append(session: DbSession, actor: User | None, action: str, *, target_type: str | None = None,
           target_id: str | None = None, reason: str | None = None,
           details: dict[str, Any] | None = None, actor_label: str | None = None) -> AuditEntry:
    transaction = innermost_transaction(session)
    held = session.info.get(_CHAIN)
    if held is not None and held[0] is transaction:
        # Our own earlier append in this transaction: the lock is still ours and nobody else
        # can have appended since, so its seq and hash are the chain's end (and the entries
        # go in with the transaction's next flush, in one statement).
        last_seq, last_hash = held[1], held[2]
    else:
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc())
            .limit(1)).first()
        last_seq, last_hash = (last.seq, last.entry_hash) if last else (0, GENESIS)
    entry = AuditEntry(
        at=utcnow(), actor_id=actor.id if actor else None,
        actor=actor.email if actor else (actor_label or "system"), action=action,
        target_type=target_type, target_id=target_id, reason=reason, details=details or {},
        prev_hash=last_hash,
    )
    entry.seq = last_seq + 1
    entry.entry_hash = entry_hash(entry)
    session.add(entry)
    # Keyed by the (innermost) transaction object: a new transaction, or a savepoint rolled
    # back to its parent, never matches, so it reads the chain's end from the table again.
    session.info[_CHAIN] = (transaction, entry.seq, entry.entry_hash)
    return entry


@lru_cache(maxsize=1)
def chain_end() -> tuple[Any, Any]:
    """Scalar subqueries for the chain's last seq and hash, for a caller that reads them in
    its own statement right after taking `LOCK_KEY` (see `hold`)."""
    last = select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    return (last.with_only_columns(AuditEntry.seq).scalar_subquery(),
            last.with_only_columns(AuditEntry.entry_hash).scalar_subquery())


def hold(session: DbSession, seq: int | None, last_hash: str | None) -> None:
    """The caller holds the chain's lock for the rest of its transaction (on PostgreSQL it
    took `LOCK_KEY` itself, together with another lock; SQLite lets one writer at a time in)
    and read the chain's end after that: `append` then starts from it without locking or
    reading again. Only for transactions that append last, like every other caller."""
    session.info[_CHAIN] = (innermost_transaction(session), seq or 0, last_hash or GENESIS)


def entry_hash(entry: AuditEntry) -> str:
    return sha256_hex({
        "seq": entry.seq, "at": _timestamp(entry.at), "actor_id": entry.actor_id,
        "actor": entry.actor, "action": entry.action, "target_type": entry.target_type,
        "target_id": entry.target_id, "reason": entry.reason, "details": entry.details or {},
        "prev_hash": entry.prev_hash,
    })


def _timestamp(at: datetime) -> str:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainReport:
    entries: int
    ok: bool
    first_broken_seq: int | None = None
    problem: str | None = None


def verify(session: DbSession) -> ChainReport:
    """Walk the chain from the start; name the first entry that is altered or missing."""
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(500):
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(count, False, expected_seq,
                               f"entry {expected_seq} is missing (next present is {entry.seq})")
        if entry.prev_hash != prev:
            return ChainReport(count, False, entry.seq,
                               f"entry {entry.seq} does not link to entry {entry.seq - 1}")
        if entry_hash(entry) != entry.entry_hash:
            return ChainReport(count, False, entry.seq,
                               f"entry {entry.seq} was altered after it was written")
        prev, expected_seq = entry.entry_hash, expected_seq + 1
    return ChainReport(count, True)
