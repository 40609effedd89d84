"""Model validation: every error names its field path."""

from __future__ import annotations

import pytest

from lca_models.errors import ModelValidationError
from lca_models.inventory_schema import load_model, load_model_text
from tests.lca_models.models import base


def errors_of(data) -> dict[str, list[str]]:
    with pytest.raises(ModelValidationError) as info:
        load_model(data)
    return info.value.errors


def test_valid_model_loads_with_stages_and_paths():
    model = load_model(base())
    assert [p.id for p in model.processes] == ["resin", "moulding"]
    assert model.processes[1].stage == "production"
    assert model.processes[1].path == "stages[1].processes[0]"


def test_unknown_unit_names_the_path():
    data = base()
    data["stages"][1]["processes"][0]["inputs"][2]["unit"] = "kwh/kg"
    assert errors_of(data) == {
        "stages[1].processes[0].inputs[2].unit": ["'kwh/kg' is not a known unit"]}


def test_negative_amount_is_rejected():
    data = base()
    data["stages"][0]["processes"][0]["inputs"][0]["amount"] = -1
    assert "zero or more" in errors_of(data)["stages[0].processes[0].inputs[0].amount"][0]


def test_zero_declared_unit_is_rejected():
    data = base()
    data["declared_unit"]["amount"] = 0
    assert "greater than zero" in errors_of(data)["declared_unit.amount"][0]


def test_formula_with_unknown_parameter():
    data = base()
    data["parameters"] = {"kwh": 1.2}
    data["stages"][1]["processes"][0]["inputs"][0]["amount"] = "kwh * losses"
    message = errors_of(data)["stages[1].processes[0].inputs[0].amount"][0]
    assert "unknown parameter" in message and "losses" in message


def test_formula_amounts_are_evaluated_and_kept():
    data = base()
    data["parameters"] = {"kwh": 1.0, "losses": "kwh * 0.2"}
    data["stages"][1]["processes"][0]["inputs"][0]["amount"] = "kwh + losses"
    inp = load_model(data).processes[1].inputs[0]
    assert inp.amount == pytest.approx(1.2) and inp.formula == "kwh + losses"


def test_typo_in_field_name_is_caught():
    data = base()
    data["stages"][0]["processes"][0]["inputs"][0]["ammount"] = 1
    assert "Unknown field" in errors_of(data)["stages[0].processes[0].inputs[0].ammount"][0]


def test_unknown_process_reference_and_reference_process():
    data = base()
    data["reference_process"] = "nope"
    data["stages"][1]["processes"][0]["inputs"][1]["process"] = "resn"
    errors = errors_of(data)
    assert "not the id of a process" in errors["reference_process"][0]
    assert "not the id of a process" in errors["stages[1].processes[0].inputs[1].process"][0]


def test_process_input_unit_must_match_the_process_output():
    data = base()
    data["stages"][1]["processes"][0]["inputs"][1]["unit"] = "kWh"
    assert "cannot be converted" in errors_of(data)["stages[1].processes[0].inputs[1].unit"][0]


def test_stage_outside_boundary():
    data = base()
    data["stages"].append({"stage": "use", "processes": []})
    assert "outside a cradle-to-gate boundary" in errors_of(data)["stages[2].stage"][0]


def test_co_products_need_an_allocation_basis():
    data = base()
    proc = data["stages"][0]["processes"][0]
    proc["co_products"] = [{"name": "regrind", "amount": 0.1, "unit": "kg"}]
    proc["allocation"] = "economic"
    errors = errors_of(data)
    assert "price" in errors["stages[0].processes[0].output.price"][0]
    assert "stages[0].processes[0].co_products[0].price" in errors


def test_gtin_check_digit():
    data = base()
    data["product"]["gtin"] = "4006381333932"  # valid would end in 1
    assert errors_of(data) == {"product.gtin": ["check digit is wrong"]}
    data["product"]["gtin"] = "4006381333931"
    assert load_model(data).product.gtin == "4006381333931"


def test_unknown_gas_and_non_mass_emission():
    data = base()
    data["stages"][1]["processes"][0]["emissions"] = [
        {"gas": "co2e_ar5", "amount": 1, "unit": "kWh"}]
    errors = errors_of(data)
    assert "not a known gas" in errors["stages[1].processes[0].emissions[0].gas"][0]
    assert "not a unit of mass" in errors["stages[1].processes[0].emissions[0].unit"][0]


def test_malformed_yaml_gives_line_and_column():
    with pytest.raises(ModelValidationError, match=r"malformed YAML at line 3 column 1"):
        load_model_text("product:\n  name: [unclosed\n")


def test_malformed_json():
    with pytest.raises(ModelValidationError, match="malformed JSON at line 1"):
        load_model_text("{'a': 1}", "json")


def test_duplicate_process_ids():
    data = base()
    data["stages"][1]["processes"].append(
        {"id": "resin", "output": {"amount": 1, "unit": "kg"}})
    assert "already used" in errors_of(data)["stages[1].processes[1].id"][0]
