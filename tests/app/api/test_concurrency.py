"""Two certifiers act on the same request at the same moment: exactly one wins.

Runs on PostgreSQL with real concurrent connections (one thread and session each). A short
pause after the If-Match check makes both requests pass it before either writes, so the
versioned UPDATE itself has to refuse the loser.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.persistence import AuditEntry, LabelRequest
from app.services import accounts, audit, certification, transaction
from tests.app.flows import act, submitted_request


@pytest.fixture
def two_certifiers(world, app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrency is tested on PostgreSQL")
    with app.app_context(), transaction() as session:
        user = accounts.create_user(session, None, email="second@test.example",
                                    name="second", password="correct horse battery",
                                    role="certifier", organisation_id=world["ids"]["cb_c"])
        _, secret = accounts.create_token(session, user, name="t", scopes=["read", "review"],
                                          days=1)
    return world["certifier_c"], secret


def test_exactly_one_of_two_simultaneous_decisions_wins(world, app, two_certifiers,
                                                        monkeypatch):
    first, second_secret = two_certifiers
    request_id, etag = submitted_request(world)
    etag = act(first, request_id, "start_review", etag).headers["ETag"]

    original = certification._check_accreditation

    def slow_check(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(0.3)  # both requests are now past If-Match, neither has written

    monkeypatch.setattr(certification, "_check_accreditation", slow_check)
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def decide(name: str, headers: dict[str, str], body: dict) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/label-requests/{request_id}/transitions", json=body,
                               headers={**headers, "If-Match": etag})
        results[name] = response.status_code

    threads = [
        threading.Thread(target=decide, args=("approve", {
            "Authorization": f"Bearer {first.token}"},
            {"action": "approve", "valid_until": "2030-01-01"})),
        threading.Thread(target=decide, args=("reject", {
            "Authorization": f"Bearer {second_secret}"},
            {"action": "reject", "reason": "at the same time"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(results.values()) == [200, 412], results
    winner = "approve" if results["approve"] == 200 else "reject"
    with app.app_context():
        req = db.session.get(LabelRequest, request_id)
        assert req.state == {"approve": "approved", "reject": "rejected"}[winner]
        decisions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.target_id == request_id,
            AuditEntry.action.in_(["label_request.approve", "label_request.reject"]))).all()
        assert decisions == [f"label_request.{winner}"]
        assert audit.verify(db.session).ok


def test_of_two_simultaneous_revocations_one_is_refused(world, app, two_certifiers,
                                                       monkeypatch):
    from app.persistence import LogEntry
    from app.services import labels
    from tests.app.api.test_labels import issue

    first, second_secret = two_certifiers
    label, _ = issue(world)
    original = labels.keys.active_key

    def slow_key(*args, **kwargs):
        key = original(*args, **kwargs)
        time.sleep(0.3)  # both are past the "revoked already?" check, neither holds the log
        return key

    monkeypatch.setattr(labels.keys, "active_key", slow_key)
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def revoke(name: str, token: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/labels/{label['id']}/revocation",
                               json={"reason": f"withdrawn by {name}"},
                               headers={"Authorization": f"Bearer {token}"})
        results[name] = response.status_code

    threads = [threading.Thread(target=revoke, args=(name, token))
               for name, token in (("first", first.token), ("second", second_secret))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(results.values()) == [200, 409], results
    with app.app_context():
        kinds = db.session.scalars(select(LogEntry.kind).where(
            LogEntry.label_id == label["id"]).order_by(LogEntry.leaf_index)).all()
        assert kinds == ["issuance", "revocation"]
        revocations = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.target_id == label["id"], AuditEntry.action == "label.revoked")).all()
        assert len(revocations) == 1


def test_two_simultaneous_recertifications_of_one_product_supersede_in_turn(world, app,
                                                                           monkeypatch):
    """Both approvals read the product's label in force; the product's row lock makes the
    second wait for the first, so the chain is L0 <- L1 <- L2, never two labels superseding
    L0 (a pause while the credential is built holds each approval inside the race)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrency is tested on PostgreSQL")
    from app.persistence import Label, LogEntry
    from app.services import labels
    from tests.app.api.test_labels import issue
    from tests.app.flows import calculate, draft_request, steel_model, upload

    original_label, _ = issue(world)
    exporter, certifier = world["exporter_a"], world["certifier_c"]
    ready = []
    for _ in range(2):
        version = upload(exporter, original_label["product_id"], steel_model())
        req, etag = draft_request(exporter, calculate(exporter, version["id"])["id"],
                                  world["ids"]["cb_c"])
        etag = act(exporter, req["id"], "submit", etag).headers["ETag"]
        ready.append((req["id"], act(certifier, req["id"], "start_review", etag)
                      .headers["ETag"]))
    original = labels.build_credential

    def slow_build(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(labels, "build_credential", slow_build)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def approve(request_id: str, etag: str) -> None:
        client = app.test_client()
        barrier.wait()
        codes.append(client.post(
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
    with app.app_context():
        chain = {lb.id: lb for lb in db.session.scalars(select(Label).where(
            Label.product_id == original_label["product_id"]))}
        assert len(chain) == 3
        in_force = [lb for lb in chain.values() if lb.superseded_by_id is None]
        assert len(in_force) == 1
        newest = in_force[0]
        middle = chain[newest.supersedes_id]
        assert middle.superseded_by_id == newest.id
        assert middle.supersedes_id == original_label["id"]
        assert chain[original_label["id"]].superseded_by_id == middle.id
        kinds = db.session.scalars(select(LogEntry.kind).order_by(LogEntry.leaf_index)).all()
        assert sorted(kinds) == ["issuance"] * 3 + ["supersession"] * 2
        statuses = db.session.scalars(select(Label.status_index)).all()
        assert len(set(statuses)) == 3
