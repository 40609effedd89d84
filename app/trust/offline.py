"""Verifying a label credential without trusting the service: offline from the credential
and the issuer's DID document; the log check here is shared with online verification
(`app.trust.online`), which resolves the issuer's DID first."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import clock
from app.trust import merkle, signing
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
