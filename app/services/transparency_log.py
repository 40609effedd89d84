"""The transparency log: every issuance, revocation and supersession is a leaf of an RFC 9162
Merkle tree, appended in the same transaction as the change it records, with a tree head
after each append signed as a C2SP checkpoint (docs/transparency-log.md). Only perfect
subtrees are stored (`log_nodes`), so every proof costs O(log n) reads however long the log
grows.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import Connection, func, select, text, tuple_
from sqlalchemy.orm import SessionTransaction

from app.domain import InvalidInput, NotFound
from app.persistence import LogEntry, LogNode, SigningKey, TreeHead
from app.persistence.types import utcnow
from app.services import DbSession, innermost_transaction
from app.trust import checkpoint, merkle, note
from lca_models.canonical import canonical_json

_LOCK_KEY = 7_346_012  # "the transparency log" among advisory locks
T = TypeVar("T")


def _with_nodes(session: DbSession | Connection,
                compute: Callable[[Callable[[int, int], bytes]], T]) -> T:
    """Run a merkle computation with every node it reads fetched in one query.

    Which (level, index) nodes a proof or root reads depends only on sizes and indices, never
    on hash values, so a dry run with placeholder hashes lists them; one query fetches them.
    """
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return bytes(32)

    compute(record)
    found: dict[tuple[int, int], bytes] = {}
    if wanted:
        rows = session.execute(select(LogNode.level, LogNode.node_index, LogNode.hash).where(
            tuple_(LogNode.level, LogNode.node_index).in_(sorted(wanted))))
        found = {(level, index): digest for level, index, digest in rows}

    def get(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError:
            raise LookupError(f"log node ({level}, {index}) is missing") from None

    return compute(get)


@dataclass
class _Appending:
    """The log as this transaction has left it, kept while the transaction holds `lock`: its
    size and every stored node read or written so far. Nodes are write-once, so what was read
    stays true; the size only moves by our own appends while we hold the lock."""

    transaction: SessionTransaction | None
    size: int
    nodes: dict[tuple[int, int], bytes] = field(default_factory=dict)


_APPENDING = "carbonlabel.transparency_log"
# Per database engine: the frontier (the perfect subtrees making up the whole tree) this
# process last read or wrote. Only a hint: it is used when its nodes rebuild the root of the
# latest signed head, which `lock` reads, and that check (SHA-256 being collision resistant)
# also rejects a frontier left by a rolled-back append or by emptied or restored tables.
_FRONTIERS: weakref.WeakKeyDictionary[Any, dict[tuple[int, int], bytes]] = (
    weakref.WeakKeyDictionary())


def _frontier(size: int, known: dict[tuple[int, int], bytes], root: bytes | None
              ) -> dict[tuple[int, int], bytes]:
    """The nodes of `known` that rebuild `root` for a tree of `size` (empty if they don't)."""
    used: dict[tuple[int, int], bytes] = {}

    def get(level: int, index: int) -> bytes:
        used[(level, index)] = known[(level, index)]
        return used[(level, index)]

    if size == 0 or root is None:
        return {}
    try:
        return used if merkle.root_hash(size, get) == root else {}
    except KeyError:
        return {}


def _appending(session: DbSession) -> _Appending:
    """This transaction's state, read afresh whenever the transaction (or savepoint) is new, so
    a rolled-back append or another transaction's state is never reused."""
    state = session.info.get(_APPENDING)
    if state is None or state.transaction is not innermost_transaction(session):
        session.flush()
        head = latest_head(session)
        state = _Appending(innermost_transaction(session), head.size if head else 0)
        session.info[_APPENDING] = state
    return state


def lock(session: DbSession, *columns: Any, params: dict[str, Any] | None = None,
         also_lock: int | None = None) -> tuple[Any, ...]:
    """Serialise appends (and anything allocated with them) across transactions.

    Then read the log's size together with `columns` (the caller's scalar subqueries, e.g.
    what it allocates under the same lock) in one statement, after the lock is granted so
    that it sees every append committed before ours; returns the values of `columns`
    (`params` binds their parameters).

    `also_lock`: a second advisory lock taken right after this one in the same statement
    (PostgreSQL evaluates the select list left to right), for a caller that will need it
    before committing anyway (issuance: the audit chain's).
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        if also_lock is None:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        else:
            session.execute(text("SELECT pg_advisory_xact_lock(:key), "
                                 "pg_advisory_xact_lock(:also)"),
                            {"key": _LOCK_KEY, "also": also_lock})
    session.flush()
    row = session.execute(select(_SIZE, _ROOT, *columns), params or {}).one()
    size = row[0] or 0
    session.info[_APPENDING] = _Appending(
        innermost_transaction(session), size,
        dict(_frontier(size, _FRONTIERS.get(bind, {}), row[1])))
    return tuple(row[2:])


_SIZE = select(func.max(TreeHead.size)).scalar_subquery()
_ROOT = select(TreeHead.root_hash).order_by(TreeHead.size.desc()).limit(1).scalar_subquery()


def latest_head(session: DbSession) -> TreeHead | None:
    return session.scalar(select(TreeHead).order_by(TreeHead.size.desc()).limit(1))


def append(session: DbSession, kind: str, label_id: str, payload: dict[str, Any],
           key: SigningKey, private_key: Ed25519PrivateKey, origin: str) -> LogEntry:
    """Append one leaf and sign the new head (see `append_batch`); the caller holds `lock`
    and commits."""
    return append_batch(session, [(kind, label_id, payload, utcnow())], key, private_key,
                        origin)[0]


def append_batch(session: DbSession, events: list[tuple[str, str, dict[str, Any], datetime]],
                 key: SigningKey, private_key: Ed25519PrivateKey, origin: str
                 ) -> list[LogEntry]:
    """Append one leaf per (kind, label_id, payload, at) event at consecutive indexes, write
    every node they complete once, and sign ONE checkpoint of the log named `origin` for
    the resulting tree; the caller holds `lock` and commits.

    The nodes an append reads are the perfect subtrees of the current tree (its frontier):
    those not known to this transaction yet come in one query, and later leaves of the batch
    read only nodes the batch itself created.
    """
    state = _appending(session)
    created: list[LogEntry] = []
    rows: list[LogNode] = []

    def get(level: int, index: int) -> bytes:
        try:
            return state.nodes[(level, index)]
        except KeyError:
            raise LookupError(f"log node ({level}, {index}) is missing") from None

    for kind, label_id, payload, at in events:
        size = state.size
        entry_bytes = canonical_json({"index": size, "kind": kind, "label_id": label_id,
                                      "at": at.isoformat().replace("+00:00", "Z"), **payload})
        _fetch_missing(session, state, size, entry_bytes)
        nodes = merkle.appended_nodes(size, entry_bytes, get)
        for level, index, digest in nodes:
            state.nodes[(level, index)] = digest
        rows.extend(LogNode(level=level, node_index=index, hash=digest)
                    for level, index, digest in nodes)
        created.append(LogEntry(leaf_index=size, kind=kind, label_id=label_id,
                                entry=entry_bytes, leaf_hash=nodes[0][2], created_at=at))
        state.size = size + 1
    if not created:
        return created
    root = merkle.root_hash(state.size, get)
    _FRONTIERS[session.get_bind()] = frontier = _frontier(state.size, state.nodes, root)
    # Only the frontier is read by later appends: the rest need not stay in memory.
    state.nodes = dict(frontier)
    session.add_all(created)
    session.add_all(rows)
    session.add(sign_head(state.size, root, utcnow(), key, private_key, origin))
    session.flush()
    return created


def _fetch_missing(session: DbSession, state: _Appending, size: int, entry: bytes) -> None:
    """Dry runs (placeholder hashes: which nodes are read depends only on sizes) list the
    nodes that appending at `size` and the root of `size + 1` read, less those the append
    creates; the ones this transaction does not hold yet are fetched in one query."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        if (level, index) not in state.nodes:
            wanted.add((level, index))
        return bytes(32)

    created = {(level, index) for level, index, _ in merkle.appended_nodes(size, entry, record)}

    def record_root(level: int, index: int) -> bytes:
        if (level, index) not in created:
            record(level, index)
        return bytes(32)

    merkle.root_hash(size + 1, record_root)
    if wanted:
        rows = session.execute(select(LogNode.level, LogNode.node_index, LogNode.hash).where(
            tuple_(LogNode.level, LogNode.node_index).in_(sorted(wanted))))
        state.nodes.update({(level, index): digest for level, index, digest in rows})


def sign_head(size: int, root: bytes, timestamp: datetime, key: SigningKey,
              private_key: Ed25519PrivateKey, origin: str) -> TreeHead:
    """The head as a signed C2SP checkpoint of the log named `origin` (the row's `signature`
    is the one inside the note)."""
    signed = checkpoint.sign(checkpoint.Checkpoint(origin, size, root), private_key)
    return TreeHead(size=size, root_hash=root, timestamp=timestamp, key_id=key.id,
                    signature=_note_signature(signed), checkpoint=signed)


def _note_signature(signed: str) -> bytes:
    return note.parse(signed)[1][0].signature


def head_is_signed(head: TreeHead, public_key: Ed25519PublicKey, origin: str) -> bool:
    """Whether the head's stored checkpoint is signed by `public_key` for the log `origin`
    and states exactly the head's size and root (the bytes served are the bytes checked)."""
    if not head.checkpoint:
        return False
    try:
        found = checkpoint.verify(head.checkpoint, [note.verifier_key(origin, public_key)],
                                  origin)
    except (note.NoteError, ValueError):
        return False
    return found.size == head.size and found.root_hash == head.root_hash


def sign_checkpoints(session: DbSession, origin: str, key: SigningKey,
                     private_key: Ed25519PrivateKey) -> int:
    """Sign every head stored without a checkpoint (those from before checkpoints existed)
    with `key`; returns how many. Their old signatures covered a JSON of our own that no
    standard tool reads; the size and root signed now are the stored ones, so nothing a
    head states changes, only who vouches for it (the active key)."""
    count = 0
    for head in session.scalars(select(TreeHead).where(TreeHead.checkpoint.is_(None))
                                .order_by(TreeHead.size).execution_options(yield_per=500)):
        signed = sign_head(head.size, head.root_hash, head.timestamp, key, private_key, origin)
        head.checkpoint, head.signature, head.key_id = (signed.checkpoint, signed.signature,
                                                        key.id)
        count += 1
    session.flush()
    return count


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    hashes: list[bytes]


def inclusion(session: DbSession, leaf_index: int, tree_size: int | None = None
              ) -> InclusionProof:
    head = latest_head(session)
    size = tree_size or (head.size if head else 0)
    if head is None or not 0 <= leaf_index < size <= head.size:
        raise InvalidInput(f"no leaf {leaf_index} in a tree of size {size}", field="leaf_index")
    entry = session.get_one(LogEntry, leaf_index)
    return InclusionProof(leaf_index, size, entry.leaf_hash, _with_nodes(
        session, lambda get: merkle.inclusion_proof(leaf_index, size, get)))


def inclusion_path(session: DbSession | Connection, leaf_index: int, tree_size: int
                   ) -> list[bytes]:
    """Only the audit path, for a caller that already holds the entry and the head (one
    query for the nodes; the caller checks the indices). Nodes are write-once, so any
    connection that sees the head sees them."""
    return _with_nodes(session, lambda get: merkle.inclusion_proof(leaf_index, tree_size, get))


def consistency(session: DbSession, old_size: int, new_size: int) -> list[bytes]:
    head = latest_head(session)
    if head is None or not 0 < old_size <= new_size <= head.size:
        raise InvalidInput(f"sizes must satisfy 0 < first <= second <= {head.size if head else 0}",
                           field="first")
    return _with_nodes(session, lambda get: merkle.consistency_proof(old_size, new_size, get))


def head_at(session: DbSession, size: int) -> TreeHead:
    head = session.get(TreeHead, size)
    if head is None:
        raise NotFound(f"no signed tree head for size {size}")
    return head


def signed_checkpoint(session: DbSession, size: int | None = None) -> TreeHead:
    """The head of `size` (default: the latest) that carries a signed checkpoint."""
    head = latest_head(session) if size is None else head_at(session, size)
    if head is None:
        raise NotFound("the log is empty")
    if not head.checkpoint:
        raise NotFound(f"the head of size {head.size} is not signed as a checkpoint yet "
                       "(the operator runs `carbonlabel db upgrade`)")
    return head


def checkpoint_text(head: TreeHead) -> str:
    """The signed note of a head `signed_checkpoint` returned (it refuses one without)."""
    if not head.checkpoint:
        raise NotFound(f"the head of size {head.size} is not signed as a checkpoint yet")
    return head.checkpoint


def checkpoint_view(head: TreeHead) -> dict[str, Any]:
    """A JSON view of a head made only from its signed note, which it includes verbatim, so
    it cannot say anything the signature does not cover."""
    text, signatures = note.parse(head.checkpoint or "")
    found = checkpoint.parse_text(text)
    return {"origin": found.origin, "tree_size": found.size, "root_hash": found.root_hash.hex(),
            "root_hash_base64": text.split("\n")[2], "key_id": head.key_id,
            "signature": signatures[0].signature.hex(), "checkpoint": head.checkpoint}


def entries(session: DbSession, start: int, end: int) -> list[LogEntry]:
    if start < 0 or end < start or end - start > 1000:
        raise InvalidInput("ask for at most 1000 entries, start <= end", field="start")
    return list(session.scalars(select(LogEntry).where(
        LogEntry.leaf_index >= start, LogEntry.leaf_index < end).order_by(LogEntry.leaf_index)))
