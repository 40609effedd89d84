"""Batched sequencing of the transparency log (docs/transparency-log.md, "Sequencing").

An approval (or revocation) commits its change together with a *pending* entry
(`log_pending`: no leaf index yet) and does not wait for the log. The sequencer integrates
every pending entry in one transaction: under the log's lock it reads them in queue order,
appends them at consecutive leaf indexes (`transparency_log.append_batch`: nodes written
once, ONE signed checkpoint for the batch) and deletes the rows it integrated. So:

- no entry twice: the rows are deleted in the transaction that appends them, and the lock
  (PostgreSQL: an advisory transaction lock; SQLite: the database's single writer, taken
  first, as BEGIN IMMEDIATE would) lets one sequencer at a time read the queue;
- nothing lost: a sequencer killed at any point (even kill -9) leaves either its whole
  transaction committed or none of it, and the next run starts from the queue as it is;
- one checkpoint per tree size: `tree_heads.size` is the primary key and each batch signs
  the one size it reached.

Why a single integrating process (`carbonlabel sequencer`, a loop) rather than a Celery
task: the merge delay is a promise about wall time, and a loop that polls the queue every
quarter of the delay keeps it whatever the broker does (the embedded SQLite broker itself
polls once a second, which would spend the whole budget of the default 1 s delay before a
task even started); a queued task would still need the same database lock to be safe, so
the queue would add latency and a moving part without adding safety. Several sequencer
processes are harmless (they take turns on the lock); one is enough.

The sequencer also chains the audit events approvals deferred (`audit.chain_pending`, in the
same transaction, after the log's lock: see app/services/audit.py), so an approval under
batched sequencing takes neither the log's lock nor the audit chain's; one sequencer
transaction takes both for a whole batch.

`LOG_SEQUENCER=inline` integrates inside the approval's own transaction (the old
synchronous behaviour: the log's lock is held through the commit), for tests and for a
service that prefers one process to a merge delay.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, exists, insert, select, text

from app.domain import Conflict
from app.persistence import PendingAuditEntry, PendingLogEntry, SigningKey
from app.persistence.types import table_of, utcnow
from app.services import DbSession, audit, keys
from app.services import transparency_log as tlog
from app.services.issuer import Issuer

#: the largest batch one transaction integrates (memory and transaction length stay bounded;
#: a longer queue is integrated by the next batches, right away)
MAX_BATCH = 20_000


def _reached(point: str) -> None:
    """Fault tests only (tests/app/test_sequencer_faults.py): with
    CARBONLABEL_SEQUENCER_STOP_AT=<point> the sequencer says so on stderr and stops there, so
    the test can kill -9 it at exactly that point. Unset, this does nothing."""
    if os.environ.get("CARBONLABEL_SEQUENCER_STOP_AT") == point:
        print(f"sequencer stopped at {point}", file=sys.stderr, flush=True)
        time.sleep(3600)


@dataclass(frozen=True)
class Batch:
    first_index: int  # the leaf index of the batch's first entry
    size: int  # the tree size after the batch (its checkpoint's)
    count: int  # entries integrated
    oldest_wait_s: float  # how long the batch's oldest entry had been pending
    audit_chained: int = 0  # deferred audit events chained in the same transaction


def enqueue(session: DbSession, kind: str, label_id: str, payload: dict[str, Any]) -> None:
    """Record an event for the log, in the caller's transaction (it commits with the change
    it records, or not at all)."""
    session.add(PendingLogEntry(**pending_row(kind, label_id, payload, utcnow())))


def pending_row(kind: str, label_id: str, payload: dict[str, Any], at: datetime
                ) -> dict[str, Any]:
    """An event for the log as `enqueue` records it, as a row for `insert_pending`."""
    return {"kind": kind, "label_id": label_id, "payload": payload, "at": at}


def insert_pending(session: DbSession, rows: list[dict[str, Any]]) -> None:
    """Record several events for the log in one statement, queued in the order given."""
    if rows:
        session.execute(insert(table_of(PendingLogEntry)), rows)


def is_pending(session: DbSession, label_id: str) -> bool:
    """Whether the label's issuance waits for the sequencer."""
    return bool(session.scalar(select(exists().where(PendingLogEntry.label_id == label_id,
                                                     PendingLogEntry.kind == "issuance"))))


def _take_lock(session: DbSession) -> None:
    if session.get_bind().dialect.name == "sqlite":
        # A write first, before any read: the transaction holds SQLite's write lock from
        # here (as BEGIN IMMEDIATE would), so two sequencers never read the same queue.
        session.execute(text("DELETE FROM log_pending WHERE 0 = 1"))
    tlog.lock(session)


def integrate(session: DbSession, issuer: Issuer, limit: int = MAX_BATCH,
              signer: tuple[SigningKey, Ed25519PrivateKey] | None = None,
              locked: bool = False, chain_audit: bool = True) -> Batch | None:
    """Append every pending entry (up to `limit`, oldest first) in one batch with one signed
    checkpoint; None when nothing was pending. The caller commits (until then nothing of the
    batch exists for anyone else). `signer`: the active key and its private half, when the
    caller has them; `locked`: the caller took `transparency_log.lock` already;
    `chain_audit`: also chain the deferred audit events (up to twice `limit`: an approval
    defers two), which an approval integrating its own entry inline has none of."""
    if not locked:
        _take_lock(session)
    rows = list(session.execute(
        select(PendingLogEntry.id, PendingLogEntry.kind, PendingLogEntry.label_id,
               PendingLogEntry.payload, PendingLogEntry.at)
        .order_by(PendingLogEntry.id).limit(limit)))
    chained = audit.chain_pending(session, 2 * limit) if chain_audit else 0
    _reached("audit")
    if not rows:
        return None
    _reached("read")
    if signer is None:
        active = keys.active_key(session)
        if active is None:  # entries stay pending, nothing is lost
            raise Conflict("no signing key to sign the log's checkpoint: an operator runs "
                           "`carbonlabel keys generate` first")
        signer = (active, keys.load_private(issuer.keys_dir, active))
    key, private = signer
    created = tlog.append_batch(session, [(r.kind, r.label_id, dict(r.payload), r.at)
                                          for r in rows], key, private, issuer.log_origin)
    session.flush()
    _reached("appended")
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 1000):  # bound the statement's parameters
        session.execute(delete(PendingLogEntry).where(
            PendingLogEntry.id.in_(ids[start:start + 1000]))
            .execution_options(synchronize_session=False))
    _reached("deleted")
    oldest = min(r.at for r in rows)
    return Batch(created[0].leaf_index, created[-1].leaf_index + 1, len(created),
                 (utcnow() - oldest).total_seconds(), chained)


def run_once(issuer: Issuer, publish_to: Any = None,
             on_batch: Callable[[Batch], None] | None = None) -> int:
    """Integrate until the queue is empty, one committed batch at a time, publishing the
    static directory after each batch when `publish_to` is set; returns entries integrated.
    Needs an app context."""
    from app.services import transaction

    total = 0
    while True:
        with transaction() as session:  # a plain read first: no lock while idle
            if not session.scalar(select(exists().select_from(PendingLogEntry)
                                         | exists().select_from(PendingAuditEntry))):
                return total
        with transaction() as session:
            batch = integrate(session, issuer)
        if batch is None:
            return total
        total += batch.count
        if on_batch is not None:
            on_batch(batch)
        _reached("committed")
        if publish_to is not None:
            from app.services import publish

            with transaction() as session:
                publish.publish(session, issuer, publish_to)
        if batch.count < MAX_BATCH:
            return total


def loop(issuer: Issuer, delay_s: float, publish_to: Any = None,
         on_batch: Callable[[Batch], None] | None = None,
         should_stop: Callable[[], bool] = lambda: False) -> None:
    """Poll the queue every quarter of the merge delay and integrate what is there, so an
    entry waits at most a quarter of the delay plus the batch's own time (a batch of 20,000
    entries takes well under the default 1 s delay; docs/benchmarks.md)."""
    interval = max(delay_s / 4, 0.01)
    while not should_stop():
        started = time.monotonic()
        try:
            run_once(issuer, publish_to, on_batch)
        except Exception as exc:  # a database outage: the entries wait, the loop goes on
            from app.services import discard_session

            discard_session()
            print(f"sequencer: batch failed, retrying ({type(exc).__name__}: {exc})",
                  file=sys.stderr, flush=True)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
