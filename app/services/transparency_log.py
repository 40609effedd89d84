"""The transparency log: every issuance, revocation and supersession is a leaf of an RFC 9162
Merkle tree, appended in the same transaction as the change it records, with a signed tree
head after each append. Only perfect subtrees are stored (`log_nodes`), so every proof costs
O(log n) reads however long the log grows.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain import InvalidInput, NotFound
from app.persistence import LogEntry, LogNode, SigningKey, TreeHead
from app.persistence.types import utcnow
from app.trust import merkle
from lca_models.canonical import canonical_json

_LOCK_KEY = 7_346_012  # "the transparency log" among advisory locks


def _getter(session: Session) -> Callable[[int, int], bytes]:
    def get(level: int, index: int) -> bytes:
        node = session.get(LogNode, (level, index))
        if node is None:
            raise LookupError(f"log node ({level}, {index}) is missing")
        return node.hash

    return get


def lock(session: Session) -> None:
    """Serialise appends (and anything allocated with them) across transactions."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def latest_head(session: Session) -> TreeHead | None:
    return session.scalar(select(TreeHead).order_by(TreeHead.size.desc()).limit(1))


def append(session: Session, kind: str, label_id: str, payload: dict[str, Any],
           key: SigningKey, private_key: Ed25519PrivateKey) -> LogEntry:
    """Append one leaf and sign the new head; the caller holds `lock` and commits."""
    session.flush()
    head = latest_head(session)
    size = head.size if head else 0
    at = utcnow()
    entry_bytes = canonical_json({"index": size, "kind": kind, "label_id": label_id,
                                  "at": at.isoformat().replace("+00:00", "Z"), **payload})
    leaf = merkle.leaf_hash(entry_bytes)
    entry = LogEntry(leaf_index=size, kind=kind, label_id=label_id, entry=entry_bytes,
                     leaf_hash=leaf, created_at=at)
    session.add(entry)
    get = _getter(session)
    for level, index, digest in merkle.appended_nodes(size, entry_bytes, get):
        session.add(LogNode(level=level, node_index=index, hash=digest))
    session.flush()
    root = merkle.root_hash(size + 1, get)
    session.add(sign_head(size + 1, root, at, key, private_key))
    session.flush()
    return entry


def head_message(size: int, root: bytes, timestamp: datetime) -> bytes:
    """What a tree head signature covers (RFC 8785 JSON, so any language can rebuild it)."""
    return canonical_json({"tree_size": size, "root_hash": root.hex(),
                           "timestamp": timestamp.isoformat().replace("+00:00", "Z")})


def sign_head(size: int, root: bytes, timestamp: datetime, key: SigningKey,
              private_key: Ed25519PrivateKey) -> TreeHead:
    return TreeHead(size=size, root_hash=root, timestamp=timestamp, key_id=key.id,
                    signature=private_key.sign(head_message(size, root, timestamp)))


def head_is_signed(head: TreeHead, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(head.signature, head_message(head.size, head.root_hash,
                                                       head.timestamp))
    except Exception:
        return False
    return True


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    hashes: list[bytes]


def inclusion(session: Session, leaf_index: int, tree_size: int | None = None
              ) -> InclusionProof:
    head = latest_head(session)
    size = tree_size or (head.size if head else 0)
    if head is None or not 0 <= leaf_index < size <= head.size:
        raise InvalidInput(f"no leaf {leaf_index} in a tree of size {size}", field="leaf_index")
    entry = session.get(LogEntry, leaf_index)
    return InclusionProof(leaf_index, size, entry.leaf_hash,
                          merkle.inclusion_proof(leaf_index, size, _getter(session)))


def consistency(session: Session, old_size: int, new_size: int) -> list[bytes]:
    head = latest_head(session)
    if head is None or not 0 < old_size <= new_size <= head.size:
        raise InvalidInput(f"sizes must satisfy 0 < first <= second <= {head.size if head else 0}",
                           field="first")
    return merkle.consistency_proof(old_size, new_size, _getter(session))


def head_at(session: Session, size: int) -> TreeHead:
    head = session.get(TreeHead, size)
    if head is None:
        raise NotFound(f"no signed tree head for size {size}")
    return head


def entries(session: Session, start: int, end: int) -> list[LogEntry]:
    if start < 0 or end < start or end - start > 1000:
        raise InvalidInput("ask for at most 1000 entries, start <= end", field="start")
    return list(session.scalars(select(LogEntry).where(
        LogEntry.leaf_index >= start, LogEntry.leaf_index < end).order_by(LogEntry.leaf_index)))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
