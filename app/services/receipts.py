"""A label's verification receipt (docs/transparency-log.md): what an auditor needs to check
it offline, assembled from what the service already publishes, nothing recomputed."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select

from app.domain import Conflict, NotFound
from app.persistence import LogEntry
from app.persistence.types import utcnow
from app.services import DbSession, keys, labels, sequencer
from app.services import transparency_log as tlog
from app.services.issuer import Issuer
from app.trust import checkpoint
from app.trust.receipt import RECEIPT_TYPE
from lca_models.messages import N_


def build_receipt(session: DbSession, text: str, issuer: Issuer, *,
                  merge_delay: float = 1.0) -> dict[str, Any]:
    """The credential, its issuance entry, a tlog-proof to the latest signed checkpoint, the
    DID document and the signed status list (and suspension list, for a label that has a
    suspension entry), all as served now."""
    label = labels.get_label(session, text)
    entry = session.scalar(select(LogEntry).where(LogEntry.label_id == label.id,
                                                  LogEntry.kind == "issuance"))
    if entry is None and sequencer.is_pending(session, label.id):
        # 409 problem+json, current_state "inclusion_pending": a receipt is a proof, and
        # there is none to give until the sequencer has integrated the entry (merge delay)
        raise Conflict(N_(
            'label %(id)s is issued but its log entry is not integrated yet; ask again after the '
            'merge delay',
            id=label.id), state="inclusion_pending", retry_after=max(1, math.ceil(merge_delay)))
    if entry is None:
        raise NotFound(N_('label %(id)s has no issuance entry in the log', id=label.id))
    head = tlog.signed_checkpoint(session)
    path = tlog.inclusion_path(session, entry.leaf_index, head.size)
    return {
        "type": RECEIPT_TYPE,
        "version": 1,
        "label_id": label.id,
        "created": utcnow().isoformat().replace("+00:00", "Z"),
        "credential": label.credential,
        "log_entry": {"index": entry.leaf_index, "entry": entry.entry.decode("utf-8")},
        "inclusion_proof": checkpoint.format_proof(entry.leaf_index, path,
                                                   tlog.checkpoint_text(head)),
        "did_document": keys.did_document(session, issuer.did),
        "log_verifier_keys": [vkey for _, vkey, _ in
                              keys.log_verifier_keys(session, issuer.did)],
        # the numbered list that holds this label's bit (its credentialStatus names it)
        "status_list_credential": labels.status_list_credential(session, issuer,
                                                                label.status_list_number),
    } | ({"suspension_list_credential": labels.status_list_credential(
        session, issuer, label.status_list_number, "suspension")} if label.suspendable else {})
