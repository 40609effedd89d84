"""Bulk approval (POST /api/v1/label-requests/approvals): several requests in review approved
in one transaction, all or nothing, each label with its own credential, status-list entry,
log entry and audit events, as single approvals give them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.app.flows import act, submitted_request
from tests.app.test_sequencer import audit_trail, batched, sequence, tree  # noqa: F401

URL = "/api/v1/label-requests/approvals"


@pytest.fixture(params=["inline", "batched"])
def sequencing(request, app) -> str:
    """The refusals hold under either log sequencing: inline approves request by request,
    batched through the batch path (certification._approve_batched)."""
    app.config["LOG_SEQUENCER"] = request.param
    return request.param


def in_review(world, count: int) -> list[dict[str, str]]:
    items = []
    for _ in range(count):
        request_id, etag = submitted_request(world)
        response = act(world["certifier_c"], request_id, "start_review", etag)
        assert response.status_code == 200, response.json
        items.append({"id": request_id, "etag": response.headers["ETag"]})
    return items


def approve_many(world, items, valid_until: str = "2029-12-31"):
    return world["certifier_c"].post(URL, json={"requests": items, "valid_until": valid_until})


def states(world, items) -> list[str]:
    return [world["exporter_a"].get(f"/api/v1/label-requests/{item['id']}").json["state"]
            for item in items]


def labels_of(world) -> list[dict]:
    return world["exporter_a"].get("/api/v1/labels").json["items"]


def test_each_request_gets_its_own_label_entry_and_audit_events(world, client, app):
    items = in_review(world, 3)
    response = approve_many(world, items)
    assert response.status_code == 200, response.json
    answered = response.json["items"]
    assert [a["request"]["id"] for a in answered] == [i["id"] for i in items]
    assert all(a["request"]["state"] == "approved" for a in answered)
    assert all(a["etag"] == f'"{a["request"]["id"]}.{a["request"]["version"]}"'
               for a in answered)
    label_ids = [a["label_id"] for a in answered]
    assert len(set(label_ids)) == 3
    by_id = {lb["id"]: lb for lb in labels_of(world)}
    assert [by_id[i]["request_id"] for i in label_ids] == [i["id"] for i in items]
    slots = set()
    for label_id in label_ids:
        credential = client.get(f"/api/v1/labels/{label_id}/credential").json
        assert credential["credentialSubject"]["labelId"] == label_id
        slots.add(tuple(e["statusListIndex"] for e in credential["credentialStatus"]))
        verification = client.get(f"/api/v1/labels/{label_id}/verification").json
        assert verification["status"] == "valid", verification["reasons"]
    assert len(slots) == 3  # a status-list entry each
    _, entries = tree(client)  # inline (the tests' mode): one issuance entry each
    assert sorted(e["label_id"] for e in entries) == sorted(label_ids)
    chained, pending, ok = audit_trail(app)
    assert ok and pending == 0
    assert sorted(t for a, t in chained if a == "label.issued") == sorted(label_ids)
    assert sorted(t for a, t in chained if a == "label_request.approve") == sorted(
        i["id"] for i in items)


def test_one_stale_request_refuses_the_whole_batch(sequencing, world, client):
    items = in_review(world, 3)
    stale = items[1]
    response = act(world["certifier_c"], stale["id"], "request_changes", stale["etag"],
                   reason="one more question")
    assert response.status_code == 200
    response = approve_many(world, items)
    assert response.status_code == 412, response.json
    assert response.json["detail"].startswith("requests[1]: ")
    assert states(world, items) == ["in_review", "changes_requested", "in_review"]
    assert labels_of(world) == [] and tree(client)[0] == 0


def test_a_request_not_in_review_refuses_the_whole_batch(sequencing, world, client):
    items = in_review(world, 2)
    request_id, etag = submitted_request(world)  # submitted, never taken into review
    response = approve_many(world, [*items, {"id": request_id, "etag": etag}])
    assert response.status_code == 409, response.json
    assert response.json["detail"].startswith("requests[2]: ")
    assert states(world, items) == ["in_review", "in_review"]
    assert labels_of(world) == [] and tree(client)[0] == 0


def test_listed_twice_or_without_validity_is_refused(sequencing, world):
    items = in_review(world, 1)
    twice = approve_many(world, [items[0], items[0]])
    assert twice.status_code == 422 and "twice" in twice.json["detail"]
    past = approve_many(world, items, valid_until="2001-01-01")
    assert past.status_code == 422
    assert past.json["detail"].startswith("requests[0]: ")
    missing = world["certifier_c"].post(URL, json={"requests": items})
    assert missing.status_code == 422
    assert states(world, items) == ["in_review"]


def test_batched_bulk_approval_waits_for_the_sequencer(batched, world, client):  # noqa: F811
    items = in_review(world, 3)
    response = approve_many(world, items)
    assert response.status_code == 200, response.json
    label_ids = [a["label_id"] for a in response.json["items"]]
    assert tree(client)[0] == 0
    chained, pending, ok = audit_trail(batched)
    assert ok and pending == 6  # two deferred events an approval
    assert sequence(batched) == 3
    size, entries = tree(client)
    assert size == 3 and sorted(e["label_id"] for e in entries) == sorted(label_ids)
    chained, pending, ok = audit_trail(batched)
    assert ok and pending == 0
    assert sorted(t for a, t in chained if a == "label.issued") == sorted(label_ids)
    for label_id in label_ids:
        assert client.get(f"/api/v1/labels/{label_id}/verification").json["status"] == "valid"


def test_bulk_approval_names_nothing_of_another_body(sequencing, world, app):
    """Certifier D sees none of C's requests: the same 404 as for an id that is nowhere."""
    items = in_review(world, 1)
    theirs = world["certifier_d"].post(URL, json={"requests": items,
                                                  "valid_until": "2029-12-31"})
    ghost = world["certifier_d"].post(URL, json={
        "requests": [{"id": "00000000-0000-4000-8000-000000000000", "etag": "*"}],
        "valid_until": "2029-12-31"})
    assert theirs.status_code == ghost.status_code == 404
    assert theirs.json["detail"] == ghost.json["detail"]
    from app.extensions import db
    from app.persistence import Label

    with app.app_context():
        assert db.session.scalars(select(Label)).all() == []


def test_cli_approves_as_the_certifier_all_or_nothing(sequencing, world, app, client, runner,
                                                      monkeypatch):
    from app.cli import main

    for name, key in (("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
                      ("CARBONLABEL_KEYS_DIR", "KEYS_DIR"),
                      ("CARBONLABEL_PUBLIC_URL", "PUBLIC_URL")):
        monkeypatch.setenv(name, str(app.config[key]))
    monkeypatch.setenv("CARBONLABEL_LOG_SEQUENCER", sequencing)
    items = in_review(world, 2)
    email = "certifier_c@test.example"  # tests/app/conftest.py's world
    version = items[1]["etag"].strip('"').split(".")[1]
    stale = runner.invoke(main, ["approve", "--as", email, "--valid-until", "2029-12-31",
                                 items[0]["id"], f"{items[1]['id']}@{int(version) - 1}"])
    assert stale.exit_code != 0 and "requests[1]" in stale.output, stale.output
    assert states(world, items) == ["in_review", "in_review"]
    done = runner.invoke(main, ["approve", "--as", email, "--valid-until", "2029-12-31",
                                items[0]["id"], f"{items[1]['id']}@{version}"])
    assert done.exit_code == 0, done.output
    assert "2 request(s) approved" in done.output
    assert states(world, items) == ["approved", "approved"]
    label_ids = {lb["id"] for lb in labels_of(world)}
    assert len(label_ids) == 2 and all(i in done.output for i in label_ids)


def test_a_drawn_label_id_already_taken_is_drawn_again(sequencing, world, client, monkeypatch):
    """Label IDs are drawn at random (app/trust/label_ids.py); a draw that hits an issued
    label's ID is drawn again, by a single approval and a bulk one alike."""
    from app.trust import label_ids

    first, second, third = in_review(world, 3)
    assert approve_many(world, [first]).status_code == 200
    (taken,) = [lb["id"] for lb in labels_of(world)]
    real = label_ids.new_label_id
    draws: list[str] = []

    def taken_first(year, *args, **kwargs):
        drawn = taken if not draws else real(year, *args, **kwargs)
        draws.append(drawn)
        return drawn

    monkeypatch.setattr(label_ids, "new_label_id", taken_first)
    single = act(world["certifier_c"], second["id"], "approve", second["etag"],
                 valid_until="2029-12-31")
    assert single.status_code == 200, single.json
    assert draws[0] == taken and len(draws) >= 2
    draws.clear()
    bulk = approve_many(world, [third])
    assert bulk.status_code == 200, bulk.json
    assert draws[0] == taken and bulk.json["items"][0]["label_id"] != taken
    issued = [lb["id"] for lb in labels_of(world)]
    assert len(issued) == len(set(issued)) == 3 and taken in issued
