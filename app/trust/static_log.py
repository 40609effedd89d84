"""Verification from the published directory alone (app/services/publish.py): a receipt is
assembled from static files (the label's credential and leaf index, its entry from the entry
bundle, an inclusion proof computed from the tiles, the signed checkpoint, the status list)
and checked exactly as a served receipt is (app/trust/receipt.py), so no database and no
running service is involved, only files a CDN may serve.

Nothing read here is trusted: the checkpoint must be signed by the issuer's key (from the
DID document the caller trusts), the entry must hash to the tile's leaf, the proof must tie
it to the checkpoint's root.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from app.trust import checkpoint, merkle, status_list, strict_json, tiles
from app.trust.receipt import RECEIPT_TYPE

if TYPE_CHECKING:
    from http.client import HTTPMessage

MAX_FILE = 8 * 1024 * 1024

Reader = Callable[[str], bytes]


def directory_reader(root: Path) -> Reader:
    """Files under `root` only (a path that climbs out is refused)."""
    base = root.resolve()

    def read(relative: str) -> bytes:
        path = (base / relative).resolve()
        if base not in path.parents:
            raise ValueError(f"{relative!r} leaves the published directory")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise ValueError(f"{relative} is larger than {MAX_FILE} bytes")
        return data

    return read


def url_reader(base_url: str) -> Reader:
    """GET files below `base_url` (no redirects followed, size-capped)."""
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                             msg: str, headers: HTTPMessage, newurl: str) -> NoReturn:
            raise OSError(f"{req.full_url} redirects to {newurl}; not followed")

    opener = urllib.request.build_opener(_NoRedirect)
    base = base_url.rstrip("/") + "/"

    def read(relative: str) -> bytes:
        with opener.open(base + relative, timeout=20) as response:
            data: bytes = response.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise ValueError(f"{base + relative} answered more than {MAX_FILE} bytes")
        return data

    return read


def reader_for(location: str) -> Reader:
    scheme = urlsplit(location).scheme
    return url_reader(location) if scheme in ("http", "https") else directory_reader(
        Path(location))


def status_file(list_url: str) -> str:
    """Where a status list named by its URL is published: its path after "/status-lists/"
    (list 0 `revocation`, list N `revocation/N`), or its last path segment."""
    path = urlsplit(list_url).path.rstrip("/")
    name = path.split("/status-lists/", 1)[1] if "/status-lists/" in path \
        else path.rsplit("/", 1)[-1]
    if not name or any(not part or part.startswith(".") for part in name.split("/")):
        raise ValueError(f"status list URL {list_url!r} has no usable name")
    return f"status/{name}.json"


def label_file(label_id: str) -> str:
    if not label_id or "/" in label_id or label_id.startswith("."):
        raise ValueError(f"{label_id!r} is not a label identifier")
    return f"labels/{label_id}.json"


def _json(read: Reader, relative: str) -> Any:
    return strict_json.loads(read(relative).decode("utf-8"))


def inclusion_from_tiles(read: Reader, index: int, size: int) -> list[bytes]:
    """The RFC 9162 audit path of leaf `index` in the tree of `size`, from tiles only."""
    return merkle.inclusion_proof(index, size, tiles.TileReader(size, read).get)


def receipt_from_static(read: Reader, label_id: str) -> dict[str, Any]:
    """A verification receipt made of the published files (see the module docstring)."""
    published = _json(read, label_file(label_id))
    credential, index = published["credential"], published["log_index"]
    if not isinstance(index, int) or isinstance(index, bool):
        raise ValueError("the published label file's log_index is not an integer")
    signed = read("log/checkpoint").decode("utf-8")
    size = checkpoint.unverified(signed).size  # verified with the issuer's key later
    log = tiles.TileReader(size, lambda p: read("log/" + p))
    entry = log.entry(index)
    path = merkle.inclusion_proof(index, size, log.get)
    revocation = status_list.entry_for(credential, "revocation") or {}
    suspension = status_list.entry_for(credential, "suspension")
    status_url = revocation.get("statusListCredential", "")
    return {
        "type": RECEIPT_TYPE,
        "version": 1,
        "label_id": label_id,
        "credential": credential,
        "log_entry": {"index": index, "entry": entry.decode("utf-8")},
        "inclusion_proof": checkpoint.format_proof(index, path, signed),
        "did_document": _json(read, "did.json"),
        "status_list_credential": _json(read, status_file(status_url)),
    } | ({"suspension_list_credential": _json(read, status_file(
        suspension.get("statusListCredential", "")))} if suspension is not None else {})
