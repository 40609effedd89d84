"""The fast canonical JSON path must give exactly the bytes of the reference RFC 8785 library."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from lca_models.canonical import canonical_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=500)
@given(json_values)
def test_fast_path_matches_rfc8785(value):
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return
    assert canonical_json(value) == expected


def test_known_vectors():
    assert canonical_json({"b": 1.0, "a": [0.5, 1e-7, 1e21, "é"]}) == (
        '{"a":[0.5,1e-7,1e+21,"é"],"b":1}'.encode())
    assert canonical_json({"amount": 5e-05, "x": -0.0}) == b'{"amount":0.00005,"x":0}'
