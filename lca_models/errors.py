"""Domain errors of the footprint engine.

One base class so callers (CLI, web service) can map every engine failure to a clear user
message; each subclass carries the field path or row/column the user has to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


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


class FactorFileError(LcaModelError):
    """A factor file has bad rows; `errors` lists (row, column, message), rows 1-based as in a
    spreadsheet (the header is row 1)."""

    def __init__(self, source: str, errors: Sequence[tuple[int | None, str | None, str]]):
        self.source = source
        self.errors = list(errors)
        lines = [_format_row_error(row, col, msg) for row, col, msg in self.errors]
        super().__init__(f"{source}: " + "; ".join(lines))


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


def _format_row_error(row: int | None, column: str | None, message: str) -> str:
    where = []
    if row is not None:
        where.append(f"row {row}")
    if column:
        where.append(f"column '{column}'")
    return (", ".join(where) + ": " if where else "") + message
