"""Canonical JSON (RFC 8785) and hashes, so the same content always hashes the same way no
matter how it was formatted, ordered or which platform wrote it.

`rfc8785` is the reference implementation. It is pure Python and dominated the cost of a
calculation (hashing a 100-process model took longer than solving it), so documents that
provably serialise identically through the C `json` encoder take that path: ASCII keys (so
code-point and UTF-16 key order agree), integers within 2^53, and floats whose shortest
round-trip form is plain decimal in both Python and ECMAScript (1e-4 <= |x| < 1e16;
integral floats below 2^53 become integers, as ECMAScript prints them). Anything else falls back to
`rfc8785`. A property test checks both paths give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import rfc8785

_MAX_SAFE_INT = 2**53


class _NotFast(Exception):
    pass


def canonical_json(value: Any) -> bytes:
    try:
        simple = _simplify(value)
    except (_NotFast, TypeError):
        return rfc8785.dumps(value)
    return json.dumps(simple, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def _simplify(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        if not "".join(value).isascii():  # raises TypeError on a non-str key
            raise _NotFast
        return {k: _scalar(v) if type(v) in _SCALARS else _simplify(v)
                for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_scalar(v) if type(v) in _SCALARS else _simplify(v) for v in value]
    if kind in _SCALARS:
        return _scalar(value)
    raise _NotFast  # subclasses and other types: let the reference library decide


def _scalar(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _checked_text(value)
    if kind is float:
        return _simple_float(value)
    if kind is int and abs(value) > _MAX_SAFE_INT:
        raise _NotFast
    return value  # None, bool, safe int


_SCALARS = frozenset({str, float, int, bool, type(None)})


def _checked_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        raise _NotFast from None
    return value


def _simple_float(value: float) -> float | int:
    if not math.isfinite(value):
        raise _NotFast
    if value == int(value):
        if abs(value) >= _MAX_SAFE_INT:  # ECMAScript rounds these to shortest digits
            raise _NotFast
        return int(value)
    if not 1e-4 <= abs(value) < 1e16:
        raise _NotFast
    return value
