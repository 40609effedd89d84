"""Unit conversion and the safe formula evaluator."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lca_models.parameters import FormulaProblem, evaluate, resolve_parameters
from lca_models.units import UnitProblem, conversion_factor, is_known_unit


@pytest.mark.parametrize(("source", "target", "factor"), [
    ("g", "kg", 1e-3), ("t", "kg", 1000.0), ("GJ", "TJ", 1e-3), ("kWh", "MJ", 3.6),
    ("MWh", "kWh", 1000.0), ("t * km", "tkm", 1.0), ("kg * km", "tkm", 1e-3), ("L", "m3", 1e-3),
])
def test_conversions(source, target, factor):
    assert conversion_factor(source, target) == pytest.approx(factor, rel=1e-12)


def test_incompatible_units_are_an_error_not_a_factor():
    with pytest.raises(UnitProblem, match="cannot be converted"):
        conversion_factor("kg", "kWh")


def test_unknown_unit():
    assert not is_known_unit("kwh/kg")
    assert is_known_unit("kWh/kg")


def test_parameters_resolve_in_dependency_order():
    values, errors = resolve_parameters({"c": "a * b + 1", "a": 2, "b": "a * 3"})
    assert errors == {}
    assert values == {"a": 2.0, "b": 6.0, "c": 13.0}


def test_unknown_parameter_is_named():
    _, errors = resolve_parameters({"a": "b * 2"})
    assert "unknown parameter" in errors["a"] and "b" in errors["a"]


def test_circular_formulas_are_reported():
    _, errors = resolve_parameters({"a": "b + 1", "b": "a + 1"})
    assert any("circular" in m for m in errors.values())


@pytest.mark.parametrize("formula", [
    "__import__('os').system('true')", "open('/etc/passwd')", "(1).__class__", "[1, 2]",
    "'text'",
])
def test_formulas_cannot_run_code(formula):
    with pytest.raises(FormulaProblem):
        evaluate(formula, {})


def test_functions_and_constants():
    assert evaluate("max(a, 2) * sqrt(4) + round(pi, 2)", {"a": 3}) == pytest.approx(9.14)


@pytest.mark.parametrize("name", ["e", "pi", "sqrt", "max", "log"])
def test_parameter_may_not_take_a_name_of_the_formula_language(name):
    for params in ({"a": f"{name} * 2", name: 10}, {name: 10, "a": f"{name} * 2"}):
        _, errors = resolve_parameters(params)
        assert "formula language" in errors[name]


def test_shadowing_parameter_is_refused_with_its_field_path():
    from lca_models.errors import ModelValidationError
    from lca_models.inventory_schema import load_model
    from tests.lca_models.models import base

    data = base()
    data["parameters"] = {"a": "e * 2", "e": 10}
    with pytest.raises(ModelValidationError) as caught:
        load_model(data)
    assert "constant of the formula language" in str(caught.value.errors["parameters.e"])


@st.composite
def parameter_sets(draw):
    """Up to six parameters, each a number or a formula over earlier ones."""
    count = draw(st.integers(1, 6))
    params: dict[str, float | str] = {}
    for i in range(count):
        earlier = list(params)
        if earlier and draw(st.booleans()):
            terms = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=3))
            op = draw(st.sampled_from([" + ", " * ", " - "]))
            params[f"p{i}"] = op.join(terms) + f" + {draw(st.integers(0, 9))}"
        else:
            params[f"p{i}"] = draw(st.floats(-1e3, 1e3, allow_nan=False))
    return params


@settings(max_examples=60, deadline=None)
@given(parameter_sets(), st.randoms(use_true_random=False))
def test_evaluation_order_never_changes_a_result(params, rnd):
    reference = resolve_parameters(params)
    items = list(params.items())
    for _ in range(5):
        rnd.shuffle(items)
        assert resolve_parameters(dict(items)) == reference


def test_every_permutation_gives_one_answer():
    params = {"a": 2, "b": "a * 3", "c": "a * b + pi", "d": "sqrt(c) + e"}
    answers = {tuple(sorted(resolve_parameters(dict(p))[0].items()))
               for p in itertools.permutations(params.items())}
    assert len(answers) == 1
    (values,) = answers
    assert dict(values)["d"] == pytest.approx(math.sqrt(2 * 6 + math.pi) + math.e, rel=1e-15)
    # Once gave 5.4366 in one order and 20.0 in the other.
    shadowing = {"a": "e * 2", "e": 10}
    outcomes = {repr(resolve_parameters(dict(p)))
                for p in itertools.permutations(shadowing.items())}
    assert len(outcomes) == 1


@pytest.mark.parametrize(("unit", "spelling"), [
    ("ton", "tonne"), ("tons", "tonne"), ("short_ton", "tonne"), ("long_ton", "tonne"),
    ("ton * km", "tonne"), ("kcal", "kcal_it"), ("cal", "cal_th"), ("kcal/kg", "kcal_th"),
    ("gallon", "imperial_gallon"), ("pint", "L"), ("barrel", "oil_barrel"),
    ("therm", "EC_therm"), ("hp", "kW"),
])
def test_ambiguous_units_are_refused_naming_the_unambiguous_spellings(unit, spelling):
    with pytest.raises(UnitProblem, match=spelling):
        conversion_factor(unit, "kg")
    assert not is_known_unit(unit)


@pytest.mark.parametrize(("source", "target", "factor"), [
    ("t", "kg", 1000.0), ("tonne", "kg", 1000.0), ("metric_ton", "kg", 1000.0),
    ("kcal_th", "kJ", 4.184), ("kcal_it", "kJ", 4.1868), ("imperial_gallon", "L", 4.54609),
    ("US_liquid_gallon", "L", 3.785411784), ("oil_barrel", "L", 158.987294928),
])
def test_unambiguous_spellings_convert(source, target, factor):
    assert conversion_factor(source, target) == pytest.approx(factor, rel=1e-12)


def test_ambiguous_unit_in_a_model_is_refused_at_its_field():
    from lca_models.errors import ModelValidationError
    from lca_models.inventory_schema import load_model
    from tests.lca_models.models import base

    data = base()
    data["stages"][0]["processes"][0]["output"]["unit"] = "ton"
    with pytest.raises(ModelValidationError) as caught:
        load_model(data)
    message = " ".join(map(str, caught.value.errors["stages[0].processes[0].output.unit"]))
    assert "metric tonne" in message and "write t or tonne" in message
