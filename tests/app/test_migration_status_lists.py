"""Migration 0014 on a database with labels issued before lists were numbered: every label
keeps its index in list 0, the stored list becomes ("revocation", 0), and the next slot on
PostgreSQL follows the highest index issued."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.persistence.migrate import upgrade
from tests.app.conftest import PG_ADMIN_DSN, PG_OK

LABEL = ("INSERT INTO labels (id, request_id, product_id, organisation_id, "
         "certification_body_id, issued_at, valid_from, valid_until, status_index, key_id, "
         "issuer_did, credential, credential_sha256, revoked_at) VALUES (:id, :id, 'p', 'o', "
         "'b', '2026-01-01 00:00:00', '2026-01-01', '2027-01-01', :index, 'k', "
         "'did:web:labels.test', '{}', 'x', :revoked)")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    if not PG_OK:
        pytest.skip("no PostgreSQL reachable")
    name = f"carbonlabel_mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_DSN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_labels_issued_before_numbering_keep_list_0_and_their_index(empty_url):
    upgrade(empty_url, "0013")  # the revision before numbered lists
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":  # parent rows are beside the point here
                conn.execute(text("SET session_replication_role = replica"))
            for index, revoked in ((0, None), (1, "2026-02-01 00:00:00"), (7, None)):
                conn.execute(text(LABEL), {"id": f"L{index}", "index": index,
                                           "revoked": revoked})
            conn.execute(text("INSERT INTO status_lists (purpose, credential, updated_at) "
                              "VALUES ('revocation', '{\"old\": 1}', '2026-02-01 00:00:00')"))
            if engine.dialect.name == "postgresql":  # as 0009 would have left it
                conn.execute(text("SELECT setval('label_status_index', 8, false)"))
        upgrade(empty_url)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT id, status_list_number, status_index FROM labels "
                                     "ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [("L0", 0, 0), ("L1", 0, 1), ("L7", 0, 7)]
            lists = conn.execute(text("SELECT purpose, number FROM status_lists")).all()
            assert [tuple(r) for r in lists] == [("revocation", 0)]
            if engine.dialect.name == "postgresql":
                assert conn.execute(text("SELECT nextval('label_status_index')")).scalar() == 8
            revoked = conn.execute(text(
                "SELECT status_index FROM labels WHERE status_list_number = 0 "
                "AND revoked_at IS NOT NULL")).scalars().all()
            assert revoked == [1]
        numbered = LABEL.replace("status_index, key_id", "status_list_number, status_index, "
                                 "key_id").replace(":index, 'k'", ":number, :index, 'k'")
        with engine.begin() as conn:  # the same index in another list is another slot
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text(numbered), {"id": "M1", "number": 1, "index": 1, "revoked": None})
        with pytest.raises(IntegrityError), engine.begin() as conn:  # but not in the same one
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text(numbered), {"id": "M2", "number": 0, "index": 1, "revoked": None})
    finally:
        engine.dispose()
