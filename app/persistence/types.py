"""Column helpers shared by the models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, Table, TypeDecorator

from app import clock


def new_id() -> str:
    return str(uuid.uuid4())


def table_of(model: Any) -> Table:
    """A model's table, for Core statements (the unit of work's per-row cost avoided)."""
    return cast(Table, model.__table__)


def utcnow() -> datetime:
    """Now, from the app's clock (app.clock): the default of every *_at column."""
    return clock.now()


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, on PostgreSQL and on SQLite (which stores naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

