"""The append-only audit trail, hash-chained so that an edited or deleted entry shows.

Each entry's hash covers its own fields and the previous entry's hash (SHA-256 over RFC 8785
canonical JSON). Appends take a transaction-scoped lock on PostgreSQL, so concurrent
transactions queue instead of forking the chain; a unique constraint on `prev_hash` backs
that up. Callers append last in their transaction, after flushing their own changes, so the
lock is always taken in the same order and cannot deadlock with row locks.

Deferred appends (`append(..., deferred=True)`, what approvals do under batched log
sequencing) take no lock: the event is committed unchained in `audit_pending`, and the
sequencer chains every pending event in its batch transaction (`chain_pending`: under the
same lock, in the order they were written, deleting each row as it chains it), so one
sequencer transaction holds the lock through one commit for a whole batch of approvals
instead of each approval holding it through its own. The chain stays one chain, verified as
before; a deferred event is in it once its batch commits (within the log's merge delay),
and `pending_count` says how many wait. Why not a lock-free chain (entries hashed without a
predecessor, or one chain per process): the trail's guarantee is that a deleted or edited
entry shows, which needs one order that every entry commits to, and the sequencer already
is the one place where the log's order is decided under a lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, func, insert, select, text

from app.persistence import AuditEntry, PendingAuditEntry, User
from app.persistence.types import table_of, utcnow
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
           details: dict[str, Any] | None = None, actor_label: str | None = None,
           deferred: bool = False) -> AuditEntry | None:
    """Chain an entry (under the chain's lock, held until commit), or with `deferred` queue
    it unchained for the sequencer (no lock, no read; returns None)."""
    if deferred:
        session.add(PendingAuditEntry(**pending_row(
            actor, action, target_type=target_type, target_id=target_id, reason=reason,
            details=details, actor_label=actor_label)))
        return None
    last_seq, last_hash = _chain_end(session)
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
    session.info[_CHAIN] = (innermost_transaction(session), entry.seq, entry.entry_hash)
    return entry


def pending_row(actor: User | None, action: str, *, target_type: str | None = None,
                target_id: str | None = None, reason: str | None = None,
                details: dict[str, Any] | None = None, actor_label: str | None = None
                ) -> dict[str, Any]:
    """A deferred event as `append(..., deferred=True)` queues it, as a row for
    `insert_pending`."""
    return {"at": utcnow(), "actor_id": actor.id if actor else None,
            "actor": actor.email if actor else (actor_label or "system"), "action": action,
            "target_type": target_type, "target_id": target_id, "reason": reason,
            "details": details or {}}


def insert_pending(session: DbSession, rows: list[dict[str, Any]]) -> None:
    """Queue several deferred events in one statement, in the order given (the order the
    sequencer chains them in)."""
    if rows:
        session.execute(insert(table_of(PendingAuditEntry)), rows)


def _chain_end(session: DbSession) -> tuple[int, str]:
    """The chain's last seq and hash, the chain's lock held from here to commit."""
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
    return last_seq, last_hash


_PENDING_COLUMNS = ("at", "actor_id", "actor", "action", "target_type", "target_id",
                    "reason", "details")


def chain_pending(session: DbSession, limit: int | None = None) -> int:
    """Chain the pending (deferred) events, oldest first, up to `limit`, and delete them, in
    the caller's transaction; returns how many. Only the sequencer calls this, holding the
    log's lock, so no one else deletes pending rows meanwhile and they can be read before
    the chain's lock is taken (a row committed after the read waits for the next batch);
    the chain's lock is then taken (or used, when this transaction holds it already) as
    `append` takes it, after the log's: the order every transaction takes them in."""
    query = select(PendingAuditEntry.id, *(getattr(PendingAuditEntry, c)
                                           for c in _PENDING_COLUMNS)).order_by(
        PendingAuditEntry.id)
    rows = list(session.execute(query.limit(limit) if limit else query))
    if not rows:
        return 0
    seq, prev = _chain_end(session)
    values = []
    for row in rows:
        seq += 1
        values.append({**{c: getattr(row, c) for c in _PENDING_COLUMNS}, "seq": seq,
                       "prev_hash": prev})
        values[-1]["details"] = values[-1]["details"] or {}
        values[-1]["entry_hash"] = prev = _hash(values[-1])
    for start in range(0, len(values), 1000):  # bound the statement's parameters
        session.execute(insert(AuditEntry), values[start:start + 1000])
        session.execute(delete(PendingAuditEntry).where(PendingAuditEntry.id.in_(
            [r.id for r in rows[start:start + 1000]])).execution_options(
            synchronize_session=False))
    session.info[_CHAIN] = (innermost_transaction(session), seq, prev)
    return len(rows)


def pending_count(session: DbSession) -> int:
    """Deferred events not chained yet (the sequencer chains them within the merge delay)."""
    return session.scalar(select(func.count()).select_from(PendingAuditEntry)) or 0


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
    return _hash({"seq": entry.seq, "at": entry.at, "actor_id": entry.actor_id,
                  "actor": entry.actor, "action": entry.action,
                  "target_type": entry.target_type, "target_id": entry.target_id,
                  "reason": entry.reason, "details": entry.details, "prev_hash": entry.prev_hash})


def _hash(fields: dict[str, Any]) -> str:
    return sha256_hex({
        "seq": fields["seq"], "at": _timestamp(fields["at"]), "actor_id": fields["actor_id"],
        "actor": fields["actor"], "action": fields["action"],
        "target_type": fields["target_type"], "target_id": fields["target_id"],
        "reason": fields["reason"], "details": fields["details"] or {},
        "prev_hash": fields["prev_hash"],
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
    pending: int = 0  # deferred events the sequencer has not chained yet


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
    return ChainReport(count, True, pending=pending_count(session))
