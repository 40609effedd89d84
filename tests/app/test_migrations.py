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
