"""Numbered status lists: as many W3C Bitstring Status List credentials as the labels need,
each holding `Issuer.status_list_entries` labels (the specification's 131,072 in production),
published at stable URLs, for two purposes: "revocation" (final) and "suspension"
(reversible; labels issued before suspension existed have no entry in those lists).

Slots are counted across lists: slot s is entry ``s % entries`` of list ``s // entries``, of
*both* purposes: a label's revocation and suspension bits sit at the same (list, index) of
the lists of each purpose, so one allocation serves both.
PostgreSQL draws slots from the sequence `label_status_index` (no lock; a rolled-back
issuance leaves one bit that is never set); SQLite reads the highest slot through the unique
index on (list, index), its single writer already holding the database.

A list changes only when a label it holds is revoked (or suspended or reinstated, for the
suspension lists): that transaction locks the list's row, reads the set indexes *of that
list* through the partial index on the revoked (or suspended) (list, index) pairs, and
re-signs it. Nothing here takes the transparency log's lock.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import CTE, ColumnElement, Sequence, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from app import clock
from app.domain import Conflict, NotFound
from app.persistence import Label, StatusList
from app.persistence.types import utcnow
from app.services import DbSession, keys
from app.services.issuer import VC_CONTEXT, Issuer
from app.trust import signing, status_list

PURPOSE = REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)
_SLOTS = Sequence("label_status_index")  # migration 0009, PostgreSQL only


@lru_cache(maxsize=4)
def slot_cte(dialect: str) -> CTE:
    """A one-row CTE `slot` (column `n`): the next slot, evaluated once per statement (a CTE
    with a volatile function is computed once on PostgreSQL). Callers bind `entries`."""
    slot: ColumnElement[int]
    if dialect == "postgresql":
        slot = _SLOTS.next_value()
    else:
        last = (select(Label.status_list_number * bindparam("entries") + Label.status_index)
                .order_by(Label.status_list_number.desc(), Label.status_index.desc())
                .limit(1).scalar_subquery())
        slot = func.coalesce(last, -1) + 1
    return select(slot.label("n")).cte("slot")


def next_slots(session: DbSession, count: int, entries: int) -> list[int]:
    """`count` new slots, ascending, in one statement: what `slot_cte` gives `count`
    issuances one after another."""
    if session.get_bind().dialect.name == "postgresql":
        return sorted(session.scalars(select(_SLOTS.next_value()).select_from(
            func.generate_series(1, count))))
    first = session.execute(select(slot_cte("sqlite").c.n), {"entries": entries}).scalar_one()
    return list(range(first, first + count))


def stored(session: DbSession, numbers: set[int]) -> set[tuple[str, int]]:
    """(purpose, number) of the lists among `numbers` that are stored, of either purpose."""
    return {(purpose, number) for purpose, number in session.execute(
        select(StatusList.purpose, StatusList.number).where(StatusList.number.in_(numbers)))}


def listed(number: Any, purpose: str = REVOCATION) -> Any:
    """A scalar subquery: 1 when list `number` of `purpose` is stored, else 0."""
    return (select(func.count()).select_from(StatusList)
            .where(StatusList.purpose == purpose, StatusList.number == number)
            .scalar_subquery())


def place(slot: int, issuer: Issuer) -> tuple[int, int]:
    """(list number, index within the list) of a slot."""
    return divmod(slot, issuer.status_list_entries)


def entry(issuer: Issuer, number: int, index: int, purpose: str = REVOCATION
          ) -> dict[str, str]:
    """One `credentialStatus` entry: entry `index` of list `number` of `purpose`."""
    url = issuer.status_list_url_for(number, purpose)
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": purpose, "statusListIndex": str(index),
            "statusListCredential": url}


def entries(issuer: Issuer, number: int, index: int) -> list[dict[str, str]]:
    """A new label's `credentialStatus`: one entry per purpose, at the same (list, index)."""
    return [entry(issuer, number, index, purpose) for purpose in PURPOSES]


def credential(session: DbSession, issuer: Issuer, number: int = 0,
               purpose: str = REVOCATION) -> dict[str, Any]:
    """The signed list `number` of `purpose` as published. List 0 of each purpose is built on
    first use (as before lists were numbered); any other list is stored when its first label
    is issued, so one that is not stored holds no label (of that purpose)."""
    stored = session.get(StatusList, (purpose, number))
    if stored is not None:
        return stored.credential
    if number < 0 or (number > 0 and (purpose != REVOCATION or session.scalar(
            select(Label.id).where(Label.status_list_number == number).limit(1)) is None)):
        raise NotFound(f"no {purpose} status list {number}")
    return publish(session, issuer, number)


def publish_new(session: DbSession, issuer: Issuer, number: int,
                purpose: str = REVOCATION) -> None:
    """Store the signed, empty list `number` when its first label is issued, unless another
    transaction stores it first (INSERT ... ON CONFLICT DO NOTHING: PostgreSQL waits for that
    transaction and then does nothing)."""
    document = _signed(session, issuer, number, (), purpose)
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    session.execute(insert(StatusList).values(
        purpose=purpose, number=number, credential=document, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["purpose", "number"]))


def publish(session: DbSession, issuer: Issuer, number: int,
            purpose: str = REVOCATION) -> dict[str, Any]:
    """Re-sign list `number` of `purpose` from the labels it holds (bit i, left-most first,
    set when its label i is revoked, or suspended) and store it. The list's row is locked
    first, so concurrent changes in one list queue and the later one reads the earlier's
    bit; changes in other lists do not wait."""
    session.flush()
    stored = session.scalars(select(StatusList).where(
        StatusList.purpose == purpose, StatusList.number == number).with_for_update()).first()
    marked = session.scalars(_set_indexes(purpose), {"number": number})
    document = _signed(session, issuer, number, marked, purpose)
    if stored is None:
        session.add(StatusList(purpose=purpose, number=number, credential=document))
    else:
        stored.credential, stored.updated_at = document, utcnow()
    session.flush()
    return document


@lru_cache(maxsize=2)
def _set_indexes(purpose: str):
    """Served by ix_labels_revoked_slots (ix_labels_suspended_slots): reads the revoked
    (suspended) labels of one list only."""
    marked = Label.revoked_at if purpose == REVOCATION else Label.suspended_at
    return select(Label.status_index).where(
        Label.status_list_number == bindparam("number"), marked.is_not(None))


def _signed(session: DbSession, issuer: Issuer, number: int, marked: Any,
            purpose: str = REVOCATION) -> dict[str, Any]:
    url = issuer.status_list_url_for(number, purpose)
    now = clock.iso_z(clock.now())
    document = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": now,
        # Always the specification's size, whatever `status_list_entries` allocates.
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": purpose,
                              "encodedList": status_list.encode(marked, status_list.MIN_BITS)},
    }
    key = keys.active_key(session)
    if key is None:
        raise Conflict("no signing key: an operator runs `carbonlabel keys generate` first")
    return signing.sign(document, keys.load_private(issuer.keys_dir, key),
                        issuer.method_id(key.id), created=now)


