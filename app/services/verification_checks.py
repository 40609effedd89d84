"""The checks of a verification, each adding its outcome and a reason a person can read:
the credential's signature, the revocation list, the transparency log, and the status they
add up to. Pure functions of the read state (app/services/verification_state.py), apart from
the log's write-once interior nodes that the inclusion proof reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from app.persistence import TreeHead
from app.services import DbSession, transparency_log
from app.services import verification_reasons as says
from app.services.issuer import Issuer
from app.services.verification_state import State
from app.trust import checkpoint, merkle, signing, status_list
from app.trust.keys import did_document, key_resolver, public_key_from_multibase
from lca_models.canonical import sha256_hex
from lca_models.messages import fill

if TYPE_CHECKING:
    from app.services.verification import Verification


def published(keys_text: str | None, did: str | None) -> list[tuple[str, Any, str]]:
    """The key list as `keys.published(session, did)` gives it, from the aggregated column."""
    entries = []
    for item in sorted((keys_text or "").split(",")):
        if item:
            key_id, multibase, status, key_did = item.split(" ")
            if did is None or key_did == did:
                entries.append((key_id, public_key_from_multibase(multibase), status))
    return entries


def any_did(keys_text: str | None) -> Callable[[str], Any]:
    """A resolver over the DID documents of every DID the service has published keys under;
    `resolve.owner` maps a bare key id to its DID (tree heads name the key only)."""
    dids = {item.split(" ")[3] for item in (keys_text or "").split(",") if item}
    resolvers = {did: key_resolver(did_document(did, published(keys_text, did)))
                 for did in dids}
    owner = {item.split(" ")[0]: item.split(" ")[3]
             for item in (keys_text or "").split(",") if item}

    def resolve(vm_id: str) -> Any:
        did = vm_id.split("#", 1)[0]
        if did not in resolvers:
            raise LookupError(f"{did!r} is not one of this service's DIDs")
        return resolvers[did](vm_id)

    resolve.owner = owner  # type: ignore[attr-defined]
    return resolve


def check_signature(result: Verification, state: State, credential: dict[str, Any],
                     resolve) -> None:
    outcome = signing.verify(credential, resolve)
    problems = list(outcome.problems)
    if credential.get("issuer") != state.issuer_did:
        problems.append(str(fill(says.OTHER_ISSUER, named=repr(credential.get("issuer")),
                                 issuer=state.issuer_did)))
    if sha256_hex(credential) != state.credential_sha256:
        problems.append(says.ALTERED)
    result.checks["signature"] = outcome.verified and not problems
    if outcome.verified and not problems:
        result.reasons.append(str(fill(says.SIGNATURE_OK, issuer=state.issuer_did)))
    else:
        result.reasons.append(str(fill(says.SIGNATURE_BAD,
                                       problems="; ".join(problems or [says.UNKNOWN_PROBLEM]))))


def read_status_list(credential: dict[str, Any] | None, resolve) -> tuple[bool, bytes | None]:
    """Whether the list's signature verifies, and its decoded bits (None if unreadable or
    not stored)."""
    if credential is None:
        return False, None
    signed = signing.verify(credential, resolve).verified
    try:
        return signed, status_list.decode(credential["credentialSubject"]["encodedList"])
    except (KeyError, TypeError, ValueError, OSError, EOFError):
        return False, None


#: per status purpose: the check's name in a verification, and the state a set bit means
LIST_CHECKS = {"revocation": ("status_list", "revoked"),
               "suspension": ("suspension_list", "suspended")}


def check_list(result: Verification, state: State, purpose: str, signed: bool,
               bits: bytes | None) -> None:
    """The signed list of `purpose` (revocation, or suspension for a credential that has
    that entry at the same place) agrees with the label's record."""
    check, _word = LIST_CHECKS[purpose]  # the templates say the word (verification_reasons)
    recorded = state.revoked_at if purpose == "revocation" else state.suspended_at
    try:
        marked = bits is not None and status_list.bit(bits, state.status_index)
    except ValueError:
        signed, marked = False, False
    consistent = signed and bits is not None and marked == (recorded is not None)
    result.checks[check] = consistent
    result.reasons.append(
        str(fill(says.LIST[purpose, marked], number=state.status_list_number))
        if consistent else str(says.LIST_UNCHECKED[purpose]))


def check_log(result: Verification, state: State, reader: DbSession | Connection, resolve,
               issuer: Issuer, memo: Callable[[tuple[Any, ...], Callable[[], bool]], bool]
               ) -> None:
    ok = False
    if (state.entry is not None and state.entry_index is not None
            and state.head_size is not None and state.head_root is not None):
        index, size = state.entry_index, state.head_size
        in_tree = index < size and merkle.verify_inclusion(
            merkle.leaf_hash(state.entry), index, size,
            transparency_log.inclusion_path(reader, index, size), state.head_root)
        head = TreeHead(size=size, root_hash=state.head_root, timestamp=state.head_timestamp,
                        key_id=state.head_key_id, checkpoint=state.head_checkpoint)

        def head_signed() -> bool:
            try:
                did = resolve.owner[state.head_key_id]
                return transparency_log.head_is_signed(
                    head, resolve(f"{did}#{state.head_key_id}"),
                    checkpoint.origin_for_did(did))  # the log of the key's issuer DID
            except (KeyError, LookupError, ValueError):
                return False

        head_ok = memo(("head", size, state.head_root, state.head_key_id,
                        state.head_checkpoint, state.keys_text), head_signed)
        records = json.loads(state.entry).get("credential_sha256") == state.credential_sha256
        ok = in_tree and head_ok and records
        result.log = {"leaf_index": index, "tree_size": size}
    result.checks["transparency_log"] = ok
    if state.entry is None and state.pending:
        result.log = {"pending": True}
        result.reasons.append(str(says.LOG_PENDING))
        return
    result.reasons.append(
        str(fill(says.LOG_OK, index=state.entry_index, size=state.head_size)) if ok
        else str(says.LOG_BAD))


def status_of(state: State, result: Verification, today: date) -> str:
    if state.revoked_at is not None:
        result.reasons.insert(0, str(fill(says.REVOKED, date=state.revoked_at.date(),
                                          reason=state.revocation_reason)))
        return "revoked"
    if state.superseded_by_id:
        result.reasons.insert(0, str(fill(says.SUPERSEDED, label=state.superseded_by_id)))
        return "superseded"
    if state.suspended_at is not None:  # not in force while suspended
        result.reasons.insert(0, str(fill(says.SUSPENDED, date=state.suspended_at.date(),
                                          reason=state.suspension_reason)))
        return "suspended"
    if state.valid_until < today:
        result.reasons.insert(0, str(fill(says.EXPIRED, date=state.valid_until)))
        return "expired"
    if state.pending and state.entry is None and all(
            ok for name, ok in result.checks.items() if name != "transparency_log"):
        return "inclusion_pending"
    if not all(result.checks.values()):
        return "invalid"
    return "valid"
