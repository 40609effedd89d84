"""Label IDs: every single-character slip a person can make when retyping one is caught."""

from __future__ import annotations

import random
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.trust import label_ids
from app.trust.label_ids import LabelIdError, is_valid, label_id_for, new_label_id, normalise

SYMBOL = "[0-9A-HJKMNP-TV-Z]"
CANONICAL = re.compile(rf"GBA-\d{{4}}-{SYMBOL}{{4}}-{SYMBOL}{{4}}-[0-9A-HJKMNP-TV-Z*~$=U]")
TYPABLE = string.digits + string.ascii_letters + "*~$=U-"
FOLDS = {"I": "1", "L": "1", "O": "0"}


class FixedBits:
    """A random source returning a chosen value, to build IDs with specific symbols."""

    def __init__(self, *values: int) -> None:
        self._values = list(values)

    def randbits(self, k: int) -> int:
        assert k == label_ids.RANDOM_BITS
        return self._values.pop(0)


class SeededBits:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def randbits(self, k: int) -> int:
        return self._random.getrandbits(k)


def _value_of(code: str) -> int:
    value = 0
    for char in code:
        value = value * 32 + label_ids.ALPHABET.index(char)
    return value


def _sample_ids() -> list[str]:
    rng = SeededBits(2026)
    ids = [new_label_id(year, rng) for year in (2026, 2027, 1999, 9999) for _ in range(8)]
    ids += [label_id_for(2026, value) for value in (0, 1, 2**40 - 1, 2**39)]
    ids.append(label_id_for(2026, _value_of("10101010")))  # 1s and 0s next to 0/1
    return ids


SAMPLE = _sample_ids()
DRAWN_IDS = st.builds(label_id_for,
                      st.integers(1000, 9999), st.integers(0, 2**40 - 1))


def _same_symbol(a: str, b: str) -> bool:
    return FOLDS.get(a.upper(), a.upper()) == FOLDS.get(b.upper(), b.upper())


def test_format_and_round_trip():
    for label_id in SAMPLE:
        assert CANONICAL.fullmatch(label_id), label_id
        assert normalise(label_id) == label_id
        assert is_valid(label_id)


def test_known_ids():
    assert label_id_for(2026, 0) == "GBA-2026-0000-0000-" + label_ids.CHECK_ALPHABET[
        (2026 * 32**8) % 37]
    assert new_label_id(2026, FixedBits(_value_of("7K3MQ9TD"))) == "GBA-2026-7K3M-Q9TD-1"
    assert label_id_for(2026, 2**40 - 1).startswith("GBA-2026-ZZZZ-ZZZZ-")


def test_entropy_is_at_least_40_bits_and_documented():
    assert label_ids.RANDOM_BITS >= 40
    assert len(label_ids.ALPHABET) == 32 and label_ids.RANDOM_SYMBOLS * 5 >= 40
    assert "40 random bits" in label_ids.__doc__
    drawn = {new_label_id(2026) for _ in range(2000)}
    assert len(drawn) == 2000


@pytest.mark.parametrize("label_id", SAMPLE)
def test_every_single_character_substitution_is_detected(label_id):
    for form in (label_id, label_id.replace("-", "")):
        for position, original in enumerate(form):
            for char in TYPABLE:
                if char == original or (original != "-" and _same_symbol(char, original)):
                    continue
                typed = form[:position] + char + form[position + 1:]
                if original == "-" or char == "-":
                    assert not is_valid(typed) or normalise(typed) != label_id, typed
                    continue
                assert not is_valid(typed), (label_id, typed)


@pytest.mark.parametrize("label_id", SAMPLE)
def test_every_adjacent_transposition_is_detected(label_id):
    for form in (label_id, label_id.replace("-", "")):
        for position in range(len(form) - 1):
            a, b = form[position], form[position + 1]
            if "-" in (a, b) or a == b:
                continue  # moving a hyphen, or swapping equal characters, changes nothing
            typed = form[:position] + b + a + form[position + 2:]
            assert not is_valid(typed), (label_id, typed)


@given(label_id=DRAWN_IDS, data=st.data())
def test_random_substitution_or_transposition_is_detected(label_id, data):
    compact = label_id.replace("-", "")
    position = data.draw(st.integers(0, len(compact) - 1))
    if data.draw(st.booleans()):
        char = data.draw(st.sampled_from(TYPABLE[:-1]))
        if _same_symbol(char, compact[position]):
            return
        typed = compact[:position] + char + compact[position + 1:]
    else:
        position = min(position, len(compact) - 2)
        a, b = compact[position], compact[position + 1]
        if a == b:
            return
        typed = compact[:position] + b + a + compact[position + 2:]
    assert not is_valid(typed)


def test_a_wrong_year_is_caught():
    label_id = new_label_id(2026, FixedBits(_value_of("7K3MQ9TD")))
    assert not is_valid(label_id.replace("2026", "2027"))
    with pytest.raises(LabelIdError, match="check the ID for a mistyped character"):
        normalise(label_id.replace("2026", "2025"))


@given(label_id=DRAWN_IDS, data=st.data())
def test_case_insensitive(label_id, data):
    flips = data.draw(st.lists(st.booleans(), min_size=len(label_id), max_size=len(label_id)))
    typed = "".join(c.lower() if flip else c for c, flip in zip(label_id, flips, strict=True))
    assert normalise(typed) == label_id


def test_i_l_o_are_read_as_one_and_zero():
    label_id = new_label_id(2010, FixedBits(_value_of("10101010")))
    assert label_id.startswith("GBA-2010-1010-1010-")
    for one in "IiLl":
        for zero in "Oo":
            typed = label_id[:4] + label_id[4:-1].replace("1", one).replace("0", zero) + \
                label_id[-1]
            assert normalise(typed) == label_id, typed


@given(label_id=DRAWN_IDS, data=st.data())
def test_hyphens_and_spaces_are_optional(label_id, data):
    compact = label_id.replace("-", "")
    separators = data.draw(st.lists(st.sampled_from(["", "", "-", " ", "--"]),
                                    min_size=len(compact), max_size=len(compact)))
    typed = "".join(c + sep for c, sep in zip(compact, separators, strict=True))
    assert normalise(typed) == label_id
    assert normalise(f"  {compact.lower()} ") == label_id


def test_check_alphabet_symbols_are_accepted_in_the_check_position_only():
    seen = {}
    value = 0
    while len(seen) < 5:
        label_id = label_id_for(2026, value)
        if label_id[-1] in "*~$=U":
            seen.setdefault(label_id[-1], label_id)
        value += 1
    for symbol, label_id in seen.items():
        assert normalise(label_id) == label_id
        assert normalise(label_id.lower()) == label_id
        typed = label_id[:9] + symbol + label_id[10:]
        assert not is_valid(typed), typed


@pytest.mark.parametrize(("typed", "message"), [
    ("GBA-2026-7K3M-Q9TU-1", "'U' at position 18 is not used"),
    ("GBA-2026-7K3M-Q9T!-1", "'!' at position 18 is not valid in a label code"),
    ("GBA-20Z6-7K3M-Q9TD-1", "'Z' at position 7 is not valid in the year"),
    ("GBA-2026-7K3M-Q9TD-#", "'#' at position 20 is not a valid check character"),
    ("GBA-2026-7K3M-Q9TD-2", "check character does not match; check the ID for a mistyped"),
    ("GBA-2026-7K3M-Q9T-1", "has 13 characters .* this one has 12"),
    ("GBA-2026-7K3M-Q9TDD-1", "this one has 14"),
    ("XYZ-2026-7K3M-Q9TD-1", "label IDs start with GBA"),
    ("", "label IDs start with GBA"),
    ("GBA-2026-7K3M-Q9TÐ-1", "'Ð' at position 18"),
    ("GBA-2026-7K3M-Q9Tı-1", "'ı' at position 18"),  # dotless i is not folded to 1
])
def test_error_messages_say_what_and_where(typed, message):
    with pytest.raises(LabelIdError, match=message):
        normalise(typed)
    assert not is_valid(typed)


def test_non_text_and_bad_years():
    assert not is_valid(None)  # type: ignore[arg-type]
    for year in (999, 10000, "2026", True, 2026.0):
        with pytest.raises(ValueError, match="four-digit"):
            new_label_id(year)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="40 bits"):
        new_label_id(2026, FixedBits(2**40))


def _code_with_check(year: int, symbol: str, start: int = 0) -> int:
    value = start
    while label_id_for(year, value)[-1] != symbol:
        value += 1
    return value


@pytest.mark.parametrize("symbol", list("*~$=U"))
def test_new_ids_never_end_in_a_symbol_that_reads_as_price_or_punctuation(symbol):
    """A draw whose check would be `symbol` is thrown away and the next one is used."""
    bad = _code_with_check(2026, symbol)
    good = _code_with_check(2026, "7")
    label_id = new_label_id(2026, FixedBits(bad, good))
    assert label_id == label_id_for(2026, good) and label_id.endswith("-7")
    assert label_id_for(2026, bad).endswith(symbol)
    assert normalise(label_id_for(2026, bad)) == label_id_for(2026, bad)  # old IDs verify


def test_many_new_ids_end_in_a_digit_or_letter_and_still_catch_typos():
    rng = SeededBits(17)
    ids = [new_label_id(year, rng) for year in (2026, 2031) for _ in range(400)]
    assert all(i[-1] in label_ids.ALPHABET for i in ids)
    # without the rule about 5 in 37 (~108 of 800) would end in *~$=U
    assert len({i[-1] for i in ids}) == 32
    for label_id in ids[:40]:
        for position in range(9, len(label_id)):
            if label_id[position] == "-":
                continue
            for char in label_ids.ALPHABET:
                if char != label_id[position]:
                    assert not is_valid(label_id[:position] + char + label_id[position + 1:])


def test_existing_ids_of_every_check_symbol_still_verify():
    for symbol in "*~$=U":
        old = label_id_for(2025, _code_with_check(2025, symbol))
        assert is_valid(old) and normalise(old.lower().replace("-", "")) == old
