"""The audit chain detects edited and deleted entries."""

from __future__ import annotations

import itertools

from sqlalchemy import select, text

from app.extensions import db
from app.persistence import AuditEntry
from app.services import audit
from tests.app.flows import create_product


def _entries(app) -> list[AuditEntry]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def test_chain_is_intact_after_normal_work(world, app):
    create_product(world["exporter_a"])
    entries = _entries(app)
    assert len(entries) > 10
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    with app.app_context():
        assert audit.verify(db.session).ok


def test_edited_entry_is_detected(world, app):
    target = _entries(app)[3].seq
    with app.app_context():
        db.session.execute(text("UPDATE audit_entries SET reason = 'nothing to see' "
                                "WHERE seq = :s"), {"s": target})
        db.session.commit()
        report = audit.verify(db.session)
    assert not report.ok and report.first_broken_seq == target
    assert "altered" in report.problem


def test_deleted_entry_is_detected(world, app):
    target = _entries(app)[4].seq
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": target})
        db.session.commit()
        report = audit.verify(db.session)
    assert not report.ok and report.first_broken_seq == target
    assert "missing" in report.problem


def test_rewritten_entry_with_recomputed_hash_breaks_the_next_link(world, app):
    entries = _entries(app)
    victim = entries[2]
    with app.app_context():
        row = db.session.get(AuditEntry, victim.seq)
        row.actor = "someone else"
        row.entry_hash = audit.entry_hash(row)
        db.session.commit()
        report = audit.verify(db.session)
    assert not report.ok and report.first_broken_seq == entries[3].seq
    assert "does not link" in report.problem


def test_failed_login_is_kept_even_though_the_request_fails(world, client, app):
    response = client.post("/api/v1/session", json={"email": "exporter_a@test.example",
                                                    "password": "wrong password!!"})
    assert response.status_code == 401
    assert _entries(app)[-1].action == "auth.login_failed"
