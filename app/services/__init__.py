"""Use cases of the service. Each public use case runs inside exactly one `transaction()`:
it commits when the block ends and rolls back everything on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, SessionTransaction, scoped_session


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


def innermost_transaction(session: Session | scoped_session) -> SessionTransaction | None:
    """The savepoint or transaction now open. What a transaction remembers about its own
    writes (under a lock it holds) is keyed by this object: a later transaction, or a parent
    after a savepoint rolled back, is a different object and reads afresh."""
    real = session() if isinstance(session, scoped_session) else session
    return real.get_nested_transaction() or real.get_transaction()
