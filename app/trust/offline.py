"""Verifying a label credential without trusting the service: offline from the credential
and the issuer's DID document; the log check here is shared with online verification
(`app.trust.online`), which resolves the issuer's DID first."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import clock
from app.trust import log_check, merkle, signing
from app.trust.keys import key_resolver
from lca_models.canonical import canonical_json

Fetch = Callable[[str], Any]  # URL -> parsed JSON


@dataclass
class Report:
    checks: dict[str, bool] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    # the issuer says the label's log entry waits for its sequencer (online checks only):
    # not verified yet, but not a failure of the label either
    inclusion_pending: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(self.checks.values())

    def add(self, name: str, ok: bool, message: str) -> None:
        self.checks[name] = ok
        self.reasons.append(("ok: " if ok else "FAILED: ") + message)


def verify_offline(credential: dict[str, Any], did_document: Mapping[str, Any],
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


def _in_log(credential: dict[str, Any], base: str, index: int, fetch: Fetch,
            did_document: dict[str, Any]) -> bool:
    entry = fetch(f"{base}/log/entries?start={index}&end={index + 1}")[0]
    entry_bytes = entry["entry"].encode()
    digest = hashlib.sha256(canonical_json(credential)).hexdigest()
    recorded = json.loads(entry_bytes).get("credential_sha256") == digest
    try:  # only the signed note counts, never the JSON fields beside it
        head = log_check.verify_checkpoint(fetch(f"{base}/log/sth").get("checkpoint"),
                                           did_document)
    except ValueError:
        return False
    proof = fetch(f"{base}/log/proof/inclusion?leaf_index={index}&tree_size={head.size}")
    included = merkle.verify_inclusion(merkle.leaf_hash(entry_bytes), index, head.size,
                                       [bytes.fromhex(h) for h in proof["audit_path"]],
                                       head.root_hash)
    return recorded and included


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a date-time without a time zone")
    return parsed

