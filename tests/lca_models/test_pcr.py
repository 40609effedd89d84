"""The PCR registry: every shipped file passes its schema and cites its sources; a bad file
is refused with the field path; models are checked rule by rule; a rating needs a sourced
benchmark and grades by the ratio to it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from lca_models.errors import ModelValidationError
from lca_models.inventory_schema import load_model
from lca_models.pcr import (
    PcrFileError,
    PcrRuleError,
    check_model,
    load_pcrs,
    named_pcr,
    parse_pcr,
    rate,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
SOURCE = {"publisher": "P", "document": "D", "section": "table 1", "year": 2024,
          "url": "https://example.invalid/pcr", "licence": "test"}


def _doc(**rules) -> dict:
    base = {"id": "test-pcr", "version": "1", "name": "Test PCR", "publisher": "test suite",
            "source_type": "pcr_programme", "product_group": "rebar",
            "hs_codes": {"codes": ["7214"], "source": SOURCE},
            "declared_unit": {"amount": 1, "unit": "t", "description": "one tonne",
                              "source": SOURCE},
            "boundary": {"allowed": ["cradle-to-gate"],
                         "required_stages": ["raw_materials", "production"], "source": SOURCE}}
    base.update(rules)
    return base


def _rebar() -> dict:
    data = yaml.safe_load((EXAMPLES / "eaf_rebar.yaml").read_text("utf-8"))
    return json.loads(json.dumps(data, default=str))


def test_every_shipped_pcr_loads_and_every_rule_cites_a_source_or_says_why_not():
    pcrs = load_pcrs()
    assert "eu-battery-cfb" in pcrs
    for pcr in pcrs.values():
        for name, rule in pcr.rules.items():
            if rule.get("illustrative"):
                assert rule["note"].strip(), (pcr.id, name)
            else:
                source = rule["source"]
                assert {"publisher", "document", "section", "url", "licence", "year"} <= set(
                    source), (pcr.id, name)
                assert source["url"].startswith("https://"), (pcr.id, name)
        bench = pcr.benchmark
        assert bench is None or "source" in bench or bench.get("illustrative")


@pytest.mark.parametrize(("change", "field"), [
    ({"declared_unit": {"amount": 1, "unit": "t", "description": "x"}}, "declared_unit"),
    ({"boundary": {"allowed": ["cradle-to-moon"], "required_stages": [], "source": SOURCE}},
     "boundary.allowed.0"),
    ({"hs_codes": {"codes": ["72x4"], "source": SOURCE}}, "hs_codes.codes.0"),
    ({"cut_off": {"max_exclusions_percent": 150, "source": SOURCE}},
     "cut_off.max_exclusions_percent"),
    ({"benchmark": {"value": 1, "unit": "kg", "year": 2024, "grades": [{"grade": "A"}],
                    "illustrative": True}}, "benchmark"),
    ({"colour": "green"}, "<document>"),
])
def test_a_file_failing_its_schema_is_refused_naming_the_field(change, field):
    with pytest.raises(PcrFileError) as caught:
        parse_pcr(_doc(**change), "bad.yaml")
    assert caught.value.file == "bad.yaml"
    assert caught.value.field == field, caught.value


def test_the_file_name_must_be_the_id(tmp_path):
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(_doc()), "utf-8")
    with pytest.raises(PcrFileError, match="must match the file name"):
        load_pcrs(tmp_path)


def test_an_unknown_pcr_or_version_is_a_model_error_with_the_path():
    registry = {"test-pcr": parse_pcr(_doc(), "t")}
    with pytest.raises(ModelValidationError) as caught:
        named_pcr({"pcr": {"id": "nope", "version": "1"}}, registry)
    assert list(caught.value.errors) == ["pcr.id"]
    with pytest.raises(ModelValidationError) as caught:
        named_pcr({"pcr": {"id": "test-pcr", "version": "2"}}, registry)
    assert list(caught.value.errors) == ["pcr.version"]
    assert named_pcr({}, registry) is None


def test_the_model_schema_takes_a_pcr_reference():
    model = _rebar()
    model["pcr"] = {"id": "test-pcr", "version": "1"}
    load_model(model)  # accepted
    model["pcr"] = {"id": "test-pcr"}
    with pytest.raises(ModelValidationError) as caught:
        load_model(model)
    assert "pcr.version" in caught.value.errors


def test_a_conforming_model_has_no_gaps_and_each_breach_names_its_path():
    pcr = parse_pcr(_doc(cut_off={"max_exclusions_percent": 1, "source": SOURCE},
                         allocation={"allowed": ["physical"], "source": SOURCE},
                         required_primary_data={"stages": ["production", "raw_materials"],
                                                "source": SOURCE},
                         reference_period={"max_months": 12, "source": SOURCE}), "t")
    model = _rebar()
    assert check_model(model, pcr) == ()
    # raw materials hold primary data only in the calcination emission (primary by default)
    secondary = copy.deepcopy(model)
    secondary["stages"][0]["processes"][1]["emissions"][0]["primary"] = False
    assert [(g.code, g.path) for g in check_model(secondary, pcr)] == [
        ("PRIMARY_DATA_MISSING", "stages[0]")]

    bad = copy.deepcopy(model)
    bad["product"]["hs_code"] = "760410"
    bad["declared_unit"] = {"amount": 1000, "unit": "kg"}
    bad["boundary"] = "gate-to-gate"
    bad["stages"] = [s for s in bad["stages"] if s["stage"] == "production"]
    bad["exclusions"] = [{"description": "packaging", "share_percent": 0.7},
                         {"description": "office", "share_percent": 0.6}]
    bad["reference_period"] = {"start": "2023-01-01", "end": "2024-06-30"}
    bad["stages"][0]["processes"][0]["allocation"] = "economic"
    found = {(g.code, g.path): (g.expected, g.found) for g in check_model(bad, pcr)}
    assert found[("HS_CODE_OUTSIDE_PCR", "product.hs_code")] == (["7214"], "760410")
    assert found[("DECLARED_UNIT_MISMATCH", "declared_unit")] == ("1 t", "1000 kg")
    assert found[("BOUNDARY_NOT_IN_PCR", "boundary")] == (["cradle-to-gate"], "gate-to-gate")
    assert found[("STAGE_MISSING", "stages")][0] == "raw_materials"
    assert found[("CUT_OFF_EXCEEDED", "exclusions")] == ("at most 1 %", "1.3 %")
    assert found[("ALLOCATION_NOT_IN_PCR", "stages[0].processes[0].allocation")] == (
        ["physical"], "economic")
    assert found[("REFERENCE_PERIOD_TOO_LONG", "reference_period.end")] == (
        "at most 12 months", "18 months")
    assert ("PRIMARY_DATA_MISSING", "stages") in found  # raw_materials stage is absent


def test_excluded_stages_and_illustrative_rules_are_reported_as_such():
    pcr = load_pcrs()["eu-battery-cfb"]
    model = json.loads(json.dumps(yaml.safe_load(
        (EXAMPLES / "li_ion_battery_pack.yaml").read_text("utf-8")), default=str))
    found = {g.code: g for g in check_model(model, pcr)}
    assert found["DECLARED_UNIT_MISMATCH"].expected == "1 kWh"  # the example is per item
    assert found["BOUNDARY_NOT_IN_PCR"].found == "cradle-to-gate"
    assert "HS_CODE_OUTSIDE_PCR" not in found  # 850760 is the heading named
    model["stages"].append({"stage": "use", "processes": []})
    gap = next(g for g in check_model(model, pcr) if g.code == "STAGE_EXCLUDED_BY_PCR")
    assert gap.path == f"stages[{len(model['stages']) - 1}]"
    model["product"]["hs_code"] = "850710"
    hs = next(g for g in check_model(model, pcr) if g.code == "HS_CODE_OUTSIDE_PCR")
    assert hs.illustrative is True and hs.source_url is None


def test_a_rating_is_the_first_grade_whose_ratio_is_not_exceeded():
    bench = {"value": 800, "unit": "kg CO2e per t", "year": 2024, "source": SOURCE,
             "grades": [{"grade": "A", "max_ratio": 0.8}, {"grade": "B", "max_ratio": 1.0},
                        {"grade": "C"}]}
    pcr = parse_pcr(_doc(benchmark=bench), "t")
    unit = {"amount": 1, "unit": "t"}
    assert rate(pcr, 640, unit).grade == "A"  # 640 / 800 = 0.8, on the bound
    assert rate(pcr, 640.1, unit).grade == "B"
    assert rate(pcr, 800, unit).grade == "B"
    rated = rate(pcr, 1200, unit)
    assert (rated.grade, rated.ratio) == ("C", 1.5)
    with pytest.raises(PcrRuleError) as caught:
        rate(pcr, 640, {"amount": 1000, "unit": "kg"})
    assert caught.value.field == "declared_unit"
    closed = copy.deepcopy(bench)
    closed["grades"] = closed["grades"][:2]
    with pytest.raises(PcrRuleError) as caught:
        rate(parse_pcr(_doc(benchmark=closed), "t"), 1200, unit)
    assert caught.value.field == "benchmark.grades"


def test_a_rating_without_a_sourced_benchmark_is_refused_naming_the_field():
    with pytest.raises(PcrRuleError) as caught:
        rate(parse_pcr(_doc(), "t"), 1, {"amount": 1, "unit": "t"})
    assert caught.value.field == "benchmark"
    guess = {"value": 800, "unit": "kg", "year": 2024, "grades": [{"grade": "A"}],
             "illustrative": True, "note": "a guess"}
    with pytest.raises(PcrRuleError) as caught:
        rate(parse_pcr(_doc(benchmark=guess), "t"), 1, {"amount": 1, "unit": "t"})
    assert caught.value.field == "benchmark.source"
    with pytest.raises(PcrRuleError):
        rate(load_pcrs()["eu-battery-cfb"], 1, {"amount": 1, "unit": "kWh"})


def test_a_file_with_a_duplicate_key_is_refused(tmp_path):
    text = yaml.safe_dump(_doc()) + "version: '2'\n"  # a second `version` would win silently
    (tmp_path / "test-pcr.yaml").write_text(text, "utf-8")
    with pytest.raises(PcrFileError, match="not valid YAML") as caught:
        load_pcrs(tmp_path)
    assert caught.value.file == "test-pcr.yaml"
