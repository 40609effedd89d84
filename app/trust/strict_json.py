"""JSON from outside, read as I-JSON (RFC 7493) requires and RFC 8785 assumes: a duplicate
member name is an error (otherwise a fake value first and the real one last, or the reverse,
reads differently in different parsers), and so are NaN and Infinity, which are not JSON."""

from __future__ import annotations

import json
from typing import Any


class StrictJsonError(ValueError):
    """The text is not I-JSON; the message names the offending member or constant."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise StrictJsonError(f"duplicate member name {name!r} in a JSON object")
        result[name] = value
    return result


def _constant(name: str) -> Any:
    raise StrictJsonError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """`json.loads`, refusing duplicate member names and NaN/Infinity."""
    return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
