"""Batched sequencing (app/services/sequencer.py), through the real pending path: approval
commits a pending entry, the label says "inclusion pending" everywhere until the sequencer
integrates every pending entry with one checkpoint, and nothing is appended twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.app.api.test_checkpoints import independent_verify
from tests.app.api.test_labels import approve
from tests.app.api.test_verification_cache import _settled
from tests.app.flows import act, submitted_request
from tests.app.trust.test_merkle import ref_mth


@pytest.fixture
def batched(app):
    """Approvals queue their entries; nothing integrates them but the test's sequencer."""
    app.config["LOG_SEQUENCER"] = "batched"
    return app


def sequence(app) -> int:
    """Integrate what is pending; on PostgreSQL, return once the app's change feed has heard
    the commit (a cached "inclusion pending" answer is then recomputed)."""
    from app.services import sequencer
    from app.services.issuer import issuer_from_config

    with app.app_context():
        done = sequencer.run_once(issuer_from_config(app.config))
    _settled(app)
    return done


def approved_label(world) -> str:
    request_id, etag = submitted_request(world)
    approve(world, request_id, etag)
    labels = world["exporter_a"].get("/api/v1/labels").json["items"]
    return next(lb["id"] for lb in labels if lb["request_id"] == request_id)


def tree(client) -> tuple[int, list[dict]]:
    """The log as a third party sees it: the latest checkpoint checked with only the published
    key and its root rebuilt from the served entries by an independent RFC 9162 MTH."""
    vkey = client.get("/.well-known/carbonlabel-log-key").get_data(as_text=True).splitlines()[0]
    served = client.get("/log/checkpoint")
    if served.status_code == 404:
        return 0, []
    _, size, root = independent_verify(vkey, served.get_data(as_text=True))
    entries = client.get(f"/log/entries?start=0&end={size}").json
    assert len(entries) == size
    assert root == ref_mth(tuple(e["entry"].encode() for e in entries))
    return size, entries


def heads(app) -> list[int]:
    from app.extensions import db
    from app.persistence import TreeHead

    with app.app_context():
        return list(db.session.scalars(select(TreeHead.size).order_by(TreeHead.size)))


def test_inclusion_pending_is_shown_until_the_sequencer_runs(batched, world, client):
    label_id = approved_label(world)
    assert tree(client) == (0, [])  # nothing appended by the approval itself

    verification = client.get(f"/api/v1/labels/{label_id}/verification").json
    assert verification["status"] == "inclusion_pending"
    assert verification["checks"] == {"signature": True, "status_list": True,
                                      "suspension_list": True, "transparency_log": False}
    assert verification["log"] == {"pending": True}
    listed = world["exporter_a"].get("/api/v1/labels").json["items"]
    assert [lb["log_inclusion"] for lb in listed if lb["id"] == label_id] == ["pending"]
    receipt = client.get(f"/api/v1/labels/{label_id}/receipt")
    assert receipt.status_code == 409
    assert receipt.mimetype == "application/problem+json"
    assert receipt.json["current_state"] == "inclusion_pending"
    assert receipt.headers["Retry-After"] == "1"  # the merge delay (1 s by default)
    client.application.config["LOG_MERGE_DELAY"] = 2.5  # whole seconds, rounded up
    assert client.get(f"/api/v1/labels/{label_id}/receipt").headers["Retry-After"] == "3"
    client.application.config["LOG_MERGE_DELAY"] = 1.0
    for lang, words in (("en", "not yet included in the public transparency log"),
                        ("zh_Hans", "尚未纳入"), ("zh_Hant", "尚未納入")):
        page = client.get(f"/verify/{label_id}", headers={"Accept-Language": lang})
        assert page.status_code == 200
        assert words in page.get_data(as_text=True), lang

    assert sequence(batched) == 1
    verification = client.get(f"/api/v1/labels/{label_id}/verification").json
    assert verification["status"] == "valid", verification["reasons"]
    assert verification["log"] == {"leaf_index": 0, "tree_size": 1}
    assert client.get(f"/api/v1/labels/{label_id}/receipt").status_code == 200
    listed = world["exporter_a"].get("/api/v1/labels").json["items"]
    assert [lb["log_inclusion"] for lb in listed if lb["id"] == label_id] == ["included"]
    page = client.get(f"/verify/{label_id}", headers={"Accept-Language": "en"})
    assert "not yet included" not in page.get_data(as_text=True)


def test_one_batch_one_checkpoint_consecutive_leaves_nothing_twice(batched, world, client):
    first = approved_label(world)
    assert sequence(batched) == 1
    assert heads(batched) == [1]
    # three approvals and a revocation wait together: one batch, one checkpoint (size 5)
    pending = [approved_label(world) for _ in range(3)]
    revoked = world["certifier_c"].post(f"/api/v1/labels/{first}/revocation",
                                        json={"reason": "test: withdrawn by the producer"})
    assert revoked.status_code == 200, revoked.json
    assert tree(client)[0] == 1
    assert sequence(batched) == 4
    assert heads(batched) == [1, 5]  # one checkpoint per batch, none for sizes 2 to 4
    size, entries = tree(client)
    assert size == 5
    assert [e["leaf_index"] for e in entries] == list(range(5))
    kinds = [(e["kind"], e["label_id"]) for e in entries]
    assert kinds == [("issuance", first), *(("issuance", p) for p in pending),
                     ("revocation", first)]
    assert sequence(batched) == 0  # nothing left, nothing appended again
    assert heads(batched) == [1, 5]
    from app.extensions import db
    from app.persistence import LogEntry, PendingLogEntry

    with batched.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingLogEntry)) == 0
        assert db.session.scalar(select(func.count(func.distinct(LogEntry.entry)))) == 5


def test_recertification_queues_issuance_then_supersession(batched, world, client):
    request_id, etag = submitted_request(world)
    approve(world, request_id, etag)
    old = world["exporter_a"].get("/api/v1/labels").json["items"][0]["id"]
    assert sequence(batched) == 1
    product_id = world["exporter_a"].get(f"/api/v1/label-requests/{request_id}").json[
        "product_id"]
    # a second approval for the same product supersedes the first
    from tests.app.flows import calculate, draft_request, steel_model, upload

    exporter = world["exporter_a"]
    version = upload(exporter, product_id, steel_model())
    calc = calculate(exporter, version["id"])
    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    etag = act(exporter, req["id"], "submit", etag).headers["ETag"]
    approve(world, req["id"], etag)
    new = next(lb["id"] for lb in exporter.get("/api/v1/labels").json["items"]
               if lb["request_id"] == req["id"])
    assert client.get(f"/api/v1/labels/{new}/verification").json["status"] == (
        "inclusion_pending")
    assert client.get(f"/api/v1/labels/{old}/verification").json["status"] == "superseded"
    assert sequence(batched) == 2
    _, entries = tree(client)
    assert [(e["kind"], e["label_id"]) for e in entries[1:]] == [
        ("issuance", new), ("supersession", old)]
    assert client.get(f"/api/v1/labels/{new}/verification").json["status"] == "valid"


def test_inline_mode_appends_in_the_approval(app, world, client):
    """The mode the other tests use (conftest): no sequencer, entry and checkpoint at once."""
    assert app.config["LOG_SEQUENCER"] == "inline"
    label_id = approved_label(world)
    assert client.get(f"/api/v1/labels/{label_id}/verification").json["status"] == "valid"
    assert tree(client)[0] == 1 and heads(app) == [1]
    assert sequence(app) == 0


@pytest.mark.timezone  # the validity window, just after issuance
def test_online_check_reports_pending_then_verifies(batched, world, client):
    from app.trust import online

    label_id = approved_label(world)
    credential = client.get(f"/api/v1/labels/{label_id}/credential").json

    def fetch(url: str):
        response = client.get(url.removeprefix("https://labels.test"))
        assert response.status_code == 200, (url, response.json)
        return response.json

    report = online.verify_online(credential, fetch)
    assert not report.ok and report.inclusion_pending
    assert report.checks == {"issuer": True, "signature": True, "validity": True,
                             "not_revoked": True, "not_suspended": True,
                             "transparency_log": False}
    assert any("INCLUSION PENDING" in reason for reason in report.reasons)
    sequence(batched)
    report = online.verify_online(credential, fetch)
    assert report.ok and not report.inclusion_pending, report.reasons


@pytest.mark.timezone
def test_the_sequencer_publishes_after_its_batch(batched, world, client, tmp_path, runner):
    from app.cli import main
    from app.services import sequencer
    from app.services.issuer import issuer_from_config

    label_id = approved_label(world)
    target = tmp_path / "published"
    with batched.app_context():
        assert sequencer.run_once(issuer_from_config(batched.config), target) == 1
    assert (target / "labels" / f"{label_id}.json").is_file()
    assert (target / "log" / "checkpoint").read_text().splitlines()[1] == "1"
    result = runner.invoke(main, ["verify", "--static", str(target), label_id,
                                  "--state-dir", str(tmp_path / "state")])
    assert result.exit_code == 0 and "VERIFIED" in result.output, result.output


def audit_trail(app) -> tuple[list[tuple[str, str | None]], int, bool]:
    """(action, target) of every chained audit entry in order, the deferred events not
    chained yet, and whether the chain verifies."""
    from app.extensions import db
    from app.persistence import AuditEntry
    from app.services import audit

    with app.app_context():
        try:
            chained = [(e.action, e.target_id) for e in db.session.scalars(
                select(AuditEntry).order_by(AuditEntry.seq))]
            return chained, audit.pending_count(db.session), audit.verify(db.session).ok
        finally:
            db.session.remove()


def test_approvals_defer_their_audit_events_to_the_sequencer(batched, world, client):
    """Batched approvals take no audit lock: their two events wait unchained, interleaved with
    events chained directly meanwhile, and the sequencer chains them once, in order, into one
    chain that verifies (an approval's events are never lost nor chained twice)."""
    before, pending, ok = audit_trail(batched)
    assert pending == 0 and ok
    first = approved_label(world)
    chained, pending, ok = audit_trail(batched)
    assert pending == 2 and ok
    report = world["admin"].get("/api/v1/audit/verify").json
    assert report["ok"] is True and report["pending"] == 2
    assert len(chained) > len(before)  # the flow's own events, chained directly
    assert chained[-1][0] == "label_request.start_review"
    assert not any(a in ("label.issued", "label_request.approve") for a, _ in chained)
    second = approved_label(world)  # more direct entries after the first's deferred ones
    direct = len(audit_trail(batched)[0])
    assert sequence(batched) == 2
    chained, pending, ok = audit_trail(batched)
    assert pending == 0 and ok
    assert world["admin"].get("/api/v1/audit/verify").json["pending"] == 0
    assert len(chained) == direct + 4
    issued = [t for a, t in chained if a == "label.issued"]
    assert issued == [first, second]  # in the order they were written, each once
    assert [a for a, _ in chained].count("label_request.approve") == 2
    assert sequence(batched) == 0 and audit_trail(batched)[0] == chained
    # a direct append after the sequencer's chains onto its end
    world["exporter_a"].post("/api/v1/products", json={"name": "after", "hs_code": "721420"})
    chained, pending, ok = audit_trail(batched)
    assert ok and pending == 0 and chained[-1][0] != "label.issued"


def test_the_sequencer_chains_deferred_audit_events_alone(batched, world):
    """Deferred events with no log entry pending (none is written that way today, but the
    sequencer must not leave them behind): chained, the log untouched."""
    from app.extensions import db
    from app.services import audit

    with batched.app_context():
        audit.append(db.session, None, "test.deferred", deferred=True)
        db.session.commit()
    assert audit_trail(batched)[1] == 1
    assert sequence(batched) == 0  # no log entry integrated
    chained, pending, ok = audit_trail(batched)
    assert pending == 0 and ok and chained[-1][0] == "test.deferred"
    assert heads(batched) == []
