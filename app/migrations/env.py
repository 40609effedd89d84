"""Alembic environment: the URL and metadata come from the caller (app/persistence/migrate.py),
never from alembic.ini, so there is one source of configuration."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

import app.persistence  # noqa: F401  (registers every table on the metadata)
from app.extensions import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")  # an Engine or a Connection, if given
    if connectable is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("no database URL: app/persistence/migrate.py sets one")
        connectable = create_engine(url)
    with connectable.connect() if isinstance(connectable, Engine) else connectable as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
