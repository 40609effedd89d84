"""Errors the service layer raises on purpose; app/errors.py maps each to an HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class; `field` names the offending request field where there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(ServiceError):
    """No such resource, or not visible to the caller (never leak existence)."""


class Unauthenticated(ServiceError):
    """No valid credentials."""


class Forbidden(ServiceError):
    """Authenticated, but the role or token scope does not allow this."""


class Conflict(ServiceError):
    """The resource's state does not allow the change; `state` is the current state, and
    `retry_after` (seconds) is set where the state passes by itself (a log entry waiting
    for the sequencer), so a client knows when asking again makes sense."""

    def __init__(self, message: str, *, state: str | None = None, field: str | None = None,
                 retry_after: int | None = None):
        super().__init__(message, field=field)
        self.state = state
        self.retry_after = retry_after


class PreconditionRequired(ServiceError):
    """The change needs an If-Match header."""


class PreconditionFailed(ServiceError):
    """If-Match does not match the current version (someone else changed it first)."""


class InvalidInput(ServiceError):
    """A value is well-formed but not acceptable (e.g. a body not accredited for a product)."""


class TooManyRequests(ServiceError):
    """Refused for now (log-in lock-out, a busy database); try again after `retry_after` s."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Busy(TooManyRequests):
    """The database is busy with other writers; the change was not made."""
