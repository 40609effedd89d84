"""approve_many under batched sequencing (certification._approve_batched, labels.issue_many)
writes exactly what the per-request path (one `transition(..., "approve")` a request, in
product order) writes, row for row in every table; and a request changed between the
batch's read and its write refuses the whole batch."""

from __future__ import annotations

import functools
import random
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text, update

from app.trust.label_ids import new_label_id
from tests.app.flows import act, calculate, create_product, draft_request, steel_model, upload
from tests.app.test_sequencer import batched, sequence  # noqa: F401

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
VALID_UNTIL = date(2028, 12, 31)


class _Seeded:
    """Label IDs drawn from a seeded source: both paths draw the same IDs in the same order,
    so credentials, signatures (Ed25519 is deterministic), log entries and audit hashes can
    be compared byte for byte."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def randbits(self, k: int) -> int:
        return self._random.getrandbits(k)


def _in_review(world, product_id: str | None = None) -> str:
    exporter, certifier = world["exporter_a"], world["certifier_c"]
    product_id = product_id or create_product(exporter)["id"]
    version = upload(exporter, product_id, steel_model())
    req, etag = draft_request(exporter, calculate(exporter, version["id"])["id"],
                              world["ids"]["cb_c"])
    etag = act(exporter, req["id"], "submit", etag).headers["ETag"]
    response = act(certifier, req["id"], "start_review", etag)
    assert response.status_code == 200, response.json
    return req["id"]


@pytest.fixture
def fixture(batched, world):  # noqa: F811
    """Five requests in review: one for a product whose label is in force (its new label
    supersedes it), two for one product (the second supersedes the first within the
    batch), two alone; status lists of two entries, so the batch opens new lists; a PACT
    partner of the exporter with an events URL (each label is announced to it)."""
    from app.extensions import db
    from app.persistence import PactClient
    from app.services import transaction

    batched.config["STATUS_LIST_ENTRIES"] = 2
    earlier = _in_review(world)
    product = world["exporter_a"].get(f"/api/v1/label-requests/{earlier}").json["product_id"]
    etag = world["exporter_a"].get(f"/api/v1/label-requests/{earlier}").headers["ETag"]
    approved = act(world["certifier_c"], earlier, "approve", etag,
                   valid_until=VALID_UNTIL.isoformat())
    assert approved.status_code == 200, approved.json
    assert sequence(batched) == 1  # the log and the audit chain hold something already
    twice = create_product(world["exporter_a"])["id"]
    ids = [_in_review(world), _in_review(world, twice), _in_review(world, product),
           _in_review(world, twice), _in_review(world)]
    with batched.app_context(), transaction() as session:
        session.add(PactClient(client_id="pact-partner", secret_hash="0" * 64, name="Partner",
                               organisation_ids=[world["ids"]["exp_a"]],
                               events_url="https://partner.test/3/events"))
    with batched.app_context():
        db.session.remove()
    return batched, world, ids


def _per_request(session, user, items, *, valid_until, issuer):
    """The reference: single approvals, in product order (what approve_many ran before)."""
    from app.services import certification

    found = [(certification.get_request(session, user, i), m) for i, m in items]
    for req, if_match in sorted(found, key=lambda f: (f[0].product_id, f[0].id)):
        certification.transition(session, user, req.id, "approve", if_match=if_match,
                                 valid_until=valid_until, issuer=issuer)


#: columns that differ between two runs whatever the code: UUIDs drawn at random, and the
#: ids of queue rows (sequences, not rolled back on PostgreSQL); the queues' rows are
#: compared in id order
_DRAWN = {"pact_outbox": {"id"}, "log_pending": {"id"}, "audit_pending": {"id"}}


def _snapshot(session) -> dict[str, list[Any]]:
    """Every row of every table, as plain values."""
    from app.extensions import db

    out = {}
    for table in db.metadata.sorted_tables:
        order = [table.c.id] if table.name in ("log_pending", "audit_pending") else []
        rows = []
        for row in session.execute(select(table).order_by(*order)).mappings():
            plain = {k: v for k, v in row.items() if k not in _DRAWN.get(table.name, ())}
            if table.name == "pact_outbox":
                plain["event"] = {k: v for k, v in plain["event"].items() if k != "id"}
            rows.append(plain)
        out[table.name] = rows if order else sorted(rows, key=repr)
    return out


def _outcome(app, world, ids, approve, monkeypatch) -> tuple[dict, dict]:
    """The database after `approve` of the fixture's requests and after the sequencer
    integrated the batch, both in one transaction that is then rolled back."""
    from app import clock
    from app.extensions import db
    from app.persistence import User
    from app.services import sequencer
    from app.services.issuer import issuer_from_config
    from app.trust import label_ids

    monkeypatch.setattr(label_ids, "new_label_id",
                        functools.partial(new_label_id, rng=_Seeded(7)))
    with app.app_context(), clock.using(clock.FixedClock(AT)):
        session = db.session
        postgresql = session.get_bind().dialect.name == "postgresql"
        if postgresql:  # the slots' sequence is not rolled back: both runs start alike
            session.execute(text("SELECT setval('label_status_index', 100)"))
        try:
            issuer = issuer_from_config(app.config)
            certifier = session.get_one(User, world["certifier_c"].user_id)
            items = [(i, "*") for i in reversed(ids)]  # not in product order
            approve(session, certifier, items, valid_until=VALID_UNTIL, issuer=issuer)
            session.flush()
            approved = _snapshot(session)
            assert sequencer.integrate(session, issuer) is not None
            session.flush()
            integrated = _snapshot(session)
        finally:
            session.rollback()
            db.session.remove()
    return approved, integrated


def test_bulk_writes_what_single_approvals_write(fixture, monkeypatch):
    from app.services import certification

    app, world, ids = fixture
    single = _outcome(app, world, ids, _per_request, monkeypatch)
    bulk = _outcome(app, world, ids, certification.approve_many, monkeypatch)
    single_approved, single_integrated = single
    bulk_approved, bulk_integrated = bulk
    # the fixture is what the docstring says: five labels, one superseding a label in
    # force and one superseding another of the batch, new status lists, partner events
    labels = single_approved["labels"]
    assert len(labels) == 6
    assert sum(1 for lb in labels if lb["superseded_by_id"]) == 2
    new = [lb for lb in labels if lb["request_id"] in ids]
    assert len({lb["status_list_number"] for lb in new}) == 3
    assert len(single_approved["status_lists"]) >= 6  # lists opened by the batch
    assert len(single_approved["pact_outbox"]) == 5
    assert len(single_approved["log_pending"]) == 7  # five issuances, two supersessions
    assert len(single_approved["audit_pending"]) == 10
    assert single_integrated["log_pending"] == single_integrated["audit_pending"] == []
    for name in single_approved:
        assert bulk_approved[name] == single_approved[name], name
        assert bulk_integrated[name] == single_integrated[name], name


def test_a_request_changed_meanwhile_refuses_the_whole_batch(batched, world, monkeypatch):  # noqa: F811
    from sqlalchemy.orm.exc import StaleDataError

    from app import clock
    from app.extensions import db
    from app.persistence import Label, LabelRequest, PendingAuditEntry, PendingLogEntry, User
    from app.persistence.types import table_of
    from app.services import certification, labels, transaction
    from app.services.issuer import issuer_from_config

    ids = [_in_review(world) for _ in range(3)]
    changed = ids[1]
    lock = labels.lock_for_issuance

    def change_meanwhile(session, reqs):
        """After the batch read the requests: another transaction changes one (committed,
        on PostgreSQL; SQLite has one writer, so there the same connection does)."""
        held = lock(session, reqs)
        bump = (update(table_of(LabelRequest)).where(LabelRequest.id == changed)
                .values(version=LabelRequest.version + 1, decision_reason="meanwhile"))
        if session.get_bind().dialect.name == "postgresql":
            with db.engine.begin() as other:
                other.execute(bump)
        else:
            session.execute(bump)
        return held

    monkeypatch.setattr(labels, "lock_for_issuance", change_meanwhile)
    with batched.app_context():
        issuer = issuer_from_config(batched.config)
        with pytest.raises(StaleDataError), transaction() as session:
            certifier = session.get_one(User, world["certifier_c"].user_id)
            certification.approve_many(session, certifier, [(i, "*") for i in ids],
                                       valid_until=clock.today().replace(year=2030),
                                       issuer=issuer)
        db.session.remove()
        session = db.session
        try:
            states = dict(session.execute(select(LabelRequest.id, LabelRequest.state)).all())
            assert [states[i] for i in ids] == ["in_review"] * 3
            for model in (Label, PendingLogEntry, PendingAuditEntry):
                assert session.scalars(select(model)).all() == [], model
        finally:
            db.session.remove()
    monkeypatch.undo()
    # the API answers as for a single approval that lost the race: 412, nothing kept
    monkeypatch.setattr(labels, "lock_for_issuance", change_meanwhile)
    response = world["certifier_c"].post("/api/v1/label-requests/approvals", json={
        "requests": [{"id": i, "etag": "*"} for i in ids], "valid_until": "2030-06-30"})
    assert response.status_code == 412, response.json
    assert world["exporter_a"].get("/api/v1/labels").json["items"] == []


@pytest.mark.parametrize("mode", ["inline", "batched"])
def test_a_label_that_cannot_be_built_names_its_request(mode, app, world):
    """Building the label refuses (no reference period for the recognition metadata): the
    refusal names the request's place, as every check does, and nothing is kept."""
    app.config["LOG_SEQUENCER"] = mode
    exporter = world["exporter_a"]
    good = _in_review(world)
    model = steel_model()
    del model["reference_period"]
    product = create_product(exporter)["id"]
    version = upload(exporter, product, model)
    req, etag = draft_request(exporter, calculate(exporter, version["id"])["id"],
                              world["ids"]["cb_c"])
    etag = act(exporter, req["id"], "submit", etag).headers["ETag"]
    assert act(world["certifier_c"], req["id"], "start_review", etag).status_code == 200
    response = world["certifier_c"].post("/api/v1/label-requests/approvals", json={
        "requests": [{"id": good, "etag": "*"}, {"id": req["id"], "etag": "*"}],
        "valid_until": "2030-06-30"})
    assert response.status_code == 422, response.json
    assert response.json["detail"].startswith("requests[1]: "), response.json
    assert "reference_period" in response.json["detail"]
    assert exporter.get("/api/v1/labels").json["items"] == []
    assert exporter.get(f"/api/v1/label-requests/{good}").json["state"] == "in_review"
