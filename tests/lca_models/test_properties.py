"""Laws that hold for any model: linearity, additivity, unit invariance."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lca_models.models import base

amounts = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
factors_k = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def grid_contribution(result) -> float:
    return next(c.kg_co2e for c in result.by_input
                if c.path == "stages[1].processes[0].inputs[0]")


@SETTINGS
@given(kwh=amounts, k=factors_k)
def test_scaling_an_input_scales_its_contribution(compute, kwh, k):
    data = base()
    data["stages"][1]["processes"][0]["inputs"][0]["amount"] = kwh
    first = compute(data)
    data["stages"][1]["processes"][0]["inputs"][0]["amount"] = kwh * k
    second = compute(data)
    assert grid_contribution(second) == pytest.approx(k * grid_contribution(first), rel=1e-9)
    others = second.kg_co2e_per_declared_unit - grid_contribution(second)
    assert others == pytest.approx(first.kg_co2e_per_declared_unit - grid_contribution(first),
                                   rel=1e-9, abs=1e-12)


@SETTINGS
@given(kwh=amounts, resin_g=amounts, gas_mj=amounts, km=amounts)
def test_stages_processes_and_gases_sum_to_the_total(compute, kwh, resin_g, gas_mj, km):
    data = base()
    moulding = data["stages"][1]["processes"][0]
    moulding["inputs"][0]["amount"] = kwh
    moulding["inputs"][1]["amount"] = resin_g
    moulding["inputs"][2]["amount"] = gas_mj
    data["stages"][0]["processes"][0]["transport"][0]["distance"]["amount"] = km
    result = compute(data)
    total = result.kg_co2e_per_declared_unit
    assert sum(result.by_stage.values()) == pytest.approx(total, rel=1e-9)
    assert sum(p.kg_co2e for p in result.by_process) == pytest.approx(total, rel=1e-9)
    assert sum(result.by_gas.values()) == pytest.approx(total, rel=1e-9)


@SETTINGS
@given(kg=amounts)
def test_grams_and_kilograms_give_the_same_result(compute, kg):
    in_kg, in_g = base(), base()
    in_kg["stages"][1]["processes"][0]["inputs"][1].update(amount=kg, unit="kg")
    in_g["stages"][1]["processes"][0]["inputs"][1].update(amount=kg * 1000, unit="g")
    assert compute(in_g).kg_co2e_per_declared_unit == pytest.approx(
        compute(in_kg).kg_co2e_per_declared_unit, rel=1e-12)
