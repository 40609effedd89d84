"""Use cases of the service. Each public use case runs inside exactly one `transaction()`:
it commits when the block ends and rolls back everything on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy.orm import Session, SessionTransaction, scoped_session

if TYPE_CHECKING:
    from flask_sqlalchemy.session import Session as AppSession

#: The database session a use case takes: a plain Session, or the app's `db.session`, the
#: scoped_session that forwards each Session method to the session of the current app
#: context (it is no Session subclass, and has only the methods it forwards).
DbSession: TypeAlias = "Session | scoped_session[AppSession]"


@contextmanager
def transaction() -> Iterator[DbSession]:
    from app.extensions import db

    session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def discard_session() -> None:
    """Drop the app context's session after a failure outside any use case (a long-running
    loop whose database went away), so the next transaction() starts on a fresh one."""
    from app.extensions import db

    db.session.remove()


def innermost_transaction(session: DbSession) -> SessionTransaction | None:
    """The savepoint or transaction now open. What a transaction remembers about its own
    writes (under a lock it holds) is keyed by this object: a later transaction, or a parent
    after a savepoint rolled back, is a different object and reads afresh."""
    real = session() if isinstance(session, scoped_session) else session
    return real.get_nested_transaction() or real.get_transaction()
