"""Use cases of the service. Each public use case runs inside exactly one `transaction()`:
it commits when the block ends and rolls back everything on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def transaction() -> Iterator[Session]:
    from app.extensions import db

    session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
