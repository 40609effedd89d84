"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures: text, a blank line, one
`— <key name> <base64(key ID || signature)>` line per signature.

Why this format: tools written for Go's checksum database, Sigstore and the C2SP transparency
logs already verify it, so a third party can check our log heads without our code. A
verifier is configured with nothing but a *verifier key* string,
`<name>+<hex key ID>+<base64(0x01 || 32-byte public key)>`, and the note text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"  # the signed-note signature type byte for Ed25519
EM_DASH = "\u2014"
MAX_NOTE_BYTES = 64 * 1024  # far above 16 signatures of any type, far below harm
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, key or signature that is malformed or does not verify; the message says which."""


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes  # 4 bytes
    public_key: Ed25519PublicKey


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4], as signed-note recommends."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + _raw(public_key)).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The published verifier key string for `public_key` under `name`."""
    _check_name(name)
    return (f"{name}+{key_id(name, public_key).hex()}+"
            + base64.b64encode(ED25519 + _raw(public_key)).decode())


def parse_verifier_key(text: str) -> Verifier:
    """Refuses anything but name+8 hex digits+base64(0x01 || 32 bytes) whose ID matches."""
    name, sep, rest = text.strip().partition("+")
    id_hex, sep2, material = rest.partition("+")
    if not sep or not sep2:
        raise NoteError("a verifier key is <name>+<hex key ID>+<base64 key>")
    _check_name(name)
    try:
        wanted = bytes.fromhex(id_hex)
        decoded = base64.b64decode(material, validate=True)
    except (ValueError, binascii.Error):
        raise NoteError("the verifier key's ID or key is not hex / base64") from None
    if len(id_hex) != 8 or len(decoded) != 33 or decoded[:1] != ED25519:
        raise NoteError("the verifier key is not an Ed25519 (type 0x01) key with a 4-byte ID")
    public_key = Ed25519PublicKey.from_public_bytes(decoded[1:])
    if key_id(name, public_key) != wanted:
        raise NoteError("the verifier key's ID does not match its name and key")
    return Verifier(name, wanted, public_key)


def sign(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note of `text` (which must end in a newline) by one Ed25519 key."""
    _check_text(text)
    _check_name(name)
    signature = private_key.sign(text.encode())
    blob = key_id(name, private_key.public_key()) + signature
    return f"{text}\n{EM_DASH} {name} {base64.b64encode(blob).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text holds a control character")


def parse(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signature lines (nothing verified yet)."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_BYTES:
            raise NoteError(f"the note is larger than {MAX_NOTE_BYTES} bytes")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("the note is not UTF-8") from None
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError(f"the note is larger than {MAX_NOTE_BYTES} bytes")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("no blank line separates the note text from its signatures")
    text, lines = note[:split + 1], note[split + 2:].split("\n")[:-1]
    _check_text(text)
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError("a note needs between 1 and 100 signature lines")
    signatures = []
    for line in lines:
        prefix, _, rest = line.partition(" ")
        name, _, blob = rest.partition(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except (ValueError, binascii.Error):
            raise NoteError(f"signature line {line!r} is not base64") from None
        if prefix != EM_DASH or not name or " " in blob or len(raw) < 5:
            raise NoteError(f"malformed signature line {line!r}")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return text, signatures


def open_note(note: str | bytes, verifiers: list[Verifier]) -> tuple[str, list[Verifier]]:
    """The note's text and the known keys whose signatures verify.

    As signed-note requires: signatures by unknown keys (name and ID not both known) are
    ignored, a known key's bad signature rejects the whole note, and a note with no
    verified signature by a known key is rejected.
    """
    text, signatures = parse(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified: list[Verifier] = []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        try:
            verifier.public_key.verify(sig.signature, text.encode())
        except InvalidSignature:
            raise NoteError(f"the signature by {sig.name}+{sig.key_id.hex()} does not "
                            "verify") from None
        verified.append(verifier)
    if not verified:
        raise NoteError("no signature by a known key: "
                        + (", ".join(f"{s.name}+{s.key_id.hex()}" for s in signatures)))
    return text, verified
