"""Verifying a label the way a trade partner would: status, the credential's signature, the
status list and the transparency log, each with a reason a person can read.

Everything a verification depends on that can change is read in *one* statement (`State`,
app/services/verification_state.py): the label row with its stored credential as text, the
certifier's name, the issuance log entry, the latest signed tree head, the published status
list as text and every published key. The result is computed from that row alone, plus the
log's interior nodes, which are write-once (a stored perfect subtree never changes) and are
only read to prove inclusion in the head the row names. So the result is a function of the
row and today's date, and a per-process cache (`VerificationCache`,
app/services/verification_cache.py) may serve it again for an *equal* row on the same day: a
popular label then costs one indexed query instead of eight plus the cryptography. Nothing
else invalidates an entry, and nothing needs to. A revocation changes the label row, the
status list and the log head; a suspension or reinstatement the label row and the
suspension list; a supersession the label row and the head; an edited
credential its stored text; a rotated or removed key the key list; expiry the date. Any of
them, committed by any process, makes the next request's row differ and the label be
verified afresh.

On PostgreSQL even that query can be skipped: every one of those changes also fires a NOTIFY
at commit (`change_feed`), and an answer cached while the process's feed stood at the same
count, today, is served as it is. The feed trusts itself only while its connection is proven
alive; otherwise, and always on SQLite, a cached answer is used only after re-reading the
current row in the same request.

The checks themselves are in app/services/verification_checks.py. The edge (app/web/
http_cache.py) holds one cache per app and is the one way the page and the JSON answer get
a verification: `verify_versioned` gives it the answer with its version (the digest above),
and it keeps each rendered body in the same cache under that version (`cache.derived`), so
a repeat the feed vouches for (`unchanged_version`) is served with no query and no render.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Connection

from app import clock
from app.persistence import Label
from app.services import DbSession, labels
from app.services.issuer import Issuer
from app.services.verification_cache import VerificationCache, feed_for
from app.services.verification_checks import (
    any_did,
    check_list,
    check_log,
    check_signature,
    published,
    read_status_list,
    status_of,
)
from app.services.verification_state import State, digest, read_state
from app.trust import status_list
from app.trust.keys import did_document, key_resolver

__all__ = ["Verification", "VerificationCache", "feed_for", "verify_label", "verify_versioned"]

T = TypeVar("T")


@dataclass
class Verification:
    label_id: str
    status: str  # valid | revoked | superseded | suspended | expired | invalid |
    #              inclusion_pending
    checks: dict[str, bool] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    label: Label | None = None  # the row, when verified without a cache (pages need it)
    details: dict[str, Any] = field(default_factory=dict)
    log: dict[str, int] | None = None  # where the issuance sits in the log
    credential: dict[str, Any] | None = None  # as stored (pages evaluate it; never mutated)


def verify_label(session: DbSession, text: str, issuer: Issuer,
                 cache: VerificationCache | None = None) -> Verification:
    """Verify a label. Without `cache` the state is read in the session's transaction and the
    result carries the label row (`label`). With one, the state is read on its own (committed
    data only, so not for a caller that just changed the label in an open transaction), an
    answer computed earlier from an equal state today is reused (without reading the state
    when the change feed vouches for it), and `label` is None."""
    if cache is None:
        label_id = labels.normalise_id(text)
        state = read_state(session.connection(), label_id)
        result, _ = _evaluate(session, session, state, issuer, clock.today(), None)
        result.label = session.get(Label, label_id)
        return result
    return verify_versioned(session, text, issuer, cache)[0]


def unchanged_version(text: str, cache: VerificationCache) -> tuple[str, bytes | None]:
    """The canonical label ID, and the version `verify_versioned` would answer with when the
    change feed vouches that the kept answer is current (None otherwise): what a caller that
    keeps derived values needs to find one, with no query, no copy and no issuer. InvalidInput
    for a mistyped ID, as `verify_versioned`."""
    label_id = labels.normalise_id(text)
    found = cache.unchanged(label_id, cache.token(), clock.today(), count=False)
    return label_id, found[1] if found is not None else None


def verify_versioned(session: DbSession, text: str, issuer: Issuer, cache: VerificationCache
                     ) -> tuple[Verification, bytes | None]:
    """`verify_label` through `cache`, with the version of what the answer was computed from:
    the digest of the state and the day (`digest`). Equal versions, equal answers, so anything
    derived from the answer alone (a rendered page or JSON body: app/web/http_cache.py) may be
    kept under it with `cache.derived` and `cache.keep`. None when the answer must not be
    kept (the label's status list was not stored yet and had to be built)."""
    label_id = labels.normalise_id(text)
    today = clock.today()
    token = cache.token()
    unchanged = cache.unchanged(label_id, token, today)
    if unchanged is not None:
        return _copy(unchanged[0]), unchanged[1]
    # A connection of its own in autocommit: one statement is one snapshot anyway, and
    # without BEGIN and ROLLBACK psycopg keeps the statement prepared (it forgets prepared
    # statements on every rollback, and planning this join costs more than running it).
    with session.get_bind().engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as connection:
        state = read_state(connection, label_id)
        key = (label_id, digest(state, today))
        cached = cache.get(key, token, today)
        if cached is not None:
            return _copy(cached), key[1]
        result, cacheable = _evaluate(connection, session, state, issuer, today, cache)
    if not cacheable:
        return result, None
    cache.put(key, _copy(result), token, today)
    return result, key[1]


def _copy(result: Verification) -> Verification:
    """A caller may add to its lists; the cached copy stays as computed."""
    return Verification(label_id=result.label_id, status=result.status,
                        checks=dict(result.checks), reasons=list(result.reasons),
                        label=result.label, details=dict(result.details),
                        log=dict(result.log) if result.log is not None else None,
                        credential=result.credential)


def _evaluate(reader: DbSession | Connection, session: DbSession, state: State, issuer: Issuer,
              today: date, cache: VerificationCache | None) -> tuple[Verification, bool]:
    """The verification of `state`, and whether it may be cached (not when the status list
    had to be built because none is stored yet). `reader` fetches the log nodes of the
    inclusion proof; checks every label shares go through `cache.memo` when there is one."""

    def memo(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return compute() if cache is None else cache.memo(key, compute)

    credential = json.loads(state.credential_text)
    result = Verification(label_id=state.label_id, status="valid", credential=credential)
    # The same DID document a partner fetches, and the same resolver the offline check uses:
    # the one of the DID the label was issued under (pinned; kept published after a move).
    resolve = memo(("keys", state.issuer_did, state.keys_text), lambda: key_resolver(
        did_document(state.issuer_did, published(state.keys_text, state.issuer_did))))
    check_signature(result, state, credential, resolve)
    # The status list and the log's heads are signed with the key active at the time, which
    # after a move is published under the new DID: any of the service's own DIDs will do.
    resolve = memo(("all keys", state.keys_text), lambda: any_did(state.keys_text))
    listed = state.status_list_text
    cacheable = listed is not None
    if listed is not None:
        signed, bits = memo(("status_list", listed, state.keys_text),
                            lambda: read_status_list(json.loads(listed), resolve))
    else:
        signed, bits = read_status_list(labels.status_list_credential(
            session, issuer, state.status_list_number), resolve)
    check_list(result, state, "revocation", signed, bits)
    if status_list.entry_for(credential, "suspension") is not None:
        check_list(result, state, "suspension", *memo(
            ("status_list", state.suspension_list_text, state.keys_text),
            lambda: read_status_list(json.loads(state.suspension_list_text or "null"),
                                     resolve)))
    check_log(result, state, reader, resolve, issuer, memo)
    result.status = status_of(state, result, today)
    subject = credential["credentialSubject"]
    result.details = {
        "product": subject["product"], "footprint": subject["footprint"],
        "declared_unit": subject["declaredUnit"], "certifier": state.certifier,
        "valid_from": state.valid_from.isoformat(), "valid_until": state.valid_until.isoformat(),
        # the instants the credential signs (UTC); the dates above are their UTC days
        "valid_from_at": credential.get("validFrom"),
        "valid_until_at": credential.get("validUntil"),
        "revoked_at": clock.iso_z(state.revoked_at) if state.revoked_at else None,
        "revocation_reason": state.revocation_reason,
        "suspended_at": clock.iso_z(state.suspended_at) if state.suspended_at else None,
        "suspension_reason": state.suspension_reason,
        "superseded_by": state.superseded_by_id, "supersedes": state.supersedes_id,
        "label_type": subject.get("labelType"),
        "pcr": subject.get("productCategoryRules"), "rating": subject.get("rating"),
        "reduction": subject.get("reduction"),
    }
    return result, cacheable
