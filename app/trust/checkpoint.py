"""Log checkpoints (c2sp.org/tlog-checkpoint) and offline inclusion proofs
(c2sp.org/tlog-proof), on top of signed notes.

A checkpoint's text is exactly three lines: the log's origin, the tree size in decimal and
the base64 root hash; we add no extension lines (the spec discourages them, and without a
timestamp a head re-signed later says exactly what the first signature said). The log's key
name is its origin. Everything here is pure, so the CLI, the server and the tests share it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.trust import note
from app.trust.note import NoteError

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes

    def text(self) -> str:
        """The note text the log signs, byte for byte."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root_hash).decode()}\n"


def log_origin(public_url: str) -> str:
    """The log's unique name: the service's public URL without scheme, plus "/log"."""
    parts = urlsplit(public_url.rstrip("/"))
    origin = parts.netloc + parts.path + "/log"
    if not parts.netloc or any(c.isspace() for c in origin) or "+" in origin:
        raise ValueError(f"{public_url!r} gives no usable log origin (no host, or a space "
                         "or '+')")
    return origin


def origin_for_did(did: str) -> str:
    """The origin of the log of a did:web issuer (host, %3A port, path segments), so a
    verifier derives it from the issuer it trusts, never from the material it checks."""
    parts = did.split(":")
    if len(parts) < 3 or parts[:2] != ["did", "web"] or not parts[2]:
        raise ValueError(f"{did!r} is not a did:web identifier")
    return "/".join([unquote(parts[2]), *(unquote(p) for p in parts[3:])]) + "/log"


def parse_text(text: str) -> Checkpoint:
    """The three mandatory lines of a checkpoint's text (extension lines are refused: we
    issue none, and a verifier should not have to guess what they mean)."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise NoteError("a checkpoint is exactly origin, tree size and root hash lines")
    origin, size, root = lines[:3]
    if not origin or not _DECIMAL.fullmatch(size):
        raise NoteError("the checkpoint's origin is empty or its size is not a decimal")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except (ValueError, binascii.Error):
        raise NoteError("the checkpoint's root hash is not base64") from None
    if len(root_hash) != 32 or base64.b64encode(root_hash).decode() != root:
        raise NoteError("the checkpoint's root hash is not 32 bytes in canonical base64")
    return Checkpoint(origin, int(size), root_hash)


def sign(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> str:
    """The signed checkpoint note, the key named after the origin."""
    return note.sign(checkpoint.text(), checkpoint.origin, private_key)


def unverified(signed: str) -> Checkpoint:
    """Read a checkpoint the caller signed itself or verifies separately."""
    text, _ = note.parse(signed)
    return parse_text(text)


def verify(signed: str | bytes, verifier_keys: list[str], origin: str) -> Checkpoint:
    """The checkpoint of `signed` if a key among `verifier_keys` signed it and its origin
    is `origin`; NoteError (saying which) otherwise."""
    verifiers = [note.parse_verifier_key(k) for k in verifier_keys]
    text, _ = note.open_note(signed, [v for v in verifiers if v.name == origin])
    checkpoint = parse_text(text)
    if checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def verifier_keys(origin: str, public_keys: list[Ed25519PublicKey]) -> list[str]:
    return [note.verifier_key(origin, k) for k in public_keys]


def format_proof(index: int, hashes: list[bytes], signed_checkpoint: str) -> str:
    """A c2sp.org/tlog-proof@v1: header, index, the audit path, a blank line, the checkpoint
    verbatim."""
    lines = [PROOF_HEADER, f"index {index}", *(base64.b64encode(h).decode() for h in hashes)]
    return "\n".join(lines) + "\n\n" + signed_checkpoint


@dataclass(frozen=True)
class Proof:
    index: int
    hashes: list[bytes]
    checkpoint: str  # the signed checkpoint, verbatim
    extra: bytes | None = None


def parse_proof(text: str) -> Proof:
    """Split a tlog-proof; the checkpoint inside is checked by `verify`, not here."""
    head, sep, signed = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != PROOF_HEADER:
        raise NoteError(f"not a {PROOF_HEADER} proof (header or blank line missing)")
    lines = lines[1:]
    extra = None
    if lines and lines[0].startswith("extra "):
        try:
            extra = base64.b64decode(lines.pop(0)[6:], validate=True)
        except (ValueError, binascii.Error):
            raise NoteError("the proof's extra line is not base64") from None
    if not lines or not lines[0].startswith("index ") \
            or not _DECIMAL.fullmatch(lines[0][6:]):
        raise NoteError("the proof's index line is missing or not a decimal")
    hashes = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line, validate=True)
        except (ValueError, binascii.Error):
            raise NoteError(f"proof line {line!r} is not base64") from None
        if len(digest) != 32:
            raise NoteError(f"proof line {line!r} is not a 32-byte hash")
        hashes.append(digest)
    if len(hashes) > 64:
        raise NoteError("an inclusion proof has at most 64 hashes")
    return Proof(int(lines[0][6:]), hashes, signed, extra)
