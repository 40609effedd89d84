"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite, as specified by the W3C
Recommendation "Data Integrity EdDSA Cryptosuites v1.0" (15 May 2025), section 3.3.

JCS (RFC 8785) rather than RDF canonicalisation: a label certificate is plain JSON that we
produce ourselves, JCS needs no JSON-LD context fetching (so verification works offline and
cannot be steered by a context server), and any JSON library can reproduce the bytes.

The byte layout, from the spec and pinned by its Appendix B.3 test vectors:

* transformed document = JCS(document without ``proof``)
* proof configuration  = JCS(proof options without ``proofValue``), carrying the document's
  ``@context`` when it has one (Create Proof step 2)
* hash data            = SHA-256(proof configuration) || SHA-256(transformed document)
* ``proofValue``       = "z" + base58btc(Ed25519 signature over hash data)

Only single proofs are handled; proof sets and chains are not needed for label certificates.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.trust.base58 import b58decode, b58encode
from app.trust.keys import (
    did_document,
    generate_key,
    jwks,
    key_resolver,
    private_key_from_multibase,
    private_multibase,
    public_key_from_multibase,
    public_multibase,
)
from lca_models.canonical import canonical_json

__all__ = [
    "CRYPTOSUITE", "PROOF_TYPE", "ProofError", "VerificationResult", "configure_proof",
    "did_document", "generate_key", "hash_data", "jwks", "key_resolver",
    "private_key_from_multibase", "private_multibase", "public_key_from_multibase",
    "public_multibase", "sign", "transform", "verify",
]

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
SIGNATURE_BYTES = 64

# XML Schema 1.1 Part 2 dateTime lexical space (section 3.3.7); calendar validity checked below.
_XSD_DATETIME = re.compile(
    r"-?(?P<year>[1-9][0-9]{3,}|0[0-9]{3})-(?P<month>0[1-9]|1[0-2])"
    r"-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?",
)


class ProofError(ValueError):
    """Raised by :func:`sign` and the building blocks; :func:`verify` turns it into a problem."""


@dataclass(frozen=True)
class VerificationResult:
    """``problems`` says why a proof failed, so an auditor sees more than "invalid"."""

    verified: bool
    problems: list[str] = field(default_factory=list)
    verified_document: dict[str, Any] | None = None


def _jcs(value: Any) -> bytes:
    """RFC 8785 bytes; lca_models.canonical takes the C json encoder when the result provably
    equals rfc8785's (property-tested there) and falls back to rfc8785 otherwise."""
    try:
        return canonical_json(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
        raise ProofError(f"cannot canonicalise with JCS (RFC 8785): {exc}") from exc


def _is_xsd_datetime(text: Any) -> bool:
    if not isinstance(text, str):
        return False
    match = _XSD_DATETIME.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(match[name]) for name in ("year", "month", "day"))
    try:
        date(2000 + year % 400, month, day)  # the Gregorian calendar repeats every 400 years
    except ValueError:
        return False
    return True


def _check_suite(options: Mapping[str, Any], error: str) -> None:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"{error}: proof type must be {PROOF_TYPE!r} with cryptosuite "
                         f"{CRYPTOSUITE!r}, got {options.get('type')!r} / "
                         f"{options.get('cryptosuite')!r}")


def transform(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """Spec 3.3.3: the JCS bytes of the document (which must not carry its ``proof``)."""
    _check_suite(options, "PROOF_VERIFICATION_ERROR")
    return _jcs(unsecured_document)


def configure_proof(options: Mapping[str, Any]) -> bytes:
    """Spec 3.3.5: the JCS bytes of the proof options (everything but ``proofValue``)."""
    _check_suite(options, "PROOF_GENERATION_ERROR")
    if "created" in options and not _is_xsd_datetime(options["created"]):
        raise ProofError(f"PROOF_GENERATION_ERROR: created {options['created']!r} is not an "
                         f"XML Schema dateTime")
    return _jcs(dict(options))


def hash_data(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """Spec 3.3.4: the proof configuration's hash comes *first*, then the document's."""
    return (hashlib.sha256(canonical_proof_config).digest()
            + hashlib.sha256(transformed_document).digest())


def sign(document: Mapping[str, Any], private_key: Ed25519PrivateKey, verification_method: str,
         created: str, proof_purpose: str = "assertionMethod") -> dict[str, Any]:
    """Spec 3.3.1 Create Proof. Returns a new document; the input is left untouched so a caller
    can never end up holding a half-signed object. ``created`` is explicit to keep this pure."""
    if not isinstance(document, Mapping):
        raise ProofError("the document to sign must be a JSON object")
    if "proof" in document:
        raise ProofError("the document already has a proof; proof sets are not supported")
    if not isinstance(verification_method, str) or not verification_method:
        raise ProofError("verification_method must be a non-empty URL string")
    unsecured = _copy(dict(document))
    proof: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "created": created,
                             "verificationMethod": verification_method,
                             "proofPurpose": proof_purpose}
    if "@context" in unsecured:
        proof["@context"] = _copy(unsecured["@context"])
    canonical_config = configure_proof(proof)
    transformed = transform(unsecured, proof)
    signature = private_key.sign(hash_data(transformed, canonical_config))
    proof["proofValue"] = "z" + b58encode(signature)
    return {**unsecured, "proof": proof}


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars), about ten times cheaper than
    copy.deepcopy (its memo and dispatch; it was a tenth of an approval's CPU); anything
    else goes to copy.deepcopy, so the result never shares a mutable object with the input."""
    kind = type(value)
    if kind is dict:
        return {k: _copy(v) for k, v in value.items()}
    if kind is list:
        return [_copy(v) for v in value]
    if kind in (str, int, float, bool, type(None)):
        return value
    return copy.deepcopy(value)


class _Rejected(Exception):
    """Internal: one reason the proof does not verify."""


def _check_context(secured: Mapping[str, Any], proof_context: Any) -> None:
    """Spec 3.3.2 step 4.1 asks only that the document's @context *start with* the proof's
    (room for proof chains). We ask for exactly the proof's, compared on canonical bytes so 1
    and true never pass for each other: a context appended after signing could re-map a signed
    term (say ``kgCO2ePerDeclaredUnit``) for JSON-LD readers while the JCS bytes still verify,
    and our credentials carry a single proof, so nothing legitimate is ever appended."""
    if "@context" not in secured:
        raise _Rejected("the proof has an @context but the document has none")
    if _jcs(secured["@context"]) != _jcs(proof_context):
        raise _Rejected("the document's @context is not exactly the proof's @context "
                        "(a context was added, removed or reordered after signing)")


def _proof_bytes(proof_value: Any) -> bytes:
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        raise _Rejected("proofValue must be a base58-btc multibase string starting with 'z'")
    try:
        signature = b58decode(proof_value[1:])
    except ValueError as exc:
        raise _Rejected(f"proofValue is not base58-btc: {exc}") from exc
    if len(signature) != SIGNATURE_BYTES:
        raise _Rejected(f"proofValue decodes to {len(signature)} bytes, not {SIGNATURE_BYTES}")
    return signature


def _resolve(resolve_key: Callable[[str], Ed25519PublicKey], method: str) -> Ed25519PublicKey:
    try:
        key = resolve_key(method)
    except Exception as exc:  # the resolver is caller code; any failure means "no usable key"
        raise _Rejected(f"unknown verification method {method!r}: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise _Rejected(f"verification method {method!r} did not resolve to an Ed25519 key")
    return key


def _verify(secured: Any, resolve_key: Callable[[str], Ed25519PublicKey],
            expected_proof_purpose: str) -> dict[str, Any]:
    if not isinstance(secured, Mapping):
        raise _Rejected("the secured document must be a JSON object")
    proof = secured.get("proof")
    if isinstance(proof, list):
        raise _Rejected("proof sets are not supported; expected a single proof object")
    if not isinstance(proof, Mapping):
        raise _Rejected("the document has no proof object")
    for name in ("type", "cryptosuite", "verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(name), str):
            raise _Rejected(f"MALFORMED_PROOF_ERROR: proof.{name} must be a string")
    if proof["type"] != PROOF_TYPE or proof["cryptosuite"] != CRYPTOSUITE:
        raise _Rejected(f"unsupported proof: type {proof['type']!r}, cryptosuite "
                        f"{proof['cryptosuite']!r} (expected {PROOF_TYPE!r}, {CRYPTOSUITE!r})")
    if proof["proofPurpose"] != expected_proof_purpose:
        raise _Rejected(f"proof purpose {proof['proofPurpose']!r} does not match the expected "
                        f"{expected_proof_purpose!r}")
    unsecured = {name: value for name, value in secured.items() if name != "proof"}
    proof_options = {name: value for name, value in proof.items() if name != "proofValue"}
    signature = _proof_bytes(proof.get("proofValue"))
    try:
        if "@context" in proof_options:
            _check_context(secured, proof_options["@context"])
        transformed = transform(unsecured, proof_options)
        canonical_config = configure_proof(proof_options)
    except ProofError as exc:
        raise _Rejected(str(exc)) from exc
    key = _resolve(resolve_key, proof["verificationMethod"])
    try:
        key.verify(signature, hash_data(transformed, canonical_config))
    except InvalidSignature as exc:
        raise _Rejected("the signature does not match the document and proof options; "
                        "the document was altered or signed with another key") from exc
    return copy.deepcopy(unsecured)


def verify(secured_document: Any, resolve_key: Callable[[str], Ed25519PublicKey],
           expected_proof_purpose: str = "assertionMethod") -> VerificationResult:
    """Spec 3.3.2 Verify Proof. Never raises on bad input: a verifier facing a hostile document
    must be able to report "not verified, because ..." rather than crash.

    ``resolve_key`` must only return keys the issuer authorises for ``expected_proof_purpose``
    (see :func:`app.trust.keys.key_resolver`); expiry, domain and challenge are not checked.
    """
    try:
        document = _verify(secured_document, resolve_key, expected_proof_purpose)
    except _Rejected as exc:
        return VerificationResult(verified=False, problems=[str(exc)])
    return VerificationResult(verified=True, problems=[], verified_document=document)
