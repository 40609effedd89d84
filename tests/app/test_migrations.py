"""The Alembic migrations build exactly the schema the models describe (no drift either way),
on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine


def test_migrations_match_the_models(database_url):
    import app.persistence  # noqa: F401  (registers every table)
    from app.extensions import db

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            differences = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_issuer_did_backfill_from_credentials_then_configuration(tmp_path, monkeypatch):
    """0010: a label's DID is the issuer its signed credential names; a key's, the DID of the
    labels it signed, else the configured public URL's (SQLite; the SQL is the same on PG)."""
    from sqlalchemy import text

    from app.persistence.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(url, "0009")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for key_id in ("key-a", "key-b"):
                conn.execute(text("INSERT INTO signing_keys (id, public_multibase, created_at) "
                                  "VALUES (:id, :mb, '2026-01-01 00:00:00')"),
                             {"id": key_id, "mb": "z" + key_id})
            conn.execute(text(
                "INSERT INTO labels (id, request_id, product_id, organisation_id, "
                "certification_body_id, issued_at, valid_from, valid_until, status_index, "
                "key_id, credential, credential_sha256) VALUES ('GBA-1', 'r', 'p', 'o', 'c', "
                "'2026-01-01 00:00:00', '2026-01-01', '2027-01-01', 0, 'key-a', "
                "'{\"issuer\": \"did:web:old.example\"}', 'x')"))
        monkeypatch.setenv("CARBONLABEL_PUBLIC_URL", "https://now.example")
        upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT issuer_did FROM labels")).scalar() == (
                "did:web:old.example")
            assert dict(conn.execute(text("SELECT id, issuer_did FROM signing_keys")).all()) == {
                "key-a": "did:web:old.example", "key-b": "did:web:now.example"}
    finally:
        engine.dispose()
