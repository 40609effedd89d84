"""Revocation status lists that grow: labels fill list 0, then list 1, and so on, each list
published at its own URL and re-signed only when a label it holds is revoked.

These tests allocate 3 labels per list (STATUS_LIST_ENTRIES, a test-only setting; production
allocates all 131,072 entries of each list) so that seven labels cross two list boundaries.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from app.extensions import db
from app.trust import online
from app.trust import status_list as bits_of
from tests.app.api.test_labels import issue

BASE = "https://labels.test"
LIST_URL = f"{BASE}/api/v1/status-lists/revocation"
ENTRIES = 3


@pytest.fixture
def small_lists(app):
    """Three labels per list, and (PostgreSQL) the slot sequence from 0, so that the n-th
    label of a test is slot n: list n // 3, index n % 3."""
    app.config["STATUS_LIST_ENTRIES"] = ENTRIES
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ALTER SEQUENCE label_status_index RESTART WITH 0"))
    return app


def set_bits(document: dict) -> set[int]:
    raw = bits_of.decode(document["credentialSubject"]["encodedList"])
    assert len(raw) * 8 == bits_of.MIN_BITS  # always published at the specification's size
    return {i * 8 + b for i, byte in enumerate(raw) if byte for b in range(8)
            if byte & (0x80 >> b)}


def fetcher(client):
    def fetch(url: str):
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200, (url, response.json)
        return response.json
    return fetch


def revoke(world, label_id: str, reason: str = "withdrawn") -> None:
    response = world["certifier_c"].post(f"/api/v1/labels/{label_id}/revocation",
                                         json={"reason": reason})
    assert response.status_code == 200, response.json


def test_labels_cross_list_boundaries_and_revoke_in_their_own_list(world, client,
                                                                    small_lists):
    issued = [issue(world) for _ in range(7)]
    for n, (_label, credential) in enumerate(issued):
        status = credential["credentialStatus"]
        number, index = divmod(n, ENTRIES)  # hand-placed: 0-2 list 0, 3-5 list 1, 6 list 2
        url = LIST_URL if number == 0 else f"{LIST_URL}/{number}"
        suspension = f"{BASE}/api/v1/status-lists/suspension/{number}"
        assert status == [{"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
                           "statusPurpose": "revocation", "statusListIndex": str(index),
                           "statusListCredential": url},
                          {"id": f"{suspension}#{index}", "type": "BitstringStatusListEntry",
                           "statusPurpose": "suspension", "statusListIndex": str(index),
                           "statusListCredential": suspension}]
    # list 0 keeps its original URL, and is list /0 as well
    assert client.get("/api/v1/status-lists/revocation/0").json == \
        client.get("/api/v1/status-lists/revocation").json
    assert client.get("/api/v1/status-lists/revocation/3").status_code == 404

    lists_before = {n: client.get(f"/api/v1/status-lists/revocation/{n}").json
                    for n in range(3)}
    assert all(set_bits(doc) == set() for doc in lists_before.values())
    assert [doc["id"] for doc in lists_before.values()] == \
        [LIST_URL, f"{LIST_URL}/1", f"{LIST_URL}/2"]

    revoked = {1, 4, 5, 6}  # list 0 index 1; list 1 indices 1 and 2; list 2 index 0
    for n in sorted(revoked - {5, 6}):
        revoke(world, issued[n][0]["id"])
    after_two = {n: client.get(f"/api/v1/status-lists/revocation/{n}").json for n in range(3)}
    assert after_two[2] == lists_before[2]  # a list no revoked label is in is not re-signed
    for n in (5, 6):
        revoke(world, issued[n][0]["id"])
    lists = {n: client.get(f"/api/v1/status-lists/revocation/{n}").json for n in range(3)}
    assert lists[0] == after_two[0]  # nor is list 0 when labels in lists 1 and 2 are revoked
    assert [set_bits(lists[n]) for n in range(3)] == [{1}, {1, 2}, {0}]

    fetch = fetcher(client)
    for n, (label, credential) in enumerate(issued):
        verification = client.get(f"/api/v1/labels/{label['id']}/verification").json
        assert verification["status"] == ("revoked" if n in revoked else "valid"), verification
        assert verification["checks"]["status_list"] is True
        report = online.verify_online(credential, fetch)
        assert report.checks["not_revoked"] is (n not in revoked), report.reasons
        assert report.ok is (n not in revoked)


def test_reading_one_lists_revoked_labels_uses_the_partial_index(world, app, small_lists):
    """Re-signing a list reads its revoked entries through ix_labels_revoked_slots, never by
    scanning the labels table."""
    from app.services import status_lists

    with app.app_context():
        statement = status_lists._set_indexes("revocation").compile(db.engine)
        params = {"number": 1}
        with db.engine.connect() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("SET enable_seqscan = off"))  # an empty table: force the plan
                sql = str(statement).replace("%(number)s", "1")
                plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))
            else:
                sql = str(statement).replace("?", "1")
                plan = "\n".join(row[-1] for row in conn.execute(
                    text(f"EXPLAIN QUERY PLAN {sql}"), params))
    assert "ix_labels_revoked_slots" in plan, plan
    assert "SCAN labels\n" not in plan + "\n" and "Seq Scan" not in plan, plan


def test_simultaneous_revocations_in_one_list_both_set_their_bits(world, app, client,
                                                                  small_lists, monkeypatch):
    """Each revocation re-signs the list from the revoked labels it reads; the list's row lock
    makes the second read after the first commits, so neither bit is lost."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrency is tested on PostgreSQL")
    from app.services import labels, status_lists

    first, second = issue(world)[0], issue(world)[0]  # list 0, indices 0 and 1
    original = status_lists._signed

    def slow_sign(*args, **kwargs):
        time.sleep(0.3)  # both revocations are past their label's check
        return original(*args, **kwargs)

    monkeypatch.setattr(status_lists, "_signed", slow_sign)
    assert labels.status_lists is status_lists
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def run(label_id: str) -> None:
        other = app.test_client()
        barrier.wait()
        codes.append(other.post(f"/api/v1/labels/{label_id}/revocation",
                                json={"reason": "x"},
                                headers={"Authorization": f"Bearer {world['certifier_c'].token}"}
                                ).status_code)

    threads = [threading.Thread(target=run, args=(lb["id"],)) for lb in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200, 200]
    assert set_bits(client.get("/api/v1/status-lists/revocation").json) == {0, 1}


def test_simultaneous_first_labels_of_a_new_list_share_it(world, app, client, small_lists,
                                                          monkeypatch):
    """Two issuances that both open list 1 (slots 3 and 4): one stores the list, the other's
    INSERT ... ON CONFLICT DO NOTHING waits for it and leaves it; both labels verify."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrency is tested on PostgreSQL")
    from app.services import labels
    from tests.app.flows import act, submitted_request

    for _ in range(3):
        issue(world)  # fills list 0
    certifier = world["certifier_c"]
    ready = []
    for _ in range(2):
        request_id, etag = submitted_request(world)
        ready.append((request_id, act(certifier, request_id, "start_review", etag)
                      .headers["ETag"]))
    original = labels.build_credential

    def slow_build(*args, **kwargs):
        time.sleep(0.3)  # both have their slot and have read "list 1 is not stored"
        return original(*args, **kwargs)

    monkeypatch.setattr(labels, "build_credential", slow_build)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def approve(request_id: str, etag: str) -> None:
        other = app.test_client()
        barrier.wait()
        codes.append(other.post(
            f"/api/v1/label-requests/{request_id}/transitions",
            json={"action": "approve", "valid_until": "2030-06-30"},
            headers={"Authorization": f"Bearer {certifier.token}", "If-Match": etag}
        ).status_code)

    threads = [threading.Thread(target=approve, args=item) for item in ready]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200, 200]
    items = world["admin"].get("/api/v1/labels").json["items"]
    assert len(items) == 5
    for item in items:
        assert client.get(f"/api/v1/labels/{item['id']}/verification").json["status"] == "valid"
    assert client.get("/api/v1/status-lists/revocation/1").status_code == 200


def test_a_receipt_embeds_the_list_that_holds_the_label(world, client, small_lists):
    """A receipt carries its label's own numbered list, so offline checking reads the right
    bit: a label in list 1 revoked, and one in list 0 valid beside it."""
    from app.trust.receipt import verify_receipt

    issued = [issue(world)[0] for _ in range(4)]  # the fourth is list 1, index 0
    revoke(world, issued[3]["id"])
    fourth = client.get(f"/api/v1/labels/{issued[3]['id']}/receipt").json
    assert fourth["status_list_credential"] == client.get(
        "/api/v1/status-lists/revocation/1").json
    report = verify_receipt(fourth)
    assert {c for c, ok in report.checks.items() if not ok} == {"not_revoked"}
    first = client.get(f"/api/v1/labels/{issued[0]['id']}/receipt").json
    assert first["status_list_credential"]["id"] == LIST_URL
    assert verify_receipt(first).ok
