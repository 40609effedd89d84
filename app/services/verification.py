"""Verifying a label the way a trade partner would: status, the credential's signature, the
status list and the transparency log, each with a reason a person can read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.persistence import Label, LogEntry, Organisation
from app.services import keys, labels, transparency_log
from app.services.issuer import Issuer
from app.trust import merkle, signing
from app.trust.keys import key_resolver
from lca_models.canonical import sha256_hex


@dataclass
class Verification:
    label_id: str
    status: str  # valid | revoked | superseded | expired
    checks: dict[str, bool] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    label: Label | None = None
    details: dict[str, Any] = field(default_factory=dict)
    log: dict[str, int] | None = None  # where the issuance sits in the log


def verify_label(session: Session, text: str, issuer: Issuer) -> Verification:
    label = labels.get_label(session, text)
    result = Verification(label_id=label.id, status="valid", label=label)
    # The same DID document a partner fetches, and the same resolver the offline check uses.
    resolve = key_resolver(keys.did_document(session, issuer.did))
    _check_signature(result, label, resolve)
    _check_status_list(result, label, session, issuer, resolve)
    _check_log(result, label, session, resolve, issuer)
    result.status = _status(label, result)
    body = session.get(Organisation, label.certification_body_id)
    subject = label.credential["credentialSubject"]
    result.details = {
        "product": subject["product"], "footprint": subject["footprint"],
        "declared_unit": subject["declaredUnit"], "certifier": body.name,
        "valid_from": label.valid_from.isoformat(), "valid_until": label.valid_until.isoformat(),
        "revoked_at": label.revoked_at.isoformat() if label.revoked_at else None,
        "revocation_reason": label.revocation_reason,
        "superseded_by": label.superseded_by_id, "supersedes": label.supersedes_id,
    }
    return result


def _check_signature(result: Verification, label: Label, resolve) -> None:
    outcome = signing.verify(label.credential, resolve)
    intact = sha256_hex(label.credential) == label.credential_sha256
    result.checks["signature"] = outcome.verified and intact
    if outcome.verified and intact:
        result.reasons.append("the credential's eddsa-jcs-2022 signature verifies with the "
                              "issuer's published key")
    else:
        result.reasons.append("the credential's signature does not verify: "
                              + "; ".join(outcome.problems or ["stored copy was altered"]))


def _check_status_list(result: Verification, label: Label, session: Session, issuer: Issuer,
                       resolve) -> None:
    status_list = labels.status_list_credential(session, issuer)
    signed = signing.verify(status_list, resolve).verified
    revoked_bit = labels.status_bit(status_list, label.status_index)
    consistent = signed and revoked_bit == (label.revoked_at is not None)
    result.checks["status_list"] = consistent
    result.reasons.append(
        f"the signed revocation list {'marks' if revoked_bit else 'does not mark'} it revoked"
        if consistent else "the revocation list could not be checked")


def _check_log(result: Verification, label: Label, session: Session, resolve,
               issuer: Issuer) -> None:
    entry = session.scalar(select(LogEntry).where(LogEntry.label_id == label.id,
                                                  LogEntry.kind == "issuance"))
    head = transparency_log.latest_head(session)
    ok = False
    if entry is not None and head is not None:
        proof = transparency_log.inclusion(session, entry.leaf_index, head.size)
        in_tree = merkle.verify_inclusion(merkle.leaf_hash(entry.entry), entry.leaf_index,
                                          head.size, proof.hashes, head.root_hash)
        try:
            head_key = resolve(issuer.method_id(head.key_id))
            head_ok = transparency_log.head_is_signed(head, head_key)
        except KeyError:
            head_ok = False
        records = json.loads(entry.entry).get("credential_sha256") == label.credential_sha256
        ok = in_tree and head_ok and records
        result.log = {"leaf_index": entry.leaf_index, "tree_size": head.size}
    result.checks["transparency_log"] = ok
    result.reasons.append(
        f"its issuance is entry {entry.leaf_index} of the transparency log, proven against "
        f"the signed tree head of size {head.size}" if ok
        else "its issuance could not be proven in the transparency log")


def _status(label: Label, result: Verification) -> str:
    if label.revoked_at is not None:
        result.reasons.insert(0, f"revoked on {label.revoked_at.date()}: "
                                 f"{label.revocation_reason}")
        return "revoked"
    if label.superseded_by_id:
        result.reasons.insert(0, f"superseded by {label.superseded_by_id}")
        return "superseded"
    if label.valid_until < date.today():
        result.reasons.insert(0, f"expired on {label.valid_until}")
        return "expired"
    if not all(result.checks.values()):
        return "invalid"
    return "valid"
