"""Bitstring Status List decoding is bounded: sizes outside the specification's range, a GZIP
bomb and malformed text are refused with a reason, quickly and without expanding the bomb."""

from __future__ import annotations

import base64
import gzip
import time
import tracemalloc
import zlib

import pytest

from app.trust import status_list
from app.trust.status_list import MAX_BITS, MIN_BITS, StatusListError


def _multibase(compressed: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def _gzip_of_zeros(total: int, chunk: int = 2**20) -> bytes:
    """GZIP of `total` zero bytes, made in chunks so the test itself never holds them."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(chunk)
    parts = [deflater.compress(zeros) for _ in range(total // chunk)]
    return b"".join([*parts, deflater.flush()])


def test_round_trip_sets_exactly_the_given_bits():
    encoded = status_list.encode([0, 7, 8, MIN_BITS - 1])
    raw = status_list.decode(encoded)
    assert len(raw) == MIN_BITS // 8
    assert raw[0] == 0b1000_0001 and raw[1] == 0b1000_0000 and raw[-1] == 0b0000_0001
    assert [i for i in (0, 1, 6, 7, 8, 9, MIN_BITS - 2, MIN_BITS - 1)
            if status_list.is_set(encoded, i)] == [0, 7, 8, MIN_BITS - 1]


def test_the_largest_accepted_list_decodes():
    raw = status_list.decode(status_list.encode([MAX_BITS - 1], size=MAX_BITS))
    assert len(raw) * 8 == MAX_BITS and raw[-1] == 1


def test_a_gzip_bomb_is_refused_quickly_with_bounded_memory():
    bomb = _gzip_of_zeros(200 * 2**20)  # 200 MiB expanded
    assert len(bomb) < 265 * 2**10  # ... from under 265 KiB, as in the issue
    encoded = _multibase(bomb)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StatusListError, match="expands beyond 16777216 entries"):
            status_list.decode(encoded)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # At most the 2 MiB cap plus the decoded input (about 0.4 MiB) and its text; a full
    # expansion would need 200 MiB and seconds.
    assert peak < 8 * 2**20, peak
    assert elapsed < 1.0, elapsed


def test_just_over_the_cap_is_refused():
    with pytest.raises(StatusListError, match="expands beyond"):
        status_list.decode(_multibase(gzip.compress(bytes(MAX_BITS // 8 + 1))))


def test_shorter_than_the_specification_minimum_is_refused():
    with pytest.raises(StatusListError, match="minimum is 131072"):
        status_list.decode(_multibase(gzip.compress(bytes(MIN_BITS // 8 - 1))))
    with pytest.raises(ValueError):
        status_list.encode([], size=MIN_BITS // 2)


@pytest.mark.parametrize(("text", "reason"), [
    ("zH4sI", "'u' prefix"),
    ("u" + "A" * (status_list.MAX_ENCODED_CHARS + 1), "characters; a list"),
    ("uH4sI+AAA", "base64url alphabet"),
    (_multibase(zlib.compress(bytes(MIN_BITS // 8))), "not GZIP"),
    (_multibase(gzip.compress(bytes(MIN_BITS // 8))[:-9]), "one complete GZIP member"),
    (_multibase(gzip.compress(bytes(MIN_BITS // 8)) * 2), "one complete GZIP member"),
])
def test_malformed_lists_say_what_is_wrong(text, reason):
    with pytest.raises(StatusListError, match=reason):
        status_list.decode(text)
