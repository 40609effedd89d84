"""The fast canonical JSON path must give exactly the bytes of the reference RFC 8785 library."""

from __future__ import annotations

import pytest
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


@pytest.mark.parametrize("gwp_set", ["AR6", "AR5"])
def test_inputs_hash_assembled_from_parts_equals_the_whole_document(release, gwp_set):
    """inputs_sha256 is built from the model's cached canonical bytes and the small parts;
    it must equal the hash of the whole document, or stored results stop reproducing."""
    from lca_models.calculation import inputs_sha256
    from lca_models.canonical import sha256_hex
    from lca_models.inventory_schema import load_model
    from lca_models.system import compile_model
    from tests.lca_models.models import base

    data = base()
    data["product"]["name"] = "外壳 Gehäuse \u2028 \U0001f600"  # non-ASCII: the rfc8785 path
    data["parameters"] = {"mass": 0.25, "share": "mass * 2"}
    compiled = compile_model(load_model(data), release)
    whole = sha256_hex({
        "model": compiled.model.to_canonical(),
        "factor_release": {"version": release.version, "sha256": release.sha256},
        "user_factor_sets": {},
        "method": f"IPCC-{gwp_set}-GWP100",
    })
    assert inputs_sha256(compiled, release, {}, gwp_set) == whole
    assert inputs_sha256(compiled, release, {}, gwp_set) == whole  # from the cached bytes
