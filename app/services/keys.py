"""Issuer signing keys: private halves in files (0600) outside the database, public halves
in `signing_keys`, one active at a time; retired keys stay published so that everything
signed before a rotation still verifies."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app import clock
from app.domain import Conflict, NotFound
from app.persistence import SigningKey, User
from app.persistence.types import utcnow
from app.services import DbSession, audit
from app.trust import checkpoint, did_web, note
from app.trust import keys as trust_keys
from app.trust.keys import public_key_from_multibase, public_multibase


def keys_dir(instance: Path, configured: str | None) -> Path:
    return Path(configured) if configured else instance / "keys"


def active_key(session: DbSession) -> SigningKey | None:
    return session.scalar(select(SigningKey).where(SigningKey.retired_at.is_(None)))


def all_keys(session: DbSession) -> list[SigningKey]:
    return list(session.scalars(select(SigningKey).order_by(SigningKey.created_at)))


def published(session: DbSession, did: str | None = None) -> list[tuple[str, Any, str]]:
    """(key id, public key, "current"|"retired") of every key published under `did` (every
    key when None)."""
    return [(k.id, public_key_from_multibase(k.public_multibase),
             "retired" if k.retired_at else "current") for k in all_keys(session)
            if did is None or k.issuer_did == did]


def issuer_dids(session: DbSession) -> list[str]:
    """Every DID the service has published keys under (more than one after `issuer move`)."""
    return list(session.scalars(select(SigningKey.issuer_did).distinct()))


def did_document(session: DbSession, did: str) -> dict[str, Any]:
    """The DID document of `did`: the keys published under it (served where did:web
    resolution looks for it, see app/api/wellknown.py)."""
    return trust_keys.did_document(did, published(session, did))


def log_verifier_keys(session: DbSession, did: str) -> list[tuple[str, str, str]]:
    """(verification method, signed-note verifier key, status) of every published key,
    those of `did` first, the current key first among them.

    The log is signed by the issuer's own keys (the one active when a head is signed), under
    the origin of the key's DID (`checkpoint.origin_for_did`), so a verifier needs exactly
    the DID document's keys; retired keys and those of a DID the issuer moved away from stay
    listed, so that checkpoints signed with them stay verifiable."""
    entries = [(f"{k.issuer_did}#{k.id}",
                note.verifier_key(checkpoint.origin_for_did(k.issuer_did),
                                  public_key_from_multibase(k.public_multibase)),
                "retired" if k.retired_at else "current") for k in all_keys(session)]
    return sorted(entries, key=lambda e: (not e[0].startswith(did + "#"), e[2] != "current"))


def did_document_at(session: DbSession, current: str, host: str, path: str,
                    app_path: str) -> dict[str, Any]:
    """The DID document a did:web resolver asked for: the one of the DID (current, or one
    the issuer moved away from) whose location is this host and path; otherwise, for a
    request that reached the app under another host name (a proxy, a test client), the
    current DID's document at its own app-relative place (`/.well-known/did.json`, or
    `/did.json` behind a proxy that strips a path-based public URL's prefix)."""
    for did in dict.fromkeys([current, *issuer_dids(session)]):
        location = did_web.parse(did)
        if location.host == host.lower() and location.document_path == path:
            return did_document(session, did)
    own = did_web.parse(current)
    if app_path == ("/did.json" if own.path else "/.well-known/did.json"):
        return did_document(session, current)
    raise NotFound(f"no DID document of this service is published at {path}")


def generate(session: DbSession, directory: Path, *, rotate: bool = False,
             did: str | None = None, actor: User | None = None) -> SigningKey:
    """Create a key pair under `did` (default: the active key's DID); with `rotate`, retire
    the active key (it stays published under its own DID)."""
    current = active_key(session)
    if current is not None and not rotate:
        raise Conflict(f"an active signing key exists ({current.id}); use rotate")
    did = did or (current.issuer_did if current is not None else None)
    if did is None:
        raise Conflict("the first signing key needs the issuer's DID")
    private = Ed25519PrivateKey.generate()
    key_id = "key-" + clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    _write_private(directory / f"{key_id}.pem", private)
    if current is not None:
        current.retired_at = utcnow()
    key = SigningKey(id=key_id, public_multibase=public_multibase(private.public_key()),
                     issuer_did=did)
    session.add(key)
    session.flush()
    audit.append(session, actor, "key.rotated" if current else "key.generated",
                 target_type="signing_key", target_id=key_id,
                 details={"key_id": key_id, "retired": current.id if current else None,
                          "issuer_did": did})
    return key


# (file, published key) -> (the file's identity when read, the key it held). Parsing the PEM
# and deriving its public half cost more than the signature itself; the file is still
# looked at (stat) on every use, so a removed or replaced file is noticed at once.
_LOADED: dict[tuple[Path, str], tuple[tuple[int, int, int], Ed25519PrivateKey]] = {}


def load_private(directory: Path, key: SigningKey) -> Ed25519PrivateKey:
    path = directory / f"{key.id}.pem"
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise Conflict(f"the private key file for {key.id} is missing from {directory}; "
                       "restore it or rotate to a new key") from None
    stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    loaded = _LOADED.get((path, key.public_multibase))
    if loaded is not None and loaded[0] == stamp:
        return loaded[1]
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise Conflict(f"{path} is not an Ed25519 key")
    if public_multibase(private.public_key()) != key.public_multibase:
        raise Conflict(f"{path} does not match the published key {key.id}")
    _LOADED[(path, key.public_multibase)] = (stamp, private)
    return private


def _write_private(path: Path, private: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
