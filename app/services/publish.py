"""`carbonlabel publish --to DIR`: the log as C2SP tlog-tiles plus every label's credential,
the status lists and the DID document, as files an ordinary web server or CDN can serve
(docs/transparency-log.md, "The published directory").

Layout (all paths relative to DIR):
  log/checkpoint                 the latest signed checkpoint (changes: short cache)
  log/tile/<L>/<N>[.p/<W>]       Merkle tiles (immutable)
  log/tile/entries/<N>[.p/<W>]   entry bundles (immutable)
  labels/<label id>.json         credential + its issuance leaf index (immutable)
  status/<list name>.json        signed status lists: revocation, revocation/N, suspension/N
                                 (change on revocation or suspension: short cache)
  did.json                       the issuer's DID document (changes on key rotation)

Incremental: an immutable file already present is never rewritten, and labels are written
only for entries past the checkpoint the directory had. Atomic: each file is written beside
its place and renamed over it, and the checkpoint goes last, so a reader never sees a
checkpoint whose tiles are missing, nor half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.domain import NotFound
from app.persistence import Label, LogEntry, LogNode, StatusList
from app.services import DbSession, keys, labels
from app.services import transparency_log as tlog
from app.services.issuer import Issuer
from app.trust import checkpoint, tiles
from app.trust.note import NoteError
from app.trust.static_log import label_file, status_file
from lca_models.canonical import canonical_json

LOG = "log"


@dataclass
class Published:
    size: int
    files_written: int


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, flush, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _published_size(root: Path) -> int:
    try:
        return checkpoint.unverified((root / LOG / "checkpoint").read_text("utf-8")).size
    except (OSError, NoteError, ValueError):
        return 0


def publish(session: DbSession, issuer: Issuer, root: Path) -> Published:
    """Bring `root` up to the latest signed checkpoint (see the module docstring)."""
    head = tlog.signed_checkpoint(session)
    size, before, written = head.size, _published_size(root), 0
    for level, index, width in tiles.tiles_for(size):
        written += _write_tile(session, root, level, index, width)
    rows = session.execute(
        select(LogEntry.label_id, LogEntry.leaf_index, Label.credential)
        .join(Label, Label.id == LogEntry.label_id)
        .where(LogEntry.kind == "issuance", LogEntry.leaf_index >= min(before, size),
               LogEntry.leaf_index < size).execution_options(yield_per=500))
    for label_id, leaf_index, credential in rows:
        path = root / label_file(label_id)
        if not path.exists():
            write_atomic(path, canonical_json({"label_id": label_id, "log_index": leaf_index,
                                               "credential": credential}))
            written += 1
    labels.status_list_credential(session, issuer)  # built on first use
    for stored in session.scalars(select(StatusList)):
        write_atomic(root / status_file(stored.credential["id"]),
                     canonical_json(stored.credential))
        written += 1
    write_atomic(root / "did.json", json.dumps(keys.did_document(session, issuer.did),
                                               indent=2).encode())
    write_atomic(root / LOG / "checkpoint", tlog.checkpoint_text(head).encode())  # last
    return Published(size, written + 2)


def _write_tile(session: DbSession, root: Path, level: int, index: int, width: int) -> int:
    tile = root / LOG / tiles.tile_path(level, index, width)
    bundle = root / LOG / tiles.entries_path(index, width)
    count = 0
    if not tile.exists():
        write_atomic(tile, tile_file(session, tiles.tile_path(level, index, width)))
        count += 1
    if level == 0 and not bundle.exists():
        write_atomic(bundle, tile_file(session, tiles.entries_path(index, width)))
        count += 1
    return count


def tile_file(session: DbSession, path: str) -> bytes:
    """A tile or entry bundle of the latest signed tree, for the service to serve itself
    (the same bytes `publish` writes); NotFound for one the tree does not have (yet)."""
    try:
        level, index, width = tiles.parse_path(path)
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    size = tlog.signed_checkpoint(session).size
    if tiles.tile_width(size, 0 if isinstance(level, str) else level, index) < width:
        raise NotFound(f"{path} is not in the log's latest tree (size {size})")
    start = index * tiles.WIDTH
    if isinstance(level, str):  # "entries"
        return tiles.bundle([bytes(e) for e in session.scalars(select(LogEntry.entry).where(
            LogEntry.leaf_index >= start, LogEntry.leaf_index < start + width)
            .order_by(LogEntry.leaf_index))])
    found = dict(session.execute(select(LogNode.node_index, LogNode.hash).where(
        LogNode.level == tiles.HEIGHT * level, LogNode.node_index >= start,
        LogNode.node_index < start + width)).all())
    return tiles.tile_bytes(level, index, width, lambda _level, i: found[i])
