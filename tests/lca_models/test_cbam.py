"""CBAM export reports, each expected value worked out by hand in the test.

Factor rows used (copied by hand from lca_models/data/factors/*.csv):
- fuel.natural-gas.ipcc2006-energy-industries.tj: co2_fossil 56100 kg per TJ = 56.1 t/TJ
- fuel.other-bituminous-coal.ipcc2006-energy-industries.tj: 94600 kg per TJ = 94.6 t/TJ
- fuel.gas-diesel-oil.ipcc2006-energy-industries.t: 3186.3 kg per t = 3.1863 t/t
- electricity.cn-south-grid.co2.2022: 0.3869 kg CO2/kWh = 0.3869 t/MWh
Mark-up (lca_models/data/cbam/markup.csv, all unconfirmed): 2026 10 %, 2027 20 %.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from lca_models.cbam import (
    DefaultValue,
    DefaultValues,
    classify_cn,
    compute_report,
    import_default_values,
    load_report_data,
    load_report_input,
    round_see,
)
from lca_models.cbam_report import from_json, to_json, to_xlsx
from lca_models.errors import ModelValidationError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cbam"
NG = "fuel.natural-gas.ipcc2006-energy-industries.tj"
SOUTH_GRID = "electricity.cn-south-grid.co2.2022"

#: The product table of NOTES.md, written out here on purpose (not imported).
EXPECTED_PRODUCT_HEADER = [
    "production process the product comes from", "type of aggregated good or precursor",
    "CN code", "CN name", "product name used with the declarant (e.g. on invoices)",
    "SEE direct", "SEE indirect", "SEE total", "unit",
    "share of emissions determined by default values",
    "source of the electricity emission factor", "embedded electricity (MWh/t)",
    "electricity EF (tCO2/MWh)", "main reducing agent of the precursor",
    "steel mill identification number", "% Mn", "% Cr", "% Ni", "% other alloys", "% carbon",
    "t scrap per t steel", "% other materials", "% pre-consumer scrap",
    "t scrap per t aluminium", "% non-aluminium elements", "clinker factor", "calcined or not",
    "concentration if hydrous solution", "% nitric acid", "% urea", "% N contained",
    "% N as ammonium", "% N as nitrate", "% N as urea", "% N in other (organic) forms",
    "type of carbon-pricing instrument",
    "share of total embedded emissions covered by the carbon price",
    "embedded emissions covered by the carbon price", "currency",
    "carbon price due (per t or MWh)", "type of rebate",
    "share of embedded emissions covered by the rebate",
    "embedded emissions covered by the rebate", "amount of rebate (per t or MWh)",
    "effective carbon price due (per t or MWh)",
]


def base() -> dict:
    """A one-process cement clinker installation in Guangdong (illustrative numbers)."""
    return {
        "installation": {
            "operator": {"name": "Test Operator", "identifier": "91350100M000100Y43",
                         "address": "1 Test Road, Guangzhou"},
            "name_en": "Test kiln", "address": {"street": "1 Test Road", "city": "Guangzhou"},
            "economic_activity": "cement clinker", "country": "CN", "subdivision": "CN-GD",
            "unlocode": "CNCAN", "coordinates": {"latitude": 23.1, "longitude": 113.3},
            "reporting_period": {"start": "2026-01-01", "end": "2026-12-31"},
        },
        "source_streams": [],
        "processes": [{"id": "kiln", "goods_category": "cement clinker",
                       "activity_level": {"amount": 1000, "unit": "t"}}],
        "goods": [{"cn_code": "25231000", "name": "Clinker", "process": "kiln"}],
    }


def errors_of(data: dict, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ModelValidationError) as info:
        compute_report(data, **kwargs)
    return info.value.errors


def defaults(**rows: tuple[float, float]) -> DefaultValues:
    return DefaultValues("test defaults", {("CN", cn): DefaultValue("CN", cn, "", d, i)
                                           for cn, (d, i) in rows.items()})


# ---- calculations ------------------------------------------------------------------------
def test_simple_good_with_combustion_process_emissions_and_grid_electricity():
    data = base()
    data["source_streams"] = [
        {"id": "gas", "process": "kiln", "method": "combustion",
         "quantity": {"amount": 1000, "unit": "t"}, "ncv": {"amount": 48, "unit": "GJ/t"},
         "factor": NG},
        {"id": "caco3", "process": "kiln", "method": "process",
         "quantity": {"amount": 10000, "unit": "t"},
         "emission_factor": {"amount": 0.44, "unit": "t/t"}}]
    data["processes"][0]["activity_level"] = {"amount": 10000, "unit": "t"}
    data["processes"][0]["electricity_consumed_mwh"] = 600
    data["processes"][0]["electricity_factor"] = {"source": "default", "factor": SOUTH_GRID}
    report = compute_report(data)
    gas = 1000 * 48 / 1000 * 56.1  # t × GJ/t -> 48 TJ × 56.1 t/TJ = 2692.8 t
    caco3 = 10000 * 0.44  # 4400 t
    indirect = 600 * 0.3869  # 232.14 t
    assert [s.emissions_t for s in report.source_streams] == pytest.approx([gas, caco3])
    good = report.goods[0]
    assert good.see_direct == 0.70928  # (2692.8 + 4400) / 10000
    assert good.see_indirect == 0.02321  # 232.14 / 10000 = 0.023214
    assert good.see_total == 0.73249  # 0.732494
    assert good.default_share == 0 and good.electricity_ef_source == "default"
    assert good.embedded_electricity_mwh_per_t == pytest.approx(0.06)
    assert report.processes[0].attributed_indirect_t == pytest.approx(indirect)
    assert report.markup is None and report.notes == ()


def test_attribution_with_heat_waste_gas_and_exported_electricity():
    data = base()
    data["processes"][0].update({
        "other_direct_emissions": [{"approach": "measurement", "amount_t": 1000}],
        "heat_imported": {"energy_tj": 10, "emission_factor_t_per_tj": 50},
        "heat_exported": {"energy_tj": 4, "emission_factor_t_per_tj": 50},
        "waste_gas_imported_t": 30, "waste_gas_exported_t": 10,
        "electricity_exported_mwh": 100, "electricity_exported_ef_t_per_mwh": 0.8})
    proc = compute_report(data).processes[0]
    # 1000 + 10×50 − 4×50 + 30 − 10 − 100×0.8 = 1240
    assert proc.attributed_direct_t == pytest.approx(1240)
    assert proc.emissions_by_approach["measurement"] == 1000
    assert proc.see_direct == pytest.approx(1.24)


def test_mass_balance_counts_outputs_negative_and_biomass_is_left_out():
    data = base()
    data["source_streams"] = [
        {"id": "coke", "process": "kiln", "method": "mass_balance",
         "quantity": {"amount": 100, "unit": "t"}, "carbon_content": 0.9},
        {"id": "product", "process": "kiln", "method": "mass_balance", "direction": "output",
         "quantity": {"amount": 1000, "unit": "t"}, "carbon_content": 0.01},
        {"id": "wood", "process": "kiln", "method": "combustion", "biomass_share": 0.25,
         "quantity": {"amount": 2, "unit": "TJ"},
         "emission_factor": {"amount": 100, "unit": "t/TJ"}}]
    streams = compute_report(data).source_streams
    assert streams[0].emissions_t == pytest.approx(3.664 * 100 * 0.9)  # 329.76
    assert streams[1].emissions_t == pytest.approx(-3.664 * 1000 * 0.01)  # −36.64
    assert streams[2].emissions_t == pytest.approx(2 * 100 * 0.75)  # 150


def test_complex_good_with_purchased_precursor_actual_and_default():
    data = base()
    data["processes"] = [{
        "id": "grinding", "goods_category": "cement", "activity_level": {"amount": 1000,
                                                                          "unit": "t"},
        "electricity_consumed_mwh": 40,
        "electricity_factor": {"source": "direct_technical_link", "value_t_per_mwh": 0.5},
        "precursors": [{"precursor": "clinker-a", "mass_t": 500},
                       {"precursor": "clinker-d", "mass_t": 250}]}]
    data["source_streams"] = [{"id": "fuel", "process": "grinding", "method": "combustion",
                               "quantity": {"amount": 2, "unit": "TJ"},
                               "emission_factor": {"amount": 74.1, "unit": "t/TJ"}}]
    data["precursors"] = [
        {"id": "clinker-a", "goods_category": "cement clinker", "origin": "purchased",
         "see_direct": 0.8, "see_indirect": 0.03},
        {"id": "clinker-d", "goods_category": "cement clinker", "origin": "purchased",
         "see_source": "default", "cn_code": "25231000", "country": "CN"}]
    data["goods"] = [{"cn_code": "25232900", "name": "Cement", "process": "grinding"}]
    report = compute_report(data, defaults=defaults(**{"25231000": (0.9, 0.05)}))
    # default clinker with the 2026 mark-up of 10 %: 0.99 direct, 0.055 indirect
    ee_dir = 500 * 0.8 + 250 * 0.99  # 647.5
    ee_ind = 500 * 0.03 + 250 * 0.055  # 28.75
    assert report.processes[0].precursors_direct_t == pytest.approx(ee_dir)
    assert report.processes[0].precursors_indirect_t == pytest.approx(ee_ind)
    good = report.goods[0]
    assert good.see_direct == 0.7957  # (2 × 74.1 + 647.5) / 1000 = 0.7957
    assert good.see_indirect == 0.04875  # (40 × 0.5 + 28.75) / 1000
    assert good.see_total == 0.84445
    assert good.default_share == pytest.approx((247.5 + 13.75) / (795.7 + 48.75))
    assert good.electricity_ef_source == "direct_technical_link"
    default_prec = report.precursors[1]
    assert (default_prec.see_direct, default_prec.see_indirect) == pytest.approx((0.99, 0.055))
    assert report.markup.percent == 10 and not report.markup.confirmed
    assert any("UNCONFIRMED" in n and "2026" in n for n in report.notes)


def test_own_precursor_chain_uses_the_unrounded_see_of_the_earlier_process():
    data = base()
    data["processes"].append({
        "id": "grinding", "goods_category": "cement", "activity_level": {"amount": 3000,
                                                                          "unit": "t"},
        "precursors": [{"precursor": "own-clinker", "mass_t": 1000}]})
    data["processes"][0]["other_direct_emissions"] = [{"approach": "other", "amount_t": 1}]
    data["precursors"] = [{"id": "own-clinker", "goods_category": "cement clinker",
                           "origin": "own", "process": "kiln"}]
    data["goods"].append({"cn_code": "25232900", "name": "Cement", "process": "grinding"})
    report = compute_report(data)
    assert report.goods[0].see_direct == 0.001  # 1 / 1000
    assert report.goods[1].see_direct == 0.00033  # 1000 × 0.001 / 3000 = 0.000333…


def test_annex_ii_good_leaves_indirect_emissions_out():
    data = base()
    data["processes"] = [{
        "id": "extrusion", "goods_category": "aluminium products",
        "activity_level": {"amount": 100, "unit": "t"}, "electricity_consumed_mwh": 100,
        "electricity_factor": {"source": "default", "factor": SOUTH_GRID},
        "precursors": [{"precursor": "ingot", "mass_t": 102}]}]
    data["source_streams"] = [{"id": "gas", "process": "extrusion", "method": "combustion",
                               "quantity": {"amount": 0.5, "unit": "TJ"}, "factor": NG}]
    data["precursors"] = [{"id": "ingot", "goods_category": "unwrought aluminium",
                           "origin": "purchased", "see_direct": 1.5, "see_indirect": 8.0}]
    data["goods"] = [{"cn_code": "76042100", "name": "Profile", "process": "extrusion"}]
    report = compute_report(data)
    good = report.goods[0]
    assert good.direct_only and good.see_indirect is None
    assert good.see_direct == 1.8105  # (0.5 × 56.1 + 102 × 1.5) / 100 = 181.05 / 100
    assert good.see_total == 1.8105
    # the process still records the indirect part: (100 × 0.3869 + 102 × 8) / 100
    assert report.processes[0].see_indirect == pytest.approx(8.5469)


def test_good_at_default_values_with_the_years_markup(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Introduction"
    book.active.append(["Default values for the CBAM definitive period"])
    china = book.create_sheet("China")
    china.append(["Default values - China"])
    china.append([])
    china.append(["CN code", "Description", "Direct", "Indirect", "Total"])
    china.append(["2523 10 00", "Cement clinkers", 0.85, 0.04, 0.89])
    book.save(tmp_path / "defaults.xlsx")
    data = base()
    data["goods"][0]["see_source"] = "default"
    data["default_values"] = {"workbook": "defaults.xlsx", "year": 2027}
    (tmp_path / "input.yaml").write_text(yaml.safe_dump(data), "utf-8")
    report = compute_report(load_report_input(tmp_path / "input.yaml"))
    good = report.goods[0]
    assert good.see_direct == 1.02  # 0.85 × 1.20
    assert good.see_indirect == 0.048  # 0.04 × 1.20
    assert good.see_total == 1.068
    assert good.default_share == 1.0
    assert report.markup.year == 2027 and report.markup.percent == 20
    assert "defaults.xlsx" in report.default_values_source
    assert any("20 %" in n and "UNCONFIRMED" in n for n in report.notes)


def test_markup_given_in_the_input_replaces_the_shipped_one_and_no_note():
    data = base()
    data["goods"][0]["see_source"] = "default"
    data["default_values"] = {"markup_percent": 0, "values": [
        {"country": "CN", "cn_code": "2523", "direct": 0.85, "indirect": 0.04}]}
    report = compute_report(data)
    assert report.goods[0].see_total == 0.89 and report.notes == ()


def test_year_without_a_known_markup_is_an_error():
    data = base()
    data["goods"][0]["see_source"] = "default"
    data["default_values"] = {"year": 2040}
    errors = errors_of(data, defaults=defaults(**{"25231000": (0.85, 0.04)}))
    assert "2040" in errors["default_values.markup_percent"][0]


def test_unreadable_workbook_names_the_workbook_field(tmp_path):
    data = base()
    data["goods"][0]["see_source"] = "default"
    data["default_values"] = {"workbook": str(tmp_path / "missing.xlsx")}
    assert "not a readable XLSX" in errors_of(data)["default_values.workbook"][0]


def test_missing_default_value_names_the_cn_code_field():
    data = base()
    data["goods"][0]["see_source"] = "default"
    errors = errors_of(data, defaults=defaults(**{"25232900": (0.6, 0.03)}))
    assert "no default value for CN 25231000 from CN" in errors["goods[0].cn_code"][0]


def test_carbon_price_with_free_allocation_rebate():
    data = base()
    data["processes"][0]["other_direct_emissions"] = [{"approach": "measurement",
                                                       "amount_t": 2000}]
    data["carbon_price"] = [{
        "instrument": "ets", "name": "China national ETS", "legal_act": "Test act",
        "country": "CN", "currency": "CNY", "price_per_tco2e": 100, "share_covered": 0.9,
        "rebates": [{"type": "free_allocation", "share_covered": 0.8}],
        "evidence": [{"title": "Allocation notice", "reference": "DOC-1"}]}]
    cp = compute_report(data).goods[0].carbon_price
    assert cp.covered_t_per_unit == pytest.approx(1.8)  # 0.9 × 2.0 t/t
    assert cp.due_per_unit == pytest.approx(180)  # 100 × 1.8
    assert cp.rebate_covered_t_per_unit == pytest.approx(1.6)  # 0.8 × 2.0
    assert cp.rebate_per_unit == pytest.approx(160)  # 100 × 1.6
    assert cp.effective_per_unit == pytest.approx(20)
    assert cp.effective_per_tco2e == pytest.approx(10)  # 20 / 2.0
    assert cp.rebate_type == "free_allocation" and cp.currency == "CNY"


def test_carbon_price_needs_evidence():
    data = base()
    data["carbon_price"] = [{
        "instrument": "ets", "name": "ETS", "legal_act": "act", "country": "CN",
        "currency": "CNY", "price_per_tco2e": 100, "share_covered": 1, "evidence": []}]
    assert "evidence" in errors_of(data)["carbon_price[0].evidence"][0]


@pytest.mark.parametrize(("emissions", "exported"), [
    ((55.492, 67.963), 0.0),  # float: (55.492 + 67.963) / 1000 = 0.12345499999999998
    ((170.564,), 47.109),  # float: (170.564 - 47.109) / 1000 = 0.12345499999999998
])
def test_exact_tie_rounds_half_up_in_decimal_arithmetic(emissions, exported):
    data = base()
    data["processes"][0]["other_direct_emissions"] = [
        {"approach": "other", "amount_t": t} for t in emissions]
    data["processes"][0]["waste_gas_exported_t"] = exported
    good = compute_report(data).goods[0]
    # By hand: 123.455 t / 1000 t = 0.123455 exactly, half-up -> 0.12346.
    assert good.see_direct == 0.12346 and good.see_total == 0.12346


def test_exact_tie_through_a_precursor_and_default_mark_up():
    data = base()
    data["processes"][0]["other_direct_emissions"] = [{"approach": "other", "amount_t": 72.71}]
    data["precursors"] = [{"id": "p", "goods_category": "cement clinker", "origin": "purchased",
                           "see_source": "actual", "country": "CN",
                           "see_direct": 0.50745, "see_indirect": 0}]
    data["processes"][0]["precursors"] = [{"precursor": "p", "mass_t": 100}]
    # By hand: (72.71 + 100 * 0.50745) / 1000 = 123.455 / 1000 = 0.123455 -> 0.12346
    # (in float 0.12345499999999998).
    assert compute_report(data).goods[0].see_direct == 0.12346


def test_rounding_to_five_decimals_half_up_at_the_end_only():
    assert round_see(0.123455) == 0.12346  # round() would give 0.12345 (binary 0.1234549…)
    data = base()
    data["processes"][0]["other_direct_emissions"] = [{"approach": "other",
                                                       "amount_t": 123.455}]
    assert compute_report(data).goods[0].see_direct == 0.12346
    data["processes"][0]["other_direct_emissions"][0]["amount_t"] = 0.004
    data["processes"][0]["electricity_consumed_mwh"] = 0.008
    data["processes"][0]["electricity_factor"] = {"source": "default", "value_t_per_mwh": 0.5}
    good = compute_report(data).goods[0]
    # 0.000004 and 0.000004 each round to 0, their unrounded sum 0.000008 to 0.00001
    assert (good.see_direct, good.see_indirect, good.see_total) == (0.0, 0.0, 0.00001)


# ---- bad input ---------------------------------------------------------------------------
def test_cn_code_outside_cbam():
    data = base()
    data["goods"][0]["cn_code"] = "39011000"
    assert "not a CBAM good" in errors_of(data)["goods[0].cn_code"][0]
    data["goods"][0]["cn_code"] = "31056000"
    assert "except 3105 60 00" in errors_of(data)["goods[0].cn_code"][0]


def test_partly_excluded_heading_needs_an_explicit_check():
    data = base()
    data["processes"][0]["goods_category"] = "FeMn"
    data["goods"][0]["cn_code"] = "72021100"
    assert "annex_i_checked" in errors_of(data)["goods[0].cn_code"][0]
    data["goods"][0]["annex_i_checked"] = True
    report = compute_report(data)
    assert any("7202" in n for n in report.notes)


def test_cn_prefix_table_follows_notes():
    assert classify_cn("72142000").sector == "iron and steel"
    assert not classify_cn("72142000").indirect_counted
    assert classify_cn("25232900").indirect_counted
    assert classify_cn("76020000") is None  # 7602 (aluminium waste) is not listed
    assert classify_cn("28041000").confirmed is False  # hydrogen Annex II unconfirmed


def test_negative_activity_level():
    data = base()
    data["processes"][0]["activity_level"]["amount"] = -5
    assert errors_of(data) == {"processes[0].activity_level.amount":
                               ["must be greater than zero"]}


def test_missing_electricity_factor():
    data = base()
    data["processes"][0]["electricity_consumed_mwh"] = 100
    assert "emission factor" in errors_of(data)["processes[0].electricity_factor"][0]


def test_guarantees_of_origin_do_not_qualify():
    data = base()
    data["processes"][0]["electricity_consumed_mwh"] = 100
    data["processes"][0]["electricity_factor"] = {"source": "guarantees_of_origin",
                                                  "value_t_per_mwh": 0}
    msg = errors_of(data)["processes[0].electricity_factor.source"][0]
    assert "guarantees of origin" in msg


def test_precursor_cycle():
    data = base()
    data["processes"] = [
        {"id": "a", "goods_category": "crude steel", "activity_level": {"amount": 1,
                                                                         "unit": "t"},
         "precursors": [{"precursor": "from-b", "mass_t": 1}]},
        {"id": "b", "goods_category": "pig iron", "activity_level": {"amount": 1, "unit": "t"},
         "precursors": [{"precursor": "from-a", "mass_t": 1}]}]
    data["precursors"] = [
        {"id": "from-a", "goods_category": "crude steel", "origin": "own", "process": "a"},
        {"id": "from-b", "goods_category": "pig iron", "origin": "own", "process": "b"}]
    data["goods"] = [{"cn_code": "72142000", "name": "Bar", "process": "a"}]
    errors = errors_of(data)
    assert errors == {"processes[1].precursors[0].precursor": ["precursor cycle: a -> b -> a"]}


def test_coordinates_out_of_range():
    data = base()
    data["installation"]["coordinates"] = {"latitude": 95, "longitude": -200}
    errors = errors_of(data)
    assert set(errors) == {"installation.coordinates.latitude",
                           "installation.coordinates.longitude"}


@pytest.mark.parametrize(("change", "path", "fragment"), [
    (lambda d: d["installation"]["operator"].update(identifier="91350100M000100Y44"),
     "installation.operator.identifier", "check digit"),
    (lambda d: d["installation"].update(subdivision="CN-XX"), "installation.subdivision",
     "not an ISO 3166-2"),
    (lambda d: d["installation"].update(unlocode="DEHAM"), "installation.unlocode", "CN"),
    (lambda d: d["goods"][0].update(process="nope"), "goods[0].process", "nope"),
    (lambda d: d["goods"][0].update(parameters={"mn_percent": 1}),
     "goods[0].parameters.mn_percent", "not a qualifying parameter for cement"),
    (lambda d: d["goods"][0].update(parameters={"clinker_factor": 1.5}),
     "goods[0].parameters.clinker_factor", "outside"),
    (lambda d: d["goods"][0].update(cn_code="76042100"), "goods[0].cn_code", "aluminium"),
    (lambda d: d["processes"][0].update(activity_level={"amount": 5, "unit": "MWh"}),
     "processes[0].activity_level.unit", "in t"),
    (lambda d: d["processes"][0].update(colour="red"), "processes[0].colour", "Unknown"),
    (lambda d: d.update(precursors=[{"id": "x", "goods_category": "cement", "origin": "own",
                                     "process": "kiln"}]),
     "precursors[0].goods_category", "makes cement clinker"),
    (lambda d: d.update(precursors=[{"id": "x", "goods_category": "pig iron",
                                     "origin": "purchased", "see_source": "default"}]),
     "precursors[0].cn_code", "default values are looked up"),
])
def test_bad_fields_are_named(change, path, fragment):
    data = base()
    change(data)
    assert fragment in " ".join(errors_of(data)[path])


def test_factor_problems_are_reported_at_compute_time_with_their_field():
    data = base()
    data["source_streams"] = [
        {"id": "gas", "process": "kiln", "method": "combustion",
         "quantity": {"amount": 1000, "unit": "t"}, "factor": "fuel.no-such-factor"},
        {"id": "gas2", "process": "kiln", "method": "combustion",
         "quantity": {"amount": 1000, "unit": "t"}, "factor": NG}]
    errors = errors_of(data)
    assert "not a factor of release" in errors["source_streams[0].factor"][0]
    assert "NCV may be missing" in errors["source_streams[1].quantity.unit"][0]


def test_original_input_is_not_changed_by_loading():
    data = base()
    before = copy.deepcopy(data)
    load_report_data(data)
    assert data == before


# ---- default-value workbook --------------------------------------------------------------
def test_import_default_values_tolerates_title_rows_and_cover_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["These default values apply from 2026"])
    china = book.create_sheet("China")
    china.append(["Default values for China"])
    china.append(["(tCO2e per tonne of good)"])
    china.append(["CN code", "Description", "Direct emissions", "Indirect emissions",
                  "Total emissions"])
    china.append(["2523 10 00", "Cement clinkers", 0.85, 0.04, 0.89])
    china.append([76042100, "Hollow profiles of aluminium alloys", 1.7, "–", 1.7])
    china.append(["7601", "Unwrought aluminium", 1.6, None, 9.6])
    china.append([])
    china.append(["Source: illustrative test workbook"])
    india = book.create_sheet("IND")
    india.append(["CN code", "Description", "Direct", "Indirect", "Total"])
    india.append(["25231000", "Cement clinkers", 0.9, 0.05, 0.95])
    book.save(tmp_path / "dv.xlsx")
    dv = import_default_values(tmp_path / "dv.xlsx")
    clinker = dv.lookup("CN", "25231000")
    assert (clinker.direct, clinker.indirect, clinker.description) == (0.85, 0.04,
                                                                       "Cement clinkers")
    assert dv.lookup("CN", "76042100").indirect == 0.0  # total − direct
    assert dv.lookup("CN", "76012080").indirect == pytest.approx(8.0)  # 9.6 − 1.6, prefix 7601
    assert dv.lookup("IN", "25231000").direct == 0.9
    assert dv.lookup("VN", "25231000") is None
    assert len(dv.values) == 4


# ---- outputs -----------------------------------------------------------------------------
def _example(name: str):
    return compute_report(load_report_input(EXAMPLES / name))


def test_xlsx_summary_follows_the_template(tmp_path):
    report = _example("aluminium-extrusion-foshan.yaml")
    path = to_xlsx(report, tmp_path / "cbam.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Summary_Communication"
    assert {"Processes", "Source_streams", "Precursors"} <= set(book.sheetnames)
    rows = [list(r) for r in book["Summary_Communication"].iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if r[0] == EXPECTED_PRODUCT_HEADER[0])
    assert rows[at][:len(EXPECTED_PRODUCT_HEADER)] == EXPECTED_PRODUCT_HEADER
    assert len([c for c in rows[at] if c is not None]) == 45
    product = dict(zip(EXPECTED_PRODUCT_HEADER, rows[at + 1], strict=False))
    assert product["CN code"] == "76042100"
    assert product["SEE indirect"] is None  # Annex II
    assert product["SEE direct"] == report.goods[0].see_direct
    assert product["unit"] == "tCO2e/t" and product["% non-aluminium elements"] == 1.2
    labels = {r[0]: r[1] for r in rows[:at] if r and r[0]}
    assert labels["UN/LOCODE"] == "CNFOS"
    assert labels["Latitude of the main emission source"] == 23.03


def _with_footprint(**footprint) -> dict:
    data = base()
    data["source_streams"] = [{"id": "meal", "process": "kiln", "method": "process",
                               "quantity": {"amount": 1000, "unit": "t"},
                               "emission_factor": {"amount": 0.5, "unit": "t/t"}}]
    data["goods"][0]["product_footprint"] = {
        "kg_co2e_per_declared_unit": 425, "declared_unit": {"amount": 500, "unit": "kg"},
        "boundary": "cradle-to-gate", "method": "IPCC-AR6-GWP100", "reference": "calc-1",
        **footprint}
    return data


def test_product_footprint_beside_the_see_per_tonne(tmp_path):
    report = compute_report(_with_footprint())
    good = report.goods[0]
    assert good.see_total == 0.5  # 1000 t × 0.5 t/t / 1000 t
    fp = good.product_footprint
    assert fp.footprint_t_per_unit == pytest.approx(0.85)  # 425 kg / 0.5 t = 850 kg/t
    assert fp.difference_t_per_unit == pytest.approx(0.35)
    assert fp.declared_unit == "500 kg" and fp.reference == "calc-1"
    assert "IPCC-AR6-GWP100" in fp.boundary_notes[1]
    assert not any("Annex II" in n or "not cradle-to-gate" in n for n in fp.boundary_notes)
    assert good.see_direct == 0.5  # the footprint never changes the SEE
    doc = to_json(report)
    assert doc["goods"][0]["product_footprint"]["footprint_t_per_unit"] == pytest.approx(0.85)
    book = openpyxl.load_workbook(to_xlsx(report, tmp_path / "fp.xlsx"))
    rows = list(book["Product_footprints"].iter_rows(values_only=True))
    assert rows[1][0] == "25231000" and rows[1][9] == pytest.approx(0.35)


def test_product_footprint_other_boundary_is_explained():
    fp = compute_report(_with_footprint(boundary="cradle-to-grave")).goods[0].product_footprint
    assert "'cradle-to-grave', not cradle-to-gate" in fp.boundary_notes[-1]


def test_product_footprint_needs_a_declared_unit_of_mass():
    errors = errors_of(_with_footprint(declared_unit={"amount": 1, "unit": "m3"}))
    assert "goods[0].product_footprint.declared_unit.unit" in errors


def test_json_is_the_full_report():
    report = _example("cement-jiangmen.yaml")
    doc = json.loads(json.dumps(to_json(report)))
    assert doc["format"] == "carbonlabel-cbam-report/1"
    assert doc["installation"]["reporting_period"]["start"] == "2026-01-01"
    assert [g["cn_code"] for g in doc["goods"]] == ["25231000", "25232900"]
    assert doc["goods"][1]["carbon_price"]["evidence"][0]["reference"] == "ILLUSTRATIVE-DOC-101"
    assert len(doc["source_streams"]) == 4 and len(doc["processes"]) == 2


@pytest.mark.parametrize("name", ["steel-eaf-guangzhou.yaml", "cement-jiangmen.yaml"])
def test_json_reads_back_into_the_same_report(name, tmp_path):
    report = _example(name)
    doc = json.loads(json.dumps(to_json(report)))  # as stored in a database
    again = from_json(doc)
    assert to_json(again) == to_json(report)
    assert again.installation["reporting_period"]["end"].year == 2026
    assert again.goods[0].see_direct == report.goods[0].see_direct
    with pytest.raises(ValueError):
        from_json({**doc, "format": "something-else"})


# ---- examples ----------------------------------------------------------------------------
def test_cement_example_by_hand():
    good = _example("cement-jiangmen.yaml").goods[0]
    coal = 120000 * 23 / 1000 * 94.6  # 2760 TJ × 94.6 = 261096 t
    waste = 20000 * 15 / 1000 * 100 * (1 - 0.4)  # 300 TJ × 100 × 0.6 = 18000 t
    meal = 1180000 * 0.44  # 519200 t
    assert (coal + waste + meal) / 1_000_000 == pytest.approx(0.798296)
    assert good.see_direct == 0.7983
    assert good.see_indirect == 0.02128  # 55000 × 0.3869 / 1e6 = 0.0212795


def test_steel_example_by_hand():
    good = _example("steel-eaf-guangzhou.yaml").goods[0]
    gas_eaf = 4_000_000 * 34 / 1e6 * 56.1  # 136 TJ -> 7629.6 t
    carbon = 3.664 * (600 * 0.99 + 2400 * 0.85 + 185000 * 0.002 + 30000 * 0.045
                      - 200000 * 0.002)  # 22117.056 − 7629.6 = 14487.456 t
    see_eaf = (gas_eaf + carbon + 30000 * 1.9) / 200000  # with purchased pig iron
    gas_rolling = 9_500_000 * 34 / 1e6 * 56.1  # 323 TJ -> 18120.3 t
    see_rebar = (gas_rolling + 196000 * see_eaf) / 190000  # 0.5034474…
    assert good.see_direct == 0.50345 == round_see(see_rebar)
    assert good.see_indirect is None


@pytest.mark.parametrize("name", ["steel-eaf-guangzhou.yaml", "aluminium-extrusion-foshan.yaml",
                                  "cement-jiangmen.yaml"])
def test_examples_are_illustrative_guangdong_installations(name):
    text = (EXAMPLES / name).read_text("utf-8")
    report = _example(name)
    assert report.installation["subdivision"] == "CN-GD"
    for line in text.splitlines():
        code = line.split("#")[0]
        if code.startswith("schema_version"):
            continue
        if re.search(r":\s*-?\d[\d.]*\s*$|amount:\s*-?\d|mass_t:\s*\d", code):
            assert "illustrative" in line, line  # every number in an example is made up
