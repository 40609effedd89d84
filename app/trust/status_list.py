"""W3C Bitstring Status List encoding: a GZIP-compressed bitstring, base64url without padding
behind the multibase prefix 'u'; index 0 is the left-most (most significant) bit.

A list comes from outside (a verifier fetches it, a credential names it), so decoding is
bounded: the encoded text and the expanded bitstring are capped, and the GZIP stream is
expanded in one step with zlib's ``max_length``, so a small "GZIP bomb" costs at most the cap
in memory and is refused without being expanded further.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Iterable
from typing import Any

MIN_BITS = 131_072  # the specification's minimum list size (16 KB), for herd privacy
# The specification sets no maximum. 2**24 entries (2 MiB expanded) is 128 times the minimum,
# far more labels than one list of this service holds, and small enough to expand anywhere.
MAX_BITS = 2**24
# A random (incompressible) list of MAX_BITS is about 2 MiB of GZIP, 2.8 Mi characters base64.
MAX_ENCODED_CHARS = 3 * 2**20
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # GZIP framing only; raw deflate or zlib is not a status list
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class StatusListError(ValueError):
    """An encoded list that is not a readable Bitstring Status List within the size limits."""


def encode(set_indices: Iterable[int], size: int = MIN_BITS) -> str:
    if not MIN_BITS <= size <= MAX_BITS or size % 8:
        raise ValueError(f"a status list has {MIN_BITS} to {MAX_BITS} entries, a multiple of 8")
    bits = bytearray(size // 8)
    for index in set_indices:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside a list of {size} entries")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: same list, same bytes
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded_list: str) -> bytes:
    """The raw bitstring (decompressing is most of a lookup's cost, so a verifier checking
    many labels against one list decodes it once). StatusListError names what is wrong."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url text ('u' prefix)")
    if len(encoded_list) > MAX_ENCODED_CHARS:
        raise StatusListError(f"encodedList has {len(encoded_list)} characters; a list of at "
                              f"most {MAX_BITS} entries needs no more than {MAX_ENCODED_CHARS}")
    body = encoded_list[1:]
    if not _BASE64URL.fullmatch(body):
        raise StatusListError("encodedList has characters outside the base64url alphabet")
    try:
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_",
                                      validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StatusListError(f"encodedList is not base64url: {exc}") from None
    return _gunzip(compressed)


def _gunzip(compressed: bytes) -> bytes:
    limit = MAX_BITS // 8
    inflater = zlib.decompressobj(_GZIP_WBITS)
    try:
        raw = inflater.decompress(compressed, limit + 1)  # never more than one byte past it
    except zlib.error as exc:
        raise StatusListError(f"encodedList is not GZIP data: {exc}") from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise StatusListError(f"the status list expands beyond {MAX_BITS} entries "
                              f"({limit} bytes); refused without expanding it further")
    if not inflater.eof or inflater.unused_data:
        raise StatusListError("encodedList is not exactly one complete GZIP member")
    if len(raw) * 8 < MIN_BITS:
        raise StatusListError(f"the status list has {len(raw) * 8} entries; the Bitstring "
                              f"Status List minimum is {MIN_BITS}")
    return raw


def bit(raw: bytes, index: int) -> bool:
    if not 0 <= index < len(raw) * 8:
        raise ValueError(f"status index {index} is outside the list")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def is_set(encoded_list: str, index: int) -> bool:
    return bit(decode(encoded_list), index)


def entries_of(credential: Any) -> list[dict[str, Any]]:
    """A credential's `credentialStatus` entries: one object, or an array of them (one per
    purpose, as labels carry since suspension exists); anything else counts as none."""
    status = credential.get("credentialStatus") if isinstance(credential, dict) else None
    found = status if isinstance(status, list) else [status]
    return [item for item in found if isinstance(item, dict)]


def entry_for(credential: Any, purpose: str) -> dict[str, Any] | None:
    """The credential's status entry of `purpose` ("revocation", "suspension"), if any. A
    lone entry without a purpose is revocation (as labels issued before purposes were
    spelled out would be read)."""
    for item in entries_of(credential):
        if item.get("statusPurpose", "revocation") == purpose:
            return item
    return None
