"""JSON from outside, read as I-JSON (RFC 7493) requires and RFC 8785 assumes: a duplicate
member name is an error (otherwise a fake value first and the real one last, or the reverse,
reads differently in different parsers), and so are NaN and Infinity, which are not JSON.

The reading itself is the service's one bounded loader (`lca_models.safe_load.load_json`:
also size, depth and string-length limits); this module keeps the trust code's ValueError."""

from __future__ import annotations

from typing import Any

from lca_models.errors import InputLimitError, MalformedInput
from lca_models.safe_load import load_json


class StrictJsonError(ValueError):
    """The text is not I-JSON (or is over an input limit); the message names the problem."""


def loads(text: str | bytes) -> Any:
    """`json.loads`, refusing duplicate member names, NaN/Infinity and input over the limits."""
    try:
        return load_json(text)
    except (MalformedInput, InputLimitError) as exc:
        raise StrictJsonError(str(exc)) from None
