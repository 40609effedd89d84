"""Unit conversion and the safe formula evaluator."""

from __future__ import annotations

import pytest

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
