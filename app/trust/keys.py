"""Ed25519 key material in the shapes verifiers fetch: Multikey strings, a DID document and a
JWK Set.

Key rotation works by *retiring* a key rather than deleting it. A label certificate is expected
to stay checkable for the life of the product, so every key that ever signed one stays in the
DID document's ``assertionMethod``; retirement only means the service stops signing with it.
A key that leaked must instead be removed from the list altogether, which deliberately makes
everything it signed stop verifying.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.trust.base58 import b58decode, b58encode

# Multicodec headers as unsigned varints: ed25519-pub is 0xed, ed25519-priv is 0x1300.
ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

KEY_STATUSES: tuple[str, ...] = ("current", "retired")
KeyEntry = tuple[str, Ed25519PublicKey, str]
"""(key id, public key, status). The id is a DID URL fragment ("key-2026") or a full DID URL."""


def generate_key() -> Ed25519PrivateKey:
    """A fresh key from the OS CSPRNG; kept as a function so callers never pick a weaker source."""
    return Ed25519PrivateKey.generate()


def _public_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_multibase(public_key: Ed25519PublicKey) -> str:
    """Multikey ``publicKeyMultibase``: the header is what lets a verifier refuse a private key
    that was published by mistake."""
    return "z" + b58encode(ED25519_PUB_HEADER + _public_raw(public_key))


def private_multibase(private_key: Ed25519PrivateKey) -> str:
    """Multikey ``secretKeyMultibase``, for key backups and for the W3C test vectors only."""
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return "z" + b58encode(ED25519_PRIV_HEADER + raw)


def _decode_multikey(text: str, header: bytes, what: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError(f"{what} must be a base58-btc multibase string starting with 'z'")
    data = b58decode(text[1:])
    if len(data) != len(header) + 32 or not data.startswith(header):
        raise ValueError(f"{what} is not a Multikey with header 0x{header.hex()} and 32 key bytes")
    return data[len(header):]


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    """Raises ValueError for anything but ``z`` + base58btc(0xed01 + 32 bytes)."""
    raw = _decode_multikey(text, ED25519_PUB_HEADER, "publicKeyMultibase")
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    """Raises ValueError for anything but ``z`` + base58btc(0x8026 + 32 bytes)."""
    raw = _decode_multikey(text, ED25519_PRIV_HEADER, "secretKeyMultibase")
    return Ed25519PrivateKey.from_private_bytes(raw)


def verification_method_id(did: str, key_id: str) -> str:
    """Accepts a bare fragment, ``#fragment`` or a full DID URL of this DID; anything else would
    publish a key the DID does not control."""
    if key_id.startswith(did + "#"):
        return key_id
    fragment = key_id[1:] if key_id.startswith("#") else key_id
    if not fragment or "#" in fragment or ":" in fragment:
        raise ValueError(f"key id {key_id!r} is not a fragment of {did!r}")
    return f"{did}#{fragment}"


def _checked(keys: Iterable[KeyEntry]) -> list[KeyEntry]:
    entries = list(keys)
    for key_id, public_key, status in entries:
        if status not in KEY_STATUSES:
            raise ValueError(f"key {key_id!r} has status {status!r}; expected one of "
                             f"{', '.join(KEY_STATUSES)} (remove compromised keys instead)")
        if not isinstance(public_key, Ed25519PublicKey):
            raise TypeError(f"key {key_id!r} is not an Ed25519 public key")
    return entries


def did_document(did: str, keys: Iterable[KeyEntry]) -> dict[str, Any]:
    """Current and retired keys alike go into ``assertionMethod`` so that certificates signed
    before a rotation keep verifying; status is ours to track, not the verifier's."""
    methods: list[dict[str, Any]] = []
    ids: list[str] = []
    for key_id, public_key, _status in _checked(keys):
        vm_id = verification_method_id(did, key_id)
        if vm_id in ids:
            raise ValueError(f"duplicate verification method {vm_id!r}")
        ids.append(vm_id)
        methods.append({"id": vm_id, "type": "Multikey", "controller": did,
                        "publicKeyMultibase": public_multibase(public_key)})
    return {"@context": [DID_CONTEXT, MULTIKEY_CONTEXT], "id": did,
            "verificationMethod": methods, "assertionMethod": list(ids)}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwks(keys: Iterable[KeyEntry]) -> dict[str, list[dict[str, str]]]:
    """RFC 7517 JWK Set of RFC 8037 OKP keys, for verifiers that speak JOSE rather than DIDs.
    ``kid`` is the key id exactly as given, so pass full DID URLs to make it match the proof's
    ``verificationMethod``."""
    return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": _b64url(_public_raw(public_key)),
                      "kid": key_id, "use": "sig", "alg": "EdDSA"}
                     for key_id, public_key, _status in _checked(keys)]}


def key_resolver(document: Mapping[str, Any], relationship: str = "assertionMethod",
                 ) -> Callable[[str], Ed25519PublicKey]:
    """Resolver for :func:`app.trust.signing.verify` backed by one DID document. It only hands
    out keys the controller lists under ``relationship``, which is what stops a key published for
    some other purpose from vouching for a certificate."""
    controller = document.get("id")
    methods: dict[str, Any] = {}
    for method in document.get("verificationMethod") or []:
        if isinstance(method, Mapping) and isinstance(method.get("id"), str):
            methods[method["id"]] = method
    allowed: set[str] = set()
    for entry in document.get(relationship) or []:
        if isinstance(entry, str):
            allowed.add(entry)
        elif isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            allowed.add(entry["id"])
            methods[entry["id"]] = entry

    def resolve(vm_id: str) -> Ed25519PublicKey:
        if vm_id not in allowed or vm_id not in methods:
            raise LookupError(f"{vm_id!r} is not listed under {relationship} of {controller!r}")
        method = methods[vm_id]
        if method.get("type") != "Multikey":
            raise LookupError(f"{vm_id!r} has type {method.get('type')!r}, not Multikey")
        if method.get("controller") != controller:
            raise LookupError(f"{vm_id!r} is controlled by {method.get('controller')!r}, "
                              f"not {controller!r}")
        return public_key_from_multibase(method.get("publicKeyMultibase"))

    return resolve
