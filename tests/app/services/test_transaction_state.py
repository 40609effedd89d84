"""What the audit chain and the transparency log remember within one transaction (the end
of the chain, the log's size and nodes) is never reused by another transaction or after a
savepoint was rolled back."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.persistence import AuditEntry, LogEntry, SigningKey
from app.services import audit, keys, transaction
from app.services import transparency_log as tlog
from app.trust import merkle


def _signing(app) -> tuple[SigningKey, object]:
    key = keys.active_key(db.session)
    return key, keys.load_private(app.config["KEYS_DIR"], key)


def test_audit_appends_in_one_transaction_and_after_a_rolled_back_savepoint(world, app):
    with app.app_context():
        with transaction() as session:
            audit.append(session, None, "test.one")
            audit.append(session, None, "test.two")  # from the remembered end of the chain
            savepoint = session.begin_nested()
            audit.append(session, None, "test.rolled_back")
            savepoint.rollback()
            audit.append(session, None, "test.three")  # must link to test.two, not the lost one
        with transaction() as session:
            audit.append(session, None, "test.four")  # a new transaction reads the table
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
        assert actions[-4:] == ["test.one", "test.two", "test.three", "test.four"]
        assert audit.verify(db.session).ok


ORIGIN = "labels.test/log"


def _label_id(world) -> str:
    from tests.app.api.test_labels import issue

    label, _ = issue(world)
    return label["id"]


def test_log_appends_in_one_transaction_and_after_a_rolled_back_savepoint(world, app):
    label_id = _label_id(world)  # one issuance leaf already
    with app.app_context():
        key, private = _signing(app)
        with transaction() as session:
            tlog.lock(session)
            tlog.append(session, "revocation", label_id, {"reason": "a"}, key, private, ORIGIN)
            tlog.append(session, "revocation", label_id, {"reason": "b"}, key, private, ORIGIN)
            savepoint = session.begin_nested()
            tlog.append(session, "revocation", label_id, {"reason": "lost"}, key, private, ORIGIN)
            savepoint.rollback()
            tlog.append(session, "revocation", label_id, {"reason": "c"}, key, private, ORIGIN)
        with transaction() as session:
            tlog.lock(session)
            tlog.append(session, "revocation", label_id, {"reason": "d"}, key, private, ORIGIN)
        entries = db.session.scalars(select(LogEntry).order_by(LogEntry.leaf_index)).all()
        assert [e.leaf_index for e in entries] == list(range(5))
        assert [e.entry.count(b'"reason"') for e in entries] == [0, 1, 1, 1, 1]
        assert b'"lost"' not in b"".join(e.entry for e in entries)
        head = tlog.latest_head(db.session)
        memory = merkle.MemoryNodeStore()
        for entry in entries:
            memory.append(entry.entry)
        assert head.size == 5 and head.root_hash == memory.root()
        for size in range(1, 6):
            assert tlog.head_at(db.session, size).root_hash == memory.root(size)
        for index in range(5):
            proof = tlog.inclusion(db.session, index, 5)
            assert merkle.verify_inclusion(merkle.leaf_hash(entries[index].entry), index, 5,
                                           proof.hashes, memory.root())


def test_a_frontier_remembered_from_a_rolled_back_append_is_not_reused(world, app):
    """The process remembers the log's frontier between transactions; after its own append
    rolled back and another worker appended different leaves, the memory must be refused."""
    from app import create_app

    label_id = _label_id(world)  # leaf 0
    other = create_app({name: app.config[name] for name in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "SECRET_KEY", "BRIGHTWAY_DIR",
        "KEYS_DIR", "PUBLIC_URL")})
    try:
        with app.app_context():
            key, private = _signing(app)
            try:
                with transaction() as session:
                    tlog.lock(session)
                    tlog.append(session, "revocation", label_id, {"reason": "rolled back"},
                                key, private, ORIGIN)
                    raise RuntimeError("abandon")
            except RuntimeError:
                pass
        with other.app_context(), transaction() as session:
            key, private = _signing(other)
            tlog.lock(session)
            tlog.append(session, "revocation", label_id, {"reason": "other worker"}, key,
                        private, ORIGIN)
        with app.app_context():
            key, private = _signing(app)
            with transaction() as session:
                tlog.lock(session)
                tlog.append(session, "revocation", label_id, {"reason": "ours"}, key, private,
                            ORIGIN)
            entries = db.session.scalars(select(LogEntry).order_by(LogEntry.leaf_index)).all()
            memory = merkle.MemoryNodeStore()
            for entry in entries:
                memory.append(entry.entry)
            assert len(entries) == 3 and b"rolled back" not in b"".join(e.entry for e in entries)
            for size in range(1, 4):
                assert tlog.head_at(db.session, size).root_hash == memory.root(size)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
