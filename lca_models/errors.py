"""Domain errors of the footprint engine.

One base class so callers (CLI, web service) can map every engine failure to a clear user
message; each subclass carries the field path or row/column the user has to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lca_models.messages import N_


class LcaModelError(Exception):
    """Base class for every error the engine raises on purpose."""


class ModelValidationError(LcaModelError):
    """An inventory model is malformed; `errors` maps field paths to messages."""

    def __init__(self, errors: Mapping[str, str | Sequence[str]]):
        self.errors = {path: _as_list(msgs) for path, msgs in errors.items()}
        super().__init__(
            "; ".join(f"{path}: {msg}" for path, msgs in self.errors.items() for msg in msgs)
        )

    def under(self, prefix: str) -> ModelValidationError:
        """The same errors with paths as the caller's document spells them (`model.…`)."""
        return ModelValidationError({f"{prefix}.{p}": m for p, m in self.errors.items()})


class InputLimitError(LcaModelError):
    """Outside data passes a configured limit; refused before it is materialised.

    `limit` is the limit's name (`InputLimits` field, e.g. `max_depth`), `maximum` its value,
    `where` where in the input it was passed (a JSON path, a line, a sheet)."""

    def __init__(self, limit: str, maximum: int, message: str, where: str | None = None):
        self.limit, self.maximum, self.where = limit, maximum, where
        self.message = message  # without `where` (a Message when raised with one)
        super().__init__(f"{where}: {message}" if where else message)


class InputTooLarge(InputLimitError):
    """A byte size limit (a body, an archive member, the archive's expanded size)."""


class MalformedInput(ModelValidationError):
    """Outside data that is not well-formed (syntax, duplicate member names)."""


class FactorFileError(LcaModelError):
    """A factor file has bad rows; `errors` lists (row, column, message), rows 1-based as in a
    spreadsheet (the header is row 1)."""

    def __init__(self, source: str, errors: Sequence[tuple[int | None, str | None, str]]):
        self.source = source
        self.errors = list(errors)
        lines = [format_row_error(row, col, msg) for row, col, msg in self.errors]
        super().__init__(f"{source}: " + "; ".join(lines))


class UnknownReleaseError(LcaModelError):
    """A shipped factor release of that version does not exist."""


class UnknownFactorError(LcaModelError):
    """A model names a factor id that is in neither the release nor its user factor sets."""


class SingularSystemError(LcaModelError):
    """The model's process network has no unique solution (e.g. a process consumes all of its
    own output)."""


class ReleaseIntegrityError(LcaModelError):
    """A factor release's content does not match the hash recorded for its version."""


class BackgroundError(LcaModelError):
    """The Brightway background for a factor release could not be built or loaded."""


def _as_list(msgs: str | Sequence[str]) -> list[str]:
    return [msgs] if isinstance(msgs, str) else list(msgs)


def format_row_error(row: int | None, column: str | None, message: str) -> str:
    if row is not None and column:
        return N_("row %(row)s, column '%(column)s': %(message)s", row=row, column=column,
                  message=message)
    if row is not None:
        return N_("row %(row)s: %(message)s", row=row, message=message)
    if column:
        return N_("column '%(column)s': %(message)s", column=column, message=message)
    return message


# A partner's PACT host, with us as data recipient (lca_models.pact_client). Kept here with
# the other engine errors so the service can map them without importing the HTTP client.

class PactExchangeError(LcaModelError):
    """A partner's PACT host refused or failed a request. `code` is the spec's error code
    (BadRequest, AccessDenied, TokenExpired, NotFound, InternalError, NotImplemented) or the
    OAuth error when the host gave one; `status` the HTTP status."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code, self.status = code, status


class PactConnectionError(PactExchangeError):
    """The host could not be reached (DNS, refused connection, TLS, timeout)."""


class PactAuthError(PactExchangeError):
    """Our client credentials were refused, or a freshly issued token was refused too."""


class PactAccessDenied(PactExchangeError):
    """403 AccessDenied: the data owner has not granted us this."""


class PactBadRequest(PactExchangeError):
    """400 BadRequest: the host did not accept our filters or id."""


class PactFootprintNotFound(PactExchangeError):
    """404 NotFound: no such footprint, or none visible to us."""


class PactHostError(PactExchangeError):
    """500 InternalError, 501 NotImplemented, or any other status the spec does not give."""


class PactProtocolError(PactExchangeError):
    """The host's answer does not follow the specification (not JSON, no `data`, a
    pagination link to another host, ...)."""


class PactInvalidFootprint(PactExchangeError):
    """A received footprint fails the spec's ProductFootprint schema; `errors` lists why."""

    def __init__(self, message: str, errors: list[str]):
        super().__init__(message)
        self.errors = errors


class PactConfigError(PactExchangeError):
    """A credentials file is missing, malformed, or readable by others."""
