"""Suspension (ISO/IEC 17065 7.11): a reversible second status purpose beside revocation.

Labels are allocated 3 per list here (STATUS_LIST_ENTRIES, test-only; see
test_status_lists.py), so seven labels sit in lists 0, 1 and 2 of *both* purposes, at the
same (list, index) in each: label n is index n % 3 of list n // 3.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from app.extensions import db
from app.trust import online
from app.trust.receipt import verify_receipt
from tests.app.api.test_labels import issue
from tests.app.api.test_status_lists import ENTRIES, fetcher, revoke, set_bits, small_lists

__all__ = ["small_lists"]  # the fixture, used by name

SUSPENSION = "/api/v1/status-lists/suspension"
REVOCATION = "/api/v1/status-lists/revocation"


def suspend(world, label_id: str, reason: str = "surveillance audit overdue", code: int = 200):
    response = world["certifier_c"].post(f"/api/v1/labels/{label_id}/suspension",
                                         json={"reason": reason})
    assert response.status_code == code, response.json
    return response


def reinstate(world, label_id: str, code: int = 200):
    response = world["certifier_c"].post(f"/api/v1/labels/{label_id}/reinstatement",
                                         json={"reason": "audit passed"})
    assert response.status_code == code, response.json
    return response


def lists(client, path: str) -> dict[int, dict]:
    return {n: client.get(f"{path}/{n}").json for n in range(3)}


def test_suspend_reinstate_and_revoke_in_different_lists(world, client, small_lists):
    issued = [issue(world) for _ in range(7)]
    for n, (_label, credential) in enumerate(issued):
        revocation, suspension = credential["credentialStatus"]
        number, index = divmod(n, ENTRIES)
        assert suspension["statusPurpose"] == "suspension"
        assert suspension["statusListCredential"] == f"https://labels.test{SUSPENSION}/{number}"
        assert suspension["statusListIndex"] == revocation["statusListIndex"] == str(index)
    assert client.get(f"{SUSPENSION}/3").status_code == 404
    before = lists(client, SUSPENSION)
    assert [before[n]["credentialSubject"]["statusPurpose"] for n in range(3)] == \
        ["suspension"] * 3
    assert all(set_bits(doc) == set() for doc in before.values())

    suspended = {1, 4}  # list 0 index 1; list 1 index 1
    for n in sorted(suspended):
        body = suspend(world, issued[n][0]["id"]).json
        assert body["suspended_at"] and body["suspension_reason"] == "surveillance audit overdue"
    after = lists(client, SUSPENSION)
    assert [set_bits(after[n]) for n in range(3)] == [{1}, {1}, set()]
    assert after[2] == before[2]  # a list no suspended label is in is not re-signed
    # suspension changes no revocation list
    assert all(set_bits(doc) == set() for doc in lists(client, REVOCATION).values())

    revoke(world, issued[5][0]["id"])  # list 1 index 2, beside the suspended index 1
    revoke(world, issued[6][0]["id"])  # list 2 index 0
    assert lists(client, SUSPENSION) == after  # revocation re-signs no suspension list
    assert [set_bits(doc) for doc in lists(client, REVOCATION).values()] == \
        [set(), {2}, {0}]

    fetch = fetcher(client)
    expected = {1: "suspended", 4: "suspended", 5: "revoked", 6: "revoked"}
    for n, (label, credential) in enumerate(issued):
        verification = client.get(f"/api/v1/labels/{label['id']}/verification").json
        assert verification["status"] == expected.get(n, "valid"), verification
        assert verification["checks"] == {"signature": True, "status_list": True,
                                          "suspension_list": True, "transparency_log": True}
        report = online.verify_online(credential, fetch)
        assert report.checks["not_suspended"] is (n not in suspended), report.reasons
        assert report.checks["not_revoked"] is (n not in (5, 6)), report.reasons
        assert report.ok is (n not in expected)
    details = client.get(f"/api/v1/labels/{issued[4][0]['id']}/verification").json
    assert details["details"]["suspension_reason"] == "surveillance audit overdue"
    assert details["reasons"][0].startswith("suspended on ")

    reinstate(world, issued[4][0]["id"])
    final = lists(client, SUSPENSION)
    assert [set_bits(final[n]) for n in range(3)] == [{1}, set(), set()]
    assert final[0] == after[0]  # reinstating in list 1 leaves list 0 as it was
    lifted = client.get(f"/api/v1/labels/{issued[4][0]['id']}/verification").json
    assert lifted["status"] == "valid" and lifted["details"]["suspended_at"] is None
    assert online.verify_online(issued[4][1], fetch).ok


def test_revocation_is_final_and_suspension_reversible(world, client):
    (first, _), (second, _) = issue(world), issue(world)
    revoke(world, first["id"])
    for action in (suspend, reinstate):
        refused = action(world, first["id"], code=409)
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert refused.json["current_state"] == "revoked" and "final" in refused.json["detail"]

    assert reinstate(world, second["id"], code=409).json["current_state"] == "valid"
    suspend(world, second["id"])
    assert suspend(world, second["id"], code=409).json["current_state"] == "suspended"
    reinstate(world, second["id"])
    suspend(world, second["id"], reason="second audit missed")
    revoke(world, second["id"])  # withdrawal after suspension: revoked wins, for good
    verification = client.get(f"/api/v1/labels/{second['id']}/verification").json
    assert verification["status"] == "revoked"
    assert verification["checks"]["suspension_list"] is True  # the bit stays, as recorded
    assert reinstate(world, second["id"], code=409).json["current_state"] == "revoked"

    audit = world["admin"].get("/api/v1/audit?page_size=200").json["items"]
    trail = [(e["action"], e["reason"]) for e in audit if e["target_id"] == second["id"]]
    assert trail == [("label.issued", None), ("label.suspended", "surveillance audit overdue"),
                     ("label.reinstated", "audit passed"),
                     ("label.suspended", "second audit missed"),
                     ("label.revoked", "withdrawn")]
    log = client.get("/log/entries?start=0&end=100").json
    assert "suspension" not in {entry["kind"] for entry in log}  # not a log event


def test_only_the_issuing_body_or_an_admin_may_suspend(world):
    label, _ = issue(world)
    for who, code in (("exporter_a", 403), ("certifier_d", 403)):
        response = world[who].post(f"/api/v1/labels/{label['id']}/suspension",
                                   json={"reason": "x"})
        assert response.status_code == code, response.json
    assert world["admin"].post(f"/api/v1/labels/{label['id']}/suspension",
                               json={"reason": "x"}).status_code == 200
    assert world["certifier_d"].post(f"/api/v1/labels/{label['id']}/reinstatement",
                                     json={"reason": "x"}).status_code == 403


def test_a_label_issued_before_suspension_cannot_be_suspended(world, client, monkeypatch):
    """Its signed credential has only the revocation entry (one object, as labels were
    issued before), and signed credentials never change: suspension is refused, the label
    verifies as before, and its receipt needs no suspension list."""
    from app.services import status_lists

    monkeypatch.setattr(status_lists, "entries",
                        lambda issuer, number, index: status_lists.entry(issuer, number, index))
    label, credential = issue(world)
    monkeypatch.undo()
    assert isinstance(credential["credentialStatus"], dict)
    refused = suspend(world, label["id"], code=409)
    assert refused.json["current_state"] == "not_suspendable"
    assert "issued before suspension existed" in refused.json["detail"]
    verification = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert verification["status"] == "valid"
    assert set(verification["checks"]) == {"signature", "status_list", "transparency_log"}
    report = online.verify_online(credential, fetcher(client))
    assert report.ok and "not_suspended" not in report.checks
    receipt = client.get(f"/api/v1/labels/{label['id']}/receipt").json
    assert "suspension_list_credential" not in receipt
    assert verify_receipt(receipt).ok


def test_a_suspended_labels_receipt_says_so(world, client):
    label, _ = issue(world)
    suspend(world, label["id"])
    receipt = client.get(f"/api/v1/labels/{label['id']}/receipt").json
    assert receipt["suspension_list_credential"] == client.get(f"{SUSPENSION}/0").json
    report = verify_receipt(receipt)
    assert {c for c, ok in report.checks.items() if not ok} == {"not_suspended"}
    assert any("marks it SUSPENDED" in r for r in report.reasons)


def test_a_suspended_footprint_stays_active_in_pact(world):
    """PACT v3 knows Active and Deprecated only, and Deprecated means a newer version
    replaced the footprint (one way): a suspension is neither (docs/credentials.md)."""
    label, _ = issue(world)
    suspend(world, label["id"])
    footprint = world["exporter_a"].get(f"/api/v1/labels/{label['id']}/pact-footprint")
    assert footprint.status_code == 200, footprint.json
    assert footprint.json["status"] == "Active"


def test_reading_one_lists_suspended_labels_uses_the_partial_index(app):
    from app.services import status_lists

    with app.app_context():
        statement = status_lists._set_indexes("suspension").compile(db.engine)
        with db.engine.connect() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("SET enable_seqscan = off"))
                sql = str(statement).replace("%(number)s", "1")
                plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))
            else:
                sql = str(statement).replace("?", "1")
                plan = "\n".join(row[-1] for row in conn.execute(
                    text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_labels_suspended_slots" in plan, plan
    assert "SCAN labels\n" not in plan + "\n" and "Seq Scan" not in plan, plan


def test_simultaneous_suspensions_in_one_list_both_set_their_bits(world, app, client,
                                                                  small_lists, monkeypatch):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrency is tested on PostgreSQL")
    from app.services import status_lists

    first, second = issue(world)[0], issue(world)[0]  # list 0, indices 0 and 1
    original = status_lists._signed

    def slow_sign(*args, **kwargs):
        time.sleep(0.3)  # both suspensions are past their label's check
        return original(*args, **kwargs)

    monkeypatch.setattr(status_lists, "_signed", slow_sign)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def run(label_id: str) -> None:
        other = app.test_client()
        barrier.wait()
        codes.append(other.post(f"/api/v1/labels/{label_id}/suspension", json={"reason": "x"},
                                headers={"Authorization": f"Bearer {world['certifier_c'].token}"}
                                ).status_code)

    threads = [threading.Thread(target=run, args=(lb["id"],)) for lb in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200, 200]
    assert set_bits(client.get(f"{SUSPENSION}/0").json) == {0, 1}


@pytest.mark.timezone  # the validity window, just after issuance
def test_the_published_directory_shows_a_suspension_after_the_next_publish(
        app, world, tmp_path, runner):
    from tests.app.api.test_static_publication import publish, static_verify

    label, _ = issue(world)
    target = tmp_path / "published"
    publish(app, target)
    assert (target / "status" / "suspension" / "0.json").is_file()
    assert static_verify(runner, target, label["id"], tmp_path).exit_code == 0
    suspend(world, label["id"])
    publish(app, target)
    result = static_verify(runner, target, label["id"], tmp_path)
    assert result.exit_code == 1 and "not_suspended    FAILED" in result.output, result.output
    assert "not_revoked      ok" in result.output
    reinstate(world, label["id"])
    publish(app, target)
    assert static_verify(runner, target, label["id"], tmp_path).exit_code == 0
