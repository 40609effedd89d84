"""Human-typable carbon label IDs such as ``GBA-2026-7K3M-Q9TD-1``.

Layout: the fixed prefix ``GBA``, the four-digit year of issue, eight Crockford base32 symbols
of randomness shown as two groups of four, and one Crockford check symbol.

Entropy: the eight random symbols carry exactly 40 random bits (8 x 5), so a year has
2**40 (about 1.1 x 10**12) possible IDs. That makes guessing a *specific* label hopeless, but the
ID is not a secret: it is printed on packaging. It is also not collision-free by construction;
at 10,000 labels a year the birthday probability of any clash is about 5 x 10**-5, at a million
it approaches 0.4, so the issuing service must keep IDs unique in storage and draw again on a
clash.

Check symbol: the year and the random symbols are read as one number,
``year * 32**8 + random``, and the check is that number modulo 37, written with Crockford's
37-symbol check alphabet (the 32 symbols plus ``*~$=U``). Folding the year in means a mistyped
year is caught too, not only a mistyped code. Because 37 is prime and larger than both bases in
play, a single-character substitution changes the number by ``d * 32**k`` (code) or
``d * 10**k * 32**8`` (year) with ``0 < |d| < 32``, and an adjacent transposition by
``d * 31 * 32**k``, ``d * 9 * 10**k * 32**8`` or, where the last year digit meets the first code
symbol, ``d * 31 * 32**7``; 37 divides none of these, so the check symbol always changes.
Swapping the last code symbol with the check symbol only passes if the two are equal, i.e. when
nothing changed. The test suite checks all of this exhaustively on sample IDs.

Printed check symbols: the check alphabet's five extra symbols ``*~$=U`` read as a price,
punctuation or a stray letter on a pack. New IDs therefore never end in them: ``new_label_id``
draws the random code again until its check falls in the 32 ordinary symbols (32 of 37 draws
do, so about 1.16 draws on average). The check is computed exactly as before, so every ID ever
issued, including those ending in ``*~$=U``, still verifies, and the typo-detection argument
above is unchanged: it depends on the computation, not on which check values are allowed. The
cost is log2(37/32) = 0.21 bits of the 40: about 2**39.79 IDs a year remain.

Input is forgiving in the ways Crockford intends: case does not matter, ``I`` and ``L`` are read
as ``1``, ``O`` as ``0``, and hyphens and spaces may be left out or put anywhere. ``U`` is only
valid as the check symbol.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Protocol

PREFIX = "GBA"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
RANDOM_SYMBOLS = 8
RANDOM_BITS = RANDOM_SYMBOLS * 5
_BODY_LENGTH = 4 + RANDOM_SYMBOLS + 1  # year, random symbols, check symbol
_DIGITS = frozenset("0123456789")
_FOLD = {"I": "1", "L": "1", "O": "0"}
_SEPARATORS = frozenset("- \t")


class LabelIdError(ValueError):
    """Carries a message meant for the person who typed the ID: English as the exception's
    text, Simplified Chinese in ``zh``; ``code`` and ``params`` let a page say it in the
    reader's own language (app/web/verify.py)."""

    def __init__(self, message: str, zh: str, code: str = "", **params: object):
        super().__init__(message)
        self.zh = zh
        self.code = code
        self.params = params


class RandomBits(Protocol):
    """What ``new_label_id`` needs from a random source; the ``secrets`` module fits."""

    def randbits(self, k: int, /) -> int: ...


def _check_symbol(year: int, random_value: int) -> str:
    return CHECK_ALPHABET[(year * 32**RANDOM_SYMBOLS + random_value) % 37]


def label_id_for(year: int, random_value: int) -> str:
    """The ID of ``year`` and a 40-bit code, whatever its check symbol; IDs issued before the
    printed-check rule (and tests of them) are built with this."""
    return _format(year, random_value)


def _format(year: int, random_value: int) -> str:
    code = "".join(ALPHABET[(random_value >> (5 * shift)) & 31]
                   for shift in reversed(range(RANDOM_SYMBOLS)))
    return f"{PREFIX}-{year:04d}-{code[:4]}-{code[4:]}-{_check_symbol(year, random_value)}"


def new_label_id(year: int, rng: RandomBits = secrets) -> str:
    """A fresh ID for ``year``; ``rng`` is injectable so tests can be deterministic, and defaults
    to the OS CSPRNG so production IDs cannot be predicted from earlier ones."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise ValueError(f"year must be a four-digit integer, got {year!r}")
    while True:
        random_value = rng.randbits(RANDOM_BITS)
        if not 0 <= random_value < 2**RANDOM_BITS:
            raise ValueError("the random source returned a value outside 40 bits")
        if _check_symbol(year, random_value) in ALPHABET:  # never *~$=U on a new label
            return _format(year, random_value)


def _describe(char: str) -> str:
    return repr(char) if char.isprintable() else f"U+{ord(char):04X}"


def normalise(text: str) -> str:
    """The canonical ``GBA-YYYY-XXXX-XXXX-C`` form of a typed ID, or LabelIdError saying what is
    wrong and where (positions count from 1 in the text as typed)."""
    if not isinstance(text, str):
        raise LabelIdError("a label ID must be text", "标签编号必须是文字", "not_text")
    return _normalised(text)


@lru_cache(maxsize=4096)
def _normalised(text: str) -> str:
    """`normalise` of a text, remembered for the IDs scanned most (a QR code's repeat visits
    ask for the same text; only answers are remembered, never a LabelIdError)."""
    kept: list[tuple[int, str]] = [(index + 1, char.upper() if char.isascii() else char)
                                   for index, char in enumerate(text) if char not in _SEPARATORS]
    prefix = "".join(char for _, char in kept[:len(PREFIX)])
    if prefix != PREFIX:
        raise LabelIdError(f"label IDs start with {PREFIX}, e.g. {PREFIX}-2026-7K3M-Q9TD-1",
                           f"标签编号以 {PREFIX} 开头，例如 {PREFIX}-2026-7K3M-Q9TD-1",
                           "prefix", prefix=PREFIX)
    body = kept[len(PREFIX):]
    if len(body) != _BODY_LENGTH:
        raise LabelIdError(f"after {PREFIX} a label ID has {_BODY_LENGTH} characters (a 4-digit "
                           f"year, 8 code characters and 1 check character); this one has "
                           f"{len(body)}",
                           f"{PREFIX} 之后应有 {_BODY_LENGTH} 个字符（4 位年份、8 位编码和 1 位"
                           f"校验字符），此编号有 {len(body)} 个", "length", prefix=PREFIX,
                           expected=_BODY_LENGTH, found=len(body))
    symbols: list[str] = []
    for offset, (position, raw) in enumerate(body):
        char = _FOLD.get(raw, raw)
        if offset < 4:
            if char not in _DIGITS:
                raise LabelIdError(f"character {_describe(text[position - 1])} at position "
                                   f"{position} is not valid in the year; use digits 0-9",
                                   f"第 {position} 位的字符 {_describe(text[position - 1])} "
                                   f"不能出现在年份中，年份只用数字 0-9", "year_char",
                                   char=_describe(text[position - 1]), position=position)
        elif offset < 4 + RANDOM_SYMBOLS:
            if char == "U":
                raise LabelIdError(f"character 'U' at position {position} is not used in "
                                   f"label codes; check the ID for a mistyped character",
                                   f"第 {position} 位的字符 'U' 不用于标签编码，请检查是否输错",
                                   "u_char", position=position)
            if char not in ALPHABET:
                raise LabelIdError(f"character {_describe(text[position - 1])} at position "
                                   f"{position} is not valid in a label code",
                                   f"第 {position} 位的字符 {_describe(text[position - 1])} "
                                   f"不能出现在标签编码中", "code_char",
                                   char=_describe(text[position - 1]), position=position)
        elif char not in CHECK_ALPHABET:
            raise LabelIdError(f"character {_describe(text[position - 1])} at position "
                               f"{position} is not a valid check character",
                               f"第 {position} 位的字符 {_describe(text[position - 1])} "
                               f"不是有效的校验字符", "check_char",
                               char=_describe(text[position - 1]), position=position)
        symbols.append(char)
    year = int("".join(symbols[:4]))
    random_value = 0
    for char in symbols[4:4 + RANDOM_SYMBOLS]:
        random_value = random_value * 32 + ALPHABET.index(char)
    if _check_symbol(year, random_value) != symbols[-1]:
        raise LabelIdError("the check character does not match; check the ID for a mistyped "
                           "character", "校验字符不符，请检查编号是否有输错的字符",
                           "check_mismatch")
    return _format(year, random_value)


def is_valid(text: str) -> bool:
    """For filters and quick UI feedback; use :func:`normalise` to tell the user what is wrong."""
    try:
        normalise(text)
    except LabelIdError:
        return False
    return True
