"""Verifying a label the way a trade partner would: status, the credential's signature, the
status list and the transparency log, each with a reason a person can read.

Everything a verification depends on that can change is read in *one* statement (`_State`):
the label row with its stored credential as text, the certifier's name, the issuance log
entry, the latest signed tree head, the published status list as text and every published
key. The result is computed from that row alone, plus the log's interior nodes, which are
write-once (a stored perfect subtree never changes) and are only read to prove inclusion in
the head the row names. So the result is a function of the row and today's date, and a
per-process cache (`VerificationCache`) may serve it again for an *equal* row on the same
day: a popular label then costs one indexed query instead of eight plus the cryptography.
Nothing else invalidates an entry, and nothing needs to. A revocation changes the label
row, the status list and the log head; a suspension or reinstatement the label row and the
suspension list; a supersession the label row and the head; an edited
credential its stored text; a rotated or removed key the key list; expiry the date. Any of
them, committed by any process, makes the next request's row differ and the label be
verified afresh.

On PostgreSQL even that query can be skipped: every one of those changes also fires a NOTIFY
at commit (`change_feed`), and an answer cached while the process's feed stood at the same
count, today, is served as it is. The feed trusts itself only while its connection is proven
alive; otherwise, and always on SQLite, a cached answer is used only after re-reading the
current row in the same request.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import (
    Connection,
    Dialect,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    event,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session

from app import clock
from app.domain import NotFound
from app.extensions import db
from app.persistence import (
    Label,
    LogEntry,
    Organisation,
    SigningKey,
    StatusList,
    TreeHead,
)
from app.services import labels, transparency_log
from app.services.change_feed import ChangeFeed, conninfo
from app.services.issuer import Issuer
from app.trust import checkpoint, merkle, signing, status_list
from app.trust.keys import did_document, key_resolver, public_key_from_multibase
from lca_models.canonical import sha256_hex

T = TypeVar("T")


@dataclass
class Verification:
    label_id: str
    status: str  # valid | revoked | superseded | suspended | expired | invalid
    checks: dict[str, bool] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    label: Label | None = None  # the row, when verified without a cache (pages need it)
    details: dict[str, Any] = field(default_factory=dict)
    log: dict[str, int] | None = None  # where the issuance sits in the log
    credential: dict[str, Any] | None = None  # as stored (pages evaluate it; never mutated)


@dataclass(frozen=True)
class _State:
    """Every mutable input of a verification, as one statement read it."""

    label_id: str
    issuer_did: str
    credential_text: str
    credential_sha256: str
    status_list_number: int
    status_index: int
    valid_from: date
    valid_until: date
    revoked_at: datetime | None
    revocation_reason: str | None
    supersedes_id: str | None
    superseded_by_id: str | None
    certifier: str | None
    entry_index: int | None
    entry: bytes | None
    head_size: int | None
    head_root: bytes | None
    head_timestamp: datetime | None
    head_key_id: str | None
    head_checkpoint: str | None
    status_list_text: str | None
    keys_text: str | None  # "id multibase status did" per published key, comma separated
    suspended_at: datetime | None
    suspension_reason: str | None
    suspension_list_text: str | None  # the suspension list at the label's place, if stored


@lru_cache(maxsize=1)
def _state_statement() -> Select:
    """Built once (construction costs more than running it); plain Core on the tables, so
    the ORM's compile and load machinery stays out of the hot path."""
    labels_t, entries_t = Label.__table__, LogEntry.__table__
    heads_t, lists_t, keys_t = TreeHead.__table__, StatusList.__table__, SigningKey.__table__
    head = (select(heads_t.c.size, heads_t.c.root_hash, heads_t.c.timestamp, heads_t.c.key_id,
                   heads_t.c.checkpoint).order_by(heads_t.c.size.desc()).limit(1)
            .subquery("head"))
    body = Organisation.__table__.alias("body")
    listed, suspension_listed = (
        select(cast(lists_t.c.credential, Text))
        .where(lists_t.c.purpose == purpose, lists_t.c.number == labels_t.c.status_list_number)
        .scalar_subquery() for purpose in ("revocation", "suspension"))
    published = (select(func.aggregate_strings(
        keys_t.c.id + " " + keys_t.c.public_multibase + " "
        + case((keys_t.c.retired_at.is_(None), "current"), else_="retired") + " "
        + keys_t.c.issuer_did, ","))
        .scalar_subquery())
    return (select(labels_t.c.id, labels_t.c.issuer_did, cast(labels_t.c.credential, Text),
                   labels_t.c.credential_sha256, labels_t.c.status_list_number,
                   labels_t.c.status_index,
                   labels_t.c.valid_from, labels_t.c.valid_until, labels_t.c.revoked_at,
                   labels_t.c.revocation_reason, labels_t.c.supersedes_id,
                   labels_t.c.superseded_by_id, body.c.name, entries_t.c.leaf_index,
                   entries_t.c.entry, head.c.size, head.c.root_hash, head.c.timestamp,
                   head.c.key_id, head.c.checkpoint, listed, published,
                   labels_t.c.suspended_at, labels_t.c.suspension_reason, suspension_listed)
            .select_from(labels_t
                         .outerjoin(body, body.c.id == labels_t.c.certification_body_id)
                         .outerjoin(entries_t, and_(entries_t.c.label_id == labels_t.c.id,
                                                    entries_t.c.kind == "issuance"))
                         .outerjoin(head, true()))
            .where(labels_t.c.id == bindparam("label_id")).limit(1))


@lru_cache(maxsize=8)
def _state_sql(dialect: Dialect) -> tuple[str, dict[str, Any], tuple[str, ...] | None,
                                          tuple[Any, ...]]:
    """The statement as the driver gets it, its fixed parameters, their order (for positional
    drivers) and each column's result processor: compiled once per dialect."""
    statement = _state_statement()
    expanded = statement.compile(dialect=dialect).construct_expanded_state(
        {"label_id": ""})
    processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                       for column in statement.selected_columns)
    order = tuple(expanded.positiontup) if expanded.positiontup is not None else None
    return expanded.statement, dict(expanded.parameters), order, processors


def _read_state(connection: Connection, label_id: str) -> _State:
    """One statement on the driver's cursor: with the label cached, this read is most of a
    verification, and SQLAlchemy's execution layer cost more than the query (the types are
    still converted by the columns' own result processors)."""
    sql, fixed, order, processors = _state_sql(connection.dialect)
    params: dict[str, Any] | tuple[Any, ...] = {**fixed, "label_id": label_id}
    if order is not None:
        params = tuple(params[name] for name in order)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise NotFound(f"no label {label_id}")
    return _State(*(convert(value) if convert and value is not None else value
                    for convert, value in zip(processors, row, strict=True)))


class VerificationCache:
    """Results per label, each kept with a digest of the exact `_State` it was computed from,
    the change feed's token when that state was read, and the day (bounded, least recently
    used first out). Per process: each gunicorn worker has its own."""

    def __init__(self, max_entries: int = 10_000, feed: ChangeFeed | None = None):
        self.max_entries = max_entries
        self.feed = feed
        self._entries: OrderedDict[str, tuple[bytes, Verification, int | None, date | None]] = (
            OrderedDict())
        self._shared: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers (and tests) share one app
        self.hits = self.misses = self.unread = 0  # unread: hits served with no query

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A check every label shares (the key list, the status list's signature, the head's
        signature), computed once per exact input: `key` holds the whole input, not a
        version number, so an edited list or head is a different key."""
        with self._lock:
            if key in self._shared:
                self._shared.move_to_end(key)
                return self._shared[key]
        value = compute()
        with self._lock:
            self._shared[key] = value
            while len(self._shared) > 64:
                self._shared.popitem(last=False)
        return value

    def token(self) -> int | None:
        """Taken *before* the state is read: a change committed after the read moves it."""
        return self.feed.token() if self.feed is not None else None

    def unchanged(self, label_id: str, token: int | None, today: date) -> Verification | None:
        """The answer computed today under `token`, when the feed says nothing changed since."""
        if token is None:
            return None
        with self._lock:
            found = self._entries.get(label_id)
            if found is None or found[2] != token or found[3] != today:
                return None
            self._entries.move_to_end(label_id)
            self.hits += 1
            self.unread += 1
            return found[1]

    def get(self, key: tuple[str, bytes], token: int | None = None,
            today: date | None = None) -> Verification | None:
        """The answer for an equal state; it is then current as of `token` too."""
        with self._lock:
            found = self._entries.get(key[0])
            if found is None or found[0] != key[1]:
                self.misses += 1
                return None
            self._entries[key[0]] = (found[0], found[1], token, today)
            self._entries.move_to_end(key[0])
            self.hits += 1
            return found[1]

    def put(self, key: tuple[str, bytes], result: Verification, token: int | None = None,
            today: date | None = None) -> None:
        with self._lock:
            self._entries[key[0]] = (key[1], result, token, today)
            self._entries.move_to_end(key[0])
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def cache_for(app: Flask) -> VerificationCache:
    """The app's cache (one per app object, so per worker process), holding the last
    verification of up to VERIFICATION_CACHE_SIZE labels; on PostgreSQL with a change feed
    (VERIFICATION_LISTEN), stopped when the app's engine is disposed."""
    cache = app.extensions.get("carbonlabel.verification_cache")
    if cache is None:
        size = app.config.get("VERIFICATION_CACHE_SIZE", 10_000)
        cache = app.extensions.setdefault("carbonlabel.verification_cache",
                                          VerificationCache(size, _feed_for(app, size)))
    return cache


def _feed_for(app: Flask, size: int) -> ChangeFeed | None:
    with app.app_context():
        engine = db.engine
    if size <= 0 or not app.config.get("VERIFICATION_LISTEN", True) \
            or engine.dialect.name != "postgresql":
        return None
    feed = ChangeFeed(conninfo(engine.url))
    event.listen(engine, "engine_disposed", lambda _engine: feed.stop())
    return feed


def verify_label(session: Session, text: str, issuer: Issuer,
                 cache: VerificationCache | None = None) -> Verification:
    """Verify a label. Without `cache` the state is read in the session's transaction and the
    result carries the label row (`label`). With one, the state is read on its own (committed
    data only, so not for a caller that just changed the label in an open transaction), an
    answer computed earlier from an equal state today is reused (without reading the state
    when the change feed vouches for it), and `label` is None."""
    label_id = labels.normalise_id(text)
    today = clock.today()
    if cache is None:
        state = _read_state(session.connection(), label_id)
        result, _ = _evaluate(session, session, state, issuer, today, None)
        result.label = session.get(Label, label_id)
        return result
    token = cache.token()
    unchanged = cache.unchanged(label_id, token, today)
    if unchanged is not None:
        return _copy(unchanged)
    # A connection of its own in autocommit: one statement is one snapshot anyway, and
    # without BEGIN and ROLLBACK psycopg keeps the statement prepared (it forgets prepared
    # statements on every rollback, and planning this join costs more than running it).
    with session.get_bind().connect().execution_options(
            isolation_level="AUTOCOMMIT") as connection:
        state = _read_state(connection, label_id)
        key = (label_id, _digest(state, today))
        cached = cache.get(key, token, today)
        if cached is not None:
            return _copy(cached)
        result, cacheable = _evaluate(connection, session, state, issuer, today, cache)
    if cacheable:
        cache.put(key, _copy(result), token, today)
    return result


_STATE_FIELDS = fields(_State)


def _digest(state: _State, today: date) -> bytes:
    """SHA-256 of the state and the date (`repr` of str, bytes, int, date and datetime values
    is unambiguous), so an entry holds 32 bytes rather than the credential's text."""
    text = repr((*(getattr(state, f.name) for f in _STATE_FIELDS), today))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _copy(result: Verification) -> Verification:
    """A caller may add to its lists; the cached copy stays as computed."""
    return Verification(label_id=result.label_id, status=result.status,
                        checks=dict(result.checks), reasons=list(result.reasons),
                        label=result.label, details=dict(result.details),
                        log=dict(result.log) if result.log is not None else None,
                        credential=result.credential)


def _evaluate(reader: Session | Connection, session: Session, state: _State, issuer: Issuer,
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
        did_document(state.issuer_did, _published(state.keys_text, state.issuer_did))))
    _check_signature(result, state, credential, resolve)
    # The status list and the log's heads are signed with the key active at the time, which
    # after a move is published under the new DID: any of the service's own DIDs will do.
    resolve = memo(("all keys", state.keys_text), lambda: _any_did(state.keys_text))
    cacheable = state.status_list_text is not None
    if cacheable:
        signed, bits = memo(("status_list", state.status_list_text, state.keys_text),
                            lambda: _status_list(json.loads(state.status_list_text), resolve))
    else:
        signed, bits = _status_list(labels.status_list_credential(
            session, issuer, state.status_list_number), resolve)
    _check_status_list(result, state, signed, bits)
    if status_list.entry_for(credential, "suspension") is not None:
        _check_suspension_list(result, state, memo(
            ("status_list", state.suspension_list_text, state.keys_text),
            lambda: _status_list(json.loads(state.suspension_list_text or "null"), resolve)))
    _check_log(result, state, reader, resolve, issuer, memo)
    result.status = _status(state, result, today)
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


def _published(keys_text: str | None, did: str | None) -> list[tuple[str, Any, str]]:
    """The key list as `keys.published(session, did)` gives it, from the aggregated column."""
    entries = []
    for item in sorted((keys_text or "").split(",")):
        if item:
            key_id, multibase, status, key_did = item.split(" ")
            if did is None or key_did == did:
                entries.append((key_id, public_key_from_multibase(multibase), status))
    return entries


def _any_did(keys_text: str | None) -> Callable[[str], Any]:
    """A resolver over the DID documents of every DID the service has published keys under;
    `resolve.owner` maps a bare key id to its DID (tree heads name the key only)."""
    dids = {item.split(" ")[3] for item in (keys_text or "").split(",") if item}
    resolvers = {did: key_resolver(did_document(did, _published(keys_text, did)))
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


def _check_signature(result: Verification, state: _State, credential: dict[str, Any],
                     resolve) -> None:
    outcome = signing.verify(credential, resolve)
    problems = list(outcome.problems)
    if credential.get("issuer") != state.issuer_did:
        problems.append(f"it names issuer {credential.get('issuer')!r}, the label was issued "
                        f"by {state.issuer_did}")
    if sha256_hex(credential) != state.credential_sha256:
        problems.append("stored copy was altered")
    result.checks["signature"] = outcome.verified and not problems
    if outcome.verified and not problems:
        result.reasons.append("the credential's eddsa-jcs-2022 signature verifies with the "
                              f"published key of its issuer {state.issuer_did}")
    else:
        result.reasons.append("the credential's signature does not verify: "
                              + "; ".join(problems or ["unknown problem"]))


def _status_list(credential: dict[str, Any] | None, resolve) -> tuple[bool, bytes | None]:
    """Whether the list's signature verifies, and its decoded bits (None if unreadable or
    not stored)."""
    if credential is None:
        return False, None
    signed = signing.verify(credential, resolve).verified
    try:
        return signed, status_list.decode(credential["credentialSubject"]["encodedList"])
    except (KeyError, TypeError, ValueError, OSError, EOFError):
        return False, None


def _check_status_list(result: Verification, state: _State, signed: bool,
                       bits: bytes | None) -> None:
    try:
        revoked_bit = bits is not None and status_list.bit(bits, state.status_index)
    except ValueError:
        signed, revoked_bit = False, False
    consistent = signed and bits is not None and revoked_bit == (state.revoked_at is not None)
    result.checks["status_list"] = consistent
    result.reasons.append(
        f"the signed revocation list {state.status_list_number} "
        f"{'marks' if revoked_bit else 'does not mark'} it revoked"
        if consistent else "the revocation list could not be checked")


def _check_suspension_list(result: Verification, state: _State,
                           listed: tuple[bool, bytes | None]) -> None:
    """For a label whose credential has a suspension entry (same place as its revocation
    entry): the signed suspension list agrees with the record."""
    signed, bits = listed
    try:
        marked = bits is not None and status_list.bit(bits, state.status_index)
    except ValueError:
        signed, marked = False, False
    consistent = signed and bits is not None and marked == (state.suspended_at is not None)
    result.checks["suspension_list"] = consistent
    result.reasons.append(
        f"the signed suspension list {state.status_list_number} "
        f"{'marks' if marked else 'does not mark'} it suspended"
        if consistent else "the suspension list could not be checked")


def _check_log(result: Verification, state: _State, reader: Session | Connection, resolve,
               issuer: Issuer, memo: Callable[[tuple[Any, ...], Callable[[], bool]], bool]
               ) -> None:
    ok = False
    if state.entry is not None and state.head_size is not None:
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
    result.reasons.append(
        f"its issuance is entry {state.entry_index} of the transparency log, proven against "
        f"the signed checkpoint of size {state.head_size}" if ok
        else "its issuance could not be proven in the transparency log")


def _status(state: _State, result: Verification, today: date) -> str:
    if state.revoked_at is not None:
        result.reasons.insert(0, f"revoked on {state.revoked_at.date()}: "
                                 f"{state.revocation_reason}")
        return "revoked"
    if state.superseded_by_id:
        result.reasons.insert(0, f"superseded by {state.superseded_by_id}")
        return "superseded"
    if state.suspended_at is not None:  # not in force while suspended
        result.reasons.insert(0, f"suspended on {state.suspended_at.date()}: "
                                 f"{state.suspension_reason}")
        return "suspended"
    if state.valid_until < today:
        result.reasons.insert(0, f"expired on {state.valid_until}")
        return "expired"
    if not all(result.checks.values()):
        return "invalid"
    return "valid"
