"""Footprint calculation on Brightway, checked against hand calculations."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from lca_models.errors import ModelValidationError, SingularSystemError
from lca_models.factor_rows import COLUMNS
from lca_models.factors import import_factor_set
from lca_models.inventory_schema import load_model
from tests.lca_models.models import (
    AIR,
    BASE_EXPECTED,
    GAS_PER_TJ_AR6,
    PP,
    RESIN_PER_KG,
    SOUTH_GRID,
    base,
)


def test_base_model_matches_hand_calculation(compute):
    result = compute(base())
    assert result.kg_co2e_per_declared_unit == pytest.approx(BASE_EXPECTED, rel=1e-12)
    assert result.by_stage["raw_materials"] == pytest.approx(0.25 * RESIN_PER_KG, rel=1e-12)
    assert result.by_stage["production"] == pytest.approx(
        1.2 * 0.3869 + 10e-6 * GAS_PER_TJ_AR6, rel=1e-12)
    resin = next(p for p in result.by_process if p.process == "resin")
    assert resin.activity == pytest.approx(0.25)


def test_breakdown_by_gas_and_input(compute):
    result = compute(base())
    assert result.by_gas["ch4_fossil"] == pytest.approx(10e-6 * 1 * 29.8)
    assert result.by_gas["n2o"] == pytest.approx(10e-6 * 0.1 * 273)
    assert result.gas_mass_kg["n2o"] == pytest.approx(10e-6 * 0.1)
    assert result.by_gas["co2_fossil"] == pytest.approx(1.2 * 0.3869 + 10e-6 * 56100)
    grid = next(c for c in result.by_input if c.reference == SOUTH_GRID)
    assert grid.kg_co2e == pytest.approx(1.2 * 0.3869)
    assert grid.path == "stages[1].processes[0].inputs[0]" and grid.primary
    assert "Ministry of Ecology and Environment" in grid.source
    assert result.primary_data_share == pytest.approx(1.2 * 0.3869 / BASE_EXPECTED)


def test_ar5_uses_ar5_gwps(compute):
    result = compute(base(), gwp_set="AR5")
    gas_ar5 = 56100 + 1 * 30 + 0.1 * 265  # AR5 fossil CH4 30, N2O 265
    expected = 1.2 * 0.3869 + 0.25 * RESIN_PER_KG + 10e-6 * gas_ar5
    assert result.kg_co2e_per_declared_unit == pytest.approx(expected, rel=1e-12)
    assert result.method == "IPCC-AR5-GWP100"


def test_reported_co2e_factors_are_flagged(compute):
    result = compute(base())
    assert any(PP in w and "cannot be re-characterised" in w for w in result.warnings)


def test_iso14067_split_with_biogenic_and_aircraft(compute):
    data = base()
    moulding = data["stages"][1]["processes"][0]
    moulding["emissions"] = [
        {"gas": "co2_biogenic", "amount": 2, "unit": "kg"},
        {"gas": "co2_biogenic_removal", "amount": 0.5, "unit": "kg"},
        {"gas": "co2_dluc", "amount": 100, "unit": "g"},
        {"gas": "ch4_biogenic", "amount": 1, "unit": "g"},
    ]
    moulding["transport"] = [{"factor": AIR, "mass": {"amount": 2, "unit": "kg"},
                              "distance": {"amount": 9000, "unit": "km"}}]
    result = compute(data)
    aircraft = 0.002 * 9000 * 0.89939
    iso = result.iso14067
    assert iso["biogenic_emissions"] == pytest.approx(2 + 0.001 * 27.0)
    assert iso["biogenic_removals"] == pytest.approx(-0.5)
    assert iso["dluc"] == pytest.approx(0.1)
    assert iso["aircraft"] == pytest.approx(aircraft)
    assert iso["fossil"] == pytest.approx(BASE_EXPECTED + aircraft)
    total = iso["fossil"] + iso["biogenic_emissions"] + iso["biogenic_removals"] + iso["dluc"]
    assert result.kg_co2e_per_declared_unit == pytest.approx(total, rel=1e-12)


def test_mass_allocation(compute):
    data = base()
    resin = data["stages"][0]["processes"][0]
    resin["co_products"] = [{"name": "offcuts", "amount": 250, "unit": "g"}]
    resin["allocation"] = "mass"
    result = compute(data)
    share = 1 / 1.25
    expected = BASE_EXPECTED - 0.25 * RESIN_PER_KG * (1 - share)
    assert result.kg_co2e_per_declared_unit == pytest.approx(expected, rel=1e-12)
    assert next(p for p in result.by_process if p.process == "resin").allocation_factor == (
        pytest.approx(share))


def test_economic_allocation(compute):
    data = base()
    resin = data["stages"][0]["processes"][0]
    resin["output"]["price"] = 9.0
    resin["co_products"] = [{"name": "offcuts", "amount": 0.5, "unit": "kg", "price": 2.0}]
    resin["allocation"] = "economic"
    result = compute(data)
    share = 9.0 / (9.0 + 0.5 * 2.0)
    expected = BASE_EXPECTED - 0.25 * RESIN_PER_KG * (1 - share)
    assert result.kg_co2e_per_declared_unit == pytest.approx(expected, rel=1e-12)


def test_loop_between_processes_is_solved(compute):
    # The resin process consumes 0.1 moulded item per kg of resin: a loop between the two.
    data = base()
    data["stages"][0]["processes"][0]["inputs"].append(
        {"process": "moulding", "amount": 0.1, "unit": "item"})
    result = compute(data)
    # x_moulding = 1 + 0.1 * x_resin ; x_resin = 0.25 * x_moulding
    x_moulding = 1 / (1 - 0.1 * 0.25)
    x_resin = 0.25 * x_moulding
    direct_moulding = 1.2 * 0.3869 + 10e-6 * GAS_PER_TJ_AR6
    expected = x_moulding * direct_moulding + x_resin * RESIN_PER_KG
    assert result.kg_co2e_per_declared_unit == pytest.approx(expected, rel=1e-12)


def test_process_consuming_all_its_output_is_singular(compute):
    data = base()
    data["stages"][0]["processes"][0]["inputs"].append(
        {"process": "resin", "amount": 1, "unit": "kg"})
    with pytest.raises(SingularSystemError, match="no unique solution"):
        compute(data)


def test_loop_consuming_more_than_it_makes_is_an_error(compute):
    data = base()
    data["stages"][0]["processes"][0]["inputs"].append(
        {"process": "moulding", "amount": 8, "unit": "item"})
    with pytest.raises(SingularSystemError, match="negative amount"):
        compute(data)


def test_unknown_factor_names_the_field(compute):
    data = base()
    data["stages"][1]["processes"][0]["inputs"][0]["factor"] = "electricity.cn-gd.nope"
    with pytest.raises(ModelValidationError) as info:
        compute(data)
    assert "not a factor of release" in info.value.errors[
        "stages[1].processes[0].inputs[0].factor"][0]


def test_incompatible_unit_with_factor(compute):
    data = base()
    data["stages"][1]["processes"][0]["inputs"][0]["unit"] = "kg"
    with pytest.raises(ModelValidationError) as info:
        compute(data)
    message = info.value.errors["stages[1].processes[0].inputs[0].unit"][0]
    assert "'kg' cannot be converted to 'kWh'" in message


def test_results_and_hashes_are_reproducible(compute):
    first, second = compute(base()), compute(base())
    assert first.to_dict() == second.to_dict()
    changed = base()
    changed["stages"][1]["processes"][0]["inputs"][0]["amount"] = 1.3
    third = compute(changed)
    assert third.inputs_sha256 != first.inputs_sha256
    assert third.kg_co2e_per_declared_unit == pytest.approx(BASE_EXPECTED + 0.1 * 0.3869)
    assert compute(base()).kg_co2e_per_declared_unit == first.kg_co2e_per_declared_unit


def test_result_records_release_method_and_engine(compute, release):
    result = compute(base())
    assert result.factor_release == {"version": release.version, "sha256": release.sha256}
    assert {"bw2calc", "bw2data", "bw_processing", "lca_models"} <= set(result.engine)
    assert len(result.inputs_sha256) == 64


def test_monte_carlo_is_seeded(compute):
    a = compute(base(), monte_carlo=200, seed=7).monte_carlo
    b = compute(base(), monte_carlo=200, seed=7).monte_carlo
    c = compute(base(), monte_carlo=200, seed=8).monte_carlo
    assert a == b and a != c
    assert a.p2_5 < a.p50 < a.p97_5
    assert a.std > 0
    assert a.p2_5 < BASE_EXPECTED < a.p97_5


def test_primary_data_uncertainty_widens_the_distribution(compute):
    narrow = compute(base(), monte_carlo=300, seed=1).monte_carlo
    data = base()
    data["stages"][1]["processes"][0]["inputs"][0]["uncertainty_sigma"] = 0.8
    wide = compute(data, monte_carlo=300, seed=1).monte_carlo
    assert wide.std > narrow.std


def test_user_factor_set_is_used_and_recorded(compute, release, tmp_path):
    row = dict.fromkeys(COLUMNS, "")
    row.update(id="acme.resin.supplier-epd", name="Supplier PP resin", category="material",
               unit="kg", co2_fossil_kg="1.5", geography="CN-GD", reference_year="2025",
               source_publisher="Supplier EPD")
    path = tmp_path / "acme.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n")
    table = import_factor_set(path, "acme", release)
    data = base()
    data["factor_sets"] = ["acme"]
    data["stages"][0]["processes"][0]["inputs"][0]["factor"] = "acme.resin.supplier-epd"
    result = compute(data, user_sets={"acme": table})
    expected = BASE_EXPECTED - 0.25 * 2.57757172 + 0.25 * 1.5
    assert result.kg_co2e_per_declared_unit == pytest.approx(expected, rel=1e-12)
    assert result.user_factor_sets == {"acme": table.sha256}
    with pytest.raises(ModelValidationError, match="not loaded"):
        compute(data)


def test_unused_process_is_reported(compute):
    data = base()
    data["stages"][1]["processes"].append(
        {"id": "spare", "output": {"amount": 1, "unit": "item"},
         "inputs": [{"factor": SOUTH_GRID, "amount": 5, "unit": "kWh"}]})
    result = compute(data)
    assert result.kg_co2e_per_declared_unit == pytest.approx(BASE_EXPECTED, rel=1e-12)
    assert any("'spare'" in w and "not used" in w for w in result.warnings)


def test_brightway_data_stays_in_the_configured_directory(compute, brightway_dir):
    compute(base())
    assert any(brightway_dir.iterdir())
    import bw2data

    assert Path(bw2data.projects.dir).resolve().is_relative_to(brightway_dir.resolve())
    assert os.environ["BRIGHTWAY2_DIR"] == str(brightway_dir)


def test_breakdown_parts_sum_to_brightway_total(compute):
    result = compute(base())
    parts = np.array([c.kg_co2e for c in result.by_input])
    assert parts.sum() == pytest.approx(result.kg_co2e_per_declared_unit, rel=1e-12)
    assert sum(result.by_gas.values()) == pytest.approx(result.kg_co2e_per_declared_unit)


def test_declared_unit_scales_the_result(compute):
    data = base()
    data["declared_unit"] = {"amount": 1000, "unit": "item"}
    result = compute(data)
    assert result.kg_co2e_per_declared_unit == pytest.approx(1000 * BASE_EXPECTED, rel=1e-12)


def test_model_built_in_python(compute):
    model = load_model(base())
    assert compute(model).kg_co2e_per_declared_unit == pytest.approx(BASE_EXPECTED)
