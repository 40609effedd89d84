"""Canonical JSON (RFC 8785) and hashes, so the same content always hashes the same way no
matter how it was formatted, ordered or which platform wrote it."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    return rfc8785.dumps(value)


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()
