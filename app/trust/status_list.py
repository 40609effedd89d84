"""W3C Bitstring Status List encoding: a GZIP-compressed bitstring, base64url without padding
behind the multibase prefix 'u'; index 0 is the left-most (most significant) bit."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable

MIN_BITS = 131_072  # the specification's minimum list size (16 KB), for herd privacy


def encode(set_indices: Iterable[int], size: int = MIN_BITS) -> str:
    bits = bytearray(size // 8)
    for index in set_indices:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside a list of {size} entries")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: same list, same bytes
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded_list: str) -> bytes:
    """The raw bitstring (decompressing is most of a lookup's cost, so a verifier checking
    many labels against one list decodes it once)."""
    if not encoded_list.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u' prefix)")
    body = encoded_list[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(raw: bytes, index: int) -> bool:
    if not 0 <= index < len(raw) * 8:
        raise ValueError(f"status index {index} is outside the list")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def is_set(encoded_list: str, index: int) -> bool:
    return bit(decode(encoded_list), index)
