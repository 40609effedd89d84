"""base58-btc, the alphabet behind the multibase ``z`` prefix used by Multikey and Data
Integrity ``proofValue`` strings.

Written out here rather than pulled in as a dependency: it is twenty lines, it is checked against
the Bitcoin Core vectors and a round-trip property test, and the encoding is fixed forever.
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}


def b58encode(data: bytes) -> str:
    """Leading zero bytes become leading ``1`` characters, so the mapping is a bijection."""
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(ALPHABET[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Raises ValueError on any character outside the alphabet (0, O, I and l are excluded)."""
    number = 0
    for position, char in enumerate(text):
        value = _INDEX.get(char)
        if value is None:
            raise ValueError(f"{char!r} at position {position} is not a base58-btc character")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
