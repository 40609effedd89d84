"""Verifying a label credential without trusting the service: offline from the credential
and the issuer's DID document, and online by also fetching the status list, the log entry,
its inclusion proof and the signed tree head, and checking each locally."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import clock
from app.trust import merkle, signing
from app.trust import status_list as status_list_bits
from app.trust.keys import key_resolver
from lca_models.canonical import canonical_json

Fetch = Callable[[str], Any]  # URL -> parsed JSON


@dataclass
class Report:
    checks: dict[str, bool] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(self.checks.values())

    def add(self, name: str, ok: bool, message: str) -> None:
        self.checks[name] = ok
        self.reasons.append(("ok: " if ok else "FAILED: ") + message)


def verify_offline(credential: dict[str, Any], did_document: dict[str, Any],
                   now: datetime | None = None) -> Report:
    report = Report()
    # whole seconds, as the credential's times are written (see app.clock): a label is valid
    # through 23:59:59Z of its last day and expired from 00:00:00Z of the next
    now = (now or clock.now()).replace(microsecond=0)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    report.add("issuer", issuer_id == did_document.get("id"),
               f"issuer {issuer_id} is the DID document's subject {did_document.get('id')}")
    outcome = signing.verify(credential, key_resolver(did_document))
    report.add("signature", outcome.verified,
               "eddsa-jcs-2022 proof verifies with a key of the DID document"
               if outcome.verified else "proof does not verify: " + "; ".join(outcome.problems))
    try:
        start, end = _time(credential.get("validFrom")), _time(credential.get("validUntil"))
        in_window = (start is None or start <= now) and (end is None or now <= end)
        message = f"valid from {credential.get('validFrom')} until {credential.get('validUntil')}"
    except (TypeError, ValueError, AttributeError):
        in_window, message = False, "validFrom/validUntil are not date-times"
    report.add("validity", in_window, message)
    return report


def verify_online(credential: dict[str, Any], base_url: str, fetch: Fetch,
                  now: datetime | None = None) -> Report:
    base = base_url.rstrip("/")
    did_document = fetch(base + "/.well-known/did.json")
    report = verify_offline(credential, did_document, now)
    resolve = key_resolver(did_document)
    status = credential.get("credentialStatus", {})
    status_list = fetch(status["statusListCredential"])
    list_ok = signing.verify(status_list, resolve).verified
    revoked: bool | None = None
    if not list_ok:  # an unsigned list is not decompressed at all
        message = "the status list's signature does not verify"
    else:
        try:
            revoked = status_list_bits.is_set(status_list["credentialSubject"]["encodedList"],
                                              int(status["statusListIndex"]))
        except (KeyError, TypeError, ValueError) as exc:  # StatusListError: oversized, broken
            message = f"the status list cannot be read: {exc}"
        else:
            message = ("the status list marks it revoked" if revoked
                       else "the signed status list does not mark it revoked")
    report.add("not_revoked", revoked is False, message)
    label_id = credential["credentialSubject"]["labelId"]
    summary = fetch(f"{base}/api/v1/labels/{label_id}/verification")
    index = (summary.get("log") or {}).get("leaf_index")
    report.add("transparency_log", index is not None and _in_log(
        credential, base, index, fetch, resolve), "the issuance is in the transparency log "
        "under a signed tree head (checked locally)")
    if summary.get("status") == "superseded":
        report.add("current", False, f"superseded by {summary['details']['superseded_by']}")
    return report


def _in_log(credential: dict[str, Any], base: str, index: int, fetch: Fetch, resolve) -> bool:
    entry = fetch(f"{base}/log/entries?start={index}&end={index + 1}")[0]
    entry_bytes = entry["entry"].encode()
    digest = hashlib.sha256(canonical_json(credential)).hexdigest()
    recorded = json.loads(entry_bytes).get("credential_sha256") == digest
    head = fetch(f"{base}/log/sth")
    proof = fetch(f"{base}/log/proof/inclusion?leaf_index={index}&tree_size={head['tree_size']}")
    root = bytes.fromhex(head["root_hash"])
    included = merkle.verify_inclusion(merkle.leaf_hash(entry_bytes), index, head["tree_size"],
                                       [bytes.fromhex(h) for h in proof["audit_path"]], root)
    message = canonical_json({"tree_size": head["tree_size"], "root_hash": head["root_hash"],
                                 "timestamp": _z(head["timestamp"])})
    try:
        key = resolve(f"{credential['issuer']}#{head['key_id']}")
        key.verify(bytes.fromhex(head["signature"]), message)
        signed = True
    except Exception:
        signed = False
    return recorded and included and signed


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a date-time without a time zone")
    return parsed


def _z(value: str) -> str:
    return value.replace("+00:00", "Z")
