"""Verification receipts: everything needed to check a label with no network, in one JSON
file (docs/transparency-log.md): the credential, its issuance log entry (exact bytes), a
c2sp.org/tlog-proof inclusion proof ending in a signed checkpoint, the issuer's DID document
and the signed status list in force when the receipt was made; for a label whose credential
has a suspension entry, also the signed suspension list (`suspension_list_credential`).

`verify_receipt` checks each part and names the one that fails. The only trust input is the
DID document (in the receipt, or one the caller obtained separately and passes instead);
every other part must be vouched for by one of its keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeGuard

from app.trust import checkpoint, merkle, signing, status_list, strict_json
from app.trust.keys import key_resolver
from app.trust.log_check import verify_checkpoint
from app.trust.note import NoteError
from app.trust.offline import Report, verify_offline
from lca_models.canonical import sha256_hex

RECEIPT_TYPE = "CarbonLabelVerificationReceipt"
MAX_RECEIPT_BYTES = 4 * 1024 * 1024
PARTS = ("credential", "log_entry", "inclusion_proof", "did_document",
         "status_list_credential")


class ReceiptError(ValueError):
    """The file is not a receipt at all (not JSON, duplicated members, too large, parts
    missing)."""


def load(data: bytes) -> dict[str, Any]:
    """Parse a receipt file: size-capped, UTF-8 I-JSON (no duplicated member names)."""
    if len(data) > MAX_RECEIPT_BYTES:
        raise ReceiptError(f"a receipt is at most {MAX_RECEIPT_BYTES} bytes")
    try:
        receipt = strict_json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReceiptError(f"not a JSON receipt: {exc}") from None
    if not is_receipt(receipt):
        raise ReceiptError(f"not a {RECEIPT_TYPE} (type member missing)")
    missing = [part for part in PARTS if not receipt.get(part)]
    if missing:
        raise ReceiptError("the receipt lacks " + ", ".join(missing))
    return receipt


def is_receipt(document: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(document, dict) and document.get("type") == RECEIPT_TYPE


def verify_receipt(receipt: Mapping[str, Any], now: datetime | None = None,
                   did_document: Mapping[str, Any] | None = None) -> Report:
    """Every check, each reported by name. `did_document`: the issuer's DID document as the
    caller obtained it; otherwise the receipt's own copy is trusted (and the report says so)."""
    credential = receipt["credential"]
    document = did_document if did_document is not None else receipt["did_document"]
    report = verify_offline(credential, document, now)
    report.reasons.append("note: keys from " + ("the DID document given" if did_document
                          is not None else "the receipt's copy of the issuer's DID document"))
    entry = _check_entry(report, receipt, credential)
    _check_log(report, receipt, document, entry)
    _check_status(report, receipt, credential, document, "revocation")
    if status_list.entry_for(credential, "suspension") is not None:
        _check_status(report, receipt, credential, document, "suspension")
    return report


def _check_entry(report: Report, receipt: Mapping[str, Any],
                 credential: Mapping[str, Any]) -> bytes | None:
    entry = receipt["log_entry"]
    text = entry.get("entry") if isinstance(entry, Mapping) else None
    try:
        fields = json.loads(text) if isinstance(text, str) else None
        subject = credential["credentialSubject"]["labelId"]
        matches = (isinstance(fields, dict) and fields.get("kind") == "issuance"
                   and fields.get("label_id") == subject
                   and fields.get("credential_sha256") == sha256_hex(credential)
                   and fields.get("index") == entry.get("index"))
    except (ValueError, TypeError, KeyError):
        matches = False
    report.add("log_entry", matches, "the log entry records this credential's issuance "
               "(its SHA-256, label and index)" if matches else "the log entry does not "
               "record this credential (hash, label, kind or index differ)")
    return text.encode() if isinstance(text, str) else None


def _check_log(report: Report, receipt: Mapping[str, Any], document: Mapping[str, Any],
               entry: bytes | None) -> None:
    """Whether the entry's bytes, whatever they say, are in the signed tree."""
    try:
        proof = checkpoint.parse_proof(receipt["inclusion_proof"])
        found = verify_checkpoint(proof.checkpoint, document)
    except (NoteError, ValueError, TypeError, AttributeError) as exc:
        report.add("checkpoint", False, f"the checkpoint is not signed by the issuer's log "
                   f"key: {exc}")
        report.add("inclusion", False, "inclusion cannot be checked without a signed checkpoint")
        return
    report.add("checkpoint", True, f"checkpoint of {found.origin} at size {found.size} is "
               "signed by a key of the issuer's DID document")
    index = receipt["log_entry"].get("index")
    included = (entry is not None and index == proof.index and merkle.verify_inclusion(
        merkle.leaf_hash(entry), proof.index, found.size, proof.hashes, found.root_hash))
    report.add("inclusion", included, f"entry {proof.index} is included in that tree"
               if included else "the inclusion proof does not tie the entry to the checkpoint")


_STATUS_PARTS = {"revocation": ("status_list_credential", "not_revoked", "revoked"),
                 "suspension": ("suspension_list_credential", "not_suspended", "suspended")}


def _check_status(report: Report, receipt: Mapping[str, Any], credential: Mapping[str, Any],
                  document: Mapping[str, Any], purpose: str) -> None:
    part, check, word = _STATUS_PARTS[purpose]
    status_list_doc = receipt.get(part)
    if not isinstance(status_list_doc, Mapping):
        report.add(check, False, f"the receipt has no {purpose} list for the credential's "
                   f"{purpose} entry")
        return
    status = status_list.entry_for(dict(credential), purpose) or {}
    signed = signing.verify(status_list_doc, key_resolver(document)).verified
    named = (status_list_doc.get("id") == status.get("statusListCredential")
             and status_list_doc.get("issuer") == document.get("id"))
    if not (signed and named):
        report.add(check, False, f"the {purpose} list is not the credential's list signed by "
                   "the issuer" if signed else f"the {purpose} list's signature does not "
                   "verify")
        return
    try:  # decoding is capped at the spec's largest list (status_list.MAX_BITS)
        bits = status_list.decode(status_list_doc["credentialSubject"]["encodedList"])
        marked = status_list.bit(bits, int(status["statusListIndex"]))
    except (KeyError, TypeError, ValueError) as exc:
        report.add(check, False, f"the {purpose} list cannot be read: {exc}")
        return
    report.add(check, not marked, f"the signed {purpose} list does not mark it {word}"
               if not marked else f"the signed {purpose} list marks it {word.upper()}")

