"""The carbonlabel command line."""

from __future__ import annotations

import json

import pytest
import yaml

from app.cli import main
from lca_models.factor_rows import COLUMNS
from tests.lca_models.models import BASE_EXPECTED, base


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(base(), allow_unicode=True), "utf-8")
    return path


def test_calc_json_has_the_documented_keys(runner, model_file, release):
    result = runner.invoke(main, ["calc", str(model_file), "--json", "--monte-carlo", "50",
                                  "--seed", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kg_co2e_per_declared_unit"] == pytest.approx(BASE_EXPECTED, rel=1e-12)
    assert data["declared_unit"] == {"amount": 1.0, "unit": "item"}
    assert set(data["iso14067"]) == {"fossil", "biogenic_emissions", "biogenic_removals",
                                     "dluc", "aircraft"}
    assert data["factor_release"] == {"version": release.version, "sha256": release.sha256}
    assert len(data["inputs_sha256"]) == 64
    assert data["monte_carlo"]["iterations"] == 50 and data["monte_carlo"]["seed"] == 3
    assert set(data["by_stage"]) == {"raw_materials", "production"}
    assert "co2_fossil" in data["by_gas"]


def test_calc_table(runner, model_file):
    result = runner.invoke(main, ["calc", str(model_file), "--gwp", "AR5"])
    assert result.exit_code == 0, result.output
    assert "IPCC-AR5-GWP100" in result.output and "by stage" in result.output
    assert "top 8 contributors" in result.output


def test_bad_model_exits_nonzero_with_field_path(runner, tmp_path):
    data = base()
    data["stages"][1]["processes"][0]["inputs"][0]["unit"] = "kwh/kg"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    result = runner.invoke(main, ["calc", str(path)])
    assert result.exit_code == 2
    assert "stages[1].processes[0].inputs[0].unit: 'kwh/kg' is not a known unit" in (
        result.stderr)
    assert "Traceback" not in result.output + result.stderr


def test_singular_model_exits_nonzero(runner, tmp_path):
    data = base()
    data["stages"][0]["processes"][0]["inputs"].append(
        {"process": "resin", "amount": 1, "unit": "kg"})
    path = tmp_path / "loop.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    result = runner.invoke(main, ["calc", str(path)])
    assert result.exit_code == 2 and "no unique solution" in result.stderr


def test_factors_list_and_show(runner):
    listed = runner.invoke(main, ["factors", "list", "--geography", "CN-GD"])
    assert listed.exit_code == 0 and "electricity.cn-south-grid.co2.2022" in listed.output
    shown = runner.invoke(main, ["factors", "show", "electricity.cn-south-grid.co2.2022"])
    assert "0.3869" in shown.output and "source_url" in shown.output
    missing = runner.invoke(main, ["factors", "show", "nope"])
    assert missing.exit_code == 2 and "nope" in missing.stderr


def test_factors_export_round_trips_through_validate(runner, tmp_path, release):
    out = tmp_path / "release.csv"
    assert runner.invoke(main, ["factors", "export", "-o", str(out)]).exit_code == 0
    assert out.read_text("utf-8").count("\n") == len(release) + 1
    xlsx = tmp_path / "release.xlsx"
    assert runner.invoke(main, ["factors", "export", "-o", str(xlsx)]).exit_code == 0
    assert xlsx.stat().st_size > 0


def _user_file(tmp_path, **overrides):
    row = dict.fromkeys(COLUMNS, "")
    row.update(id="acme.steam", name="Steam", category="fuel", unit="t", co2_fossil_kg="200",
               geography="CN-GD", reference_year="2025", source_publisher="ACME metering")
    row.update(overrides)
    path = tmp_path / "acme.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n")
    return path


def test_factors_validate_and_import(runner, tmp_path):
    path = _user_file(tmp_path)
    assert "1 factors valid" in runner.invoke(main, ["factors", "validate", str(path)]).output
    imported = runner.invoke(main, ["factors", "import", str(path), "--name", "acme"])
    assert imported.exit_code == 0, imported.output
    assert (tmp_path / "factor_sets" / "acme.csv").exists()
    again = runner.invoke(main, ["factors", "import", str(path), "--name", "acme"])
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_bad_factor_file_names_row_and_column(runner, tmp_path):
    path = _user_file(tmp_path, unit="kwh")
    result = runner.invoke(main, ["factors", "import", str(path), "--name", "acme"])
    assert result.exit_code == 2
    assert "row 2, column 'unit': 'kwh' is not a known unit" in result.stderr
    assert not (tmp_path / "factor_sets").exists()


def test_imported_set_is_found_by_calc(runner, tmp_path):
    runner.invoke(main, ["factors", "import", str(_user_file(tmp_path)), "--name", "acme"])
    data = base()
    data["factor_sets"] = ["acme"]
    data["stages"][1]["processes"][0]["inputs"].append(
        {"factor": "acme.steam", "amount": 2, "unit": "kg"})
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    result = runner.invoke(main, ["calc", str(path), "--json"])
    assert result.exit_code == 0, result.output
    value = json.loads(result.stdout)["kg_co2e_per_declared_unit"]
    assert value == pytest.approx(BASE_EXPECTED + 0.002 * 200, rel=1e-12)


def test_factors_hash_matches_release(runner, release):
    result = runner.invoke(main, ["factors", "hash"])
    assert result.output.strip() == f"{release.version} {release.sha256}"


def test_import_a_supplier_pact_footprint(runner, tmp_path):
    from pathlib import Path

    example = (Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "pact-v3"
               / "examples" / "example-1.json")
    if not example.exists():
        pytest.skip("the PACT examples are not beside the repository")
    result = runner.invoke(main, ["factors", "import-pact", str(example), "--name", "supplier"])
    assert result.exit_code == 0, result.output
    stored = (tmp_path / "factor_sets" / "supplier.csv").read_text("utf-8")
    assert "PACT ProductFootprint" in stored and "supplier-provided primary data" in stored
    data = base()
    data["factor_sets"] = ["supplier"]
    import csv
    import io

    row = next(csv.DictReader(io.StringIO(stored)))
    data["stages"][1]["processes"][0]["inputs"].append(
        {"factor": row["id"], "amount": 1, "unit": row["unit"], "primary": True})
    model = tmp_path / "m.yaml"
    model.write_text(yaml.safe_dump(data), "utf-8")
    calc = runner.invoke(main, ["calc", str(model), "--json"])
    assert calc.exit_code == 0, calc.output
    assert json.loads(calc.stdout)["kg_co2e_per_declared_unit"] > BASE_EXPECTED


def test_cbam_report_command_writes_xlsx_and_json(runner, tmp_path):
    from pathlib import Path

    import openpyxl

    example = Path(__file__).resolve().parents[2] / "examples" / "cbam" / "cement-jiangmen.yaml"
    xlsx, js = tmp_path / "r.xlsx", tmp_path / "r.json"
    assert runner.invoke(main, ["cbam", "report", str(example), "-o", str(xlsx)]).exit_code == 0
    assert "Summary_Communication" in openpyxl.load_workbook(xlsx).sheetnames
    result = runner.invoke(main, ["cbam", "report", str(example), "--format", "json", "-o",
                                  str(js)])
    assert result.exit_code == 0
    goods = json.loads(js.read_text("utf-8"))["goods"]
    assert goods and all(g["cn_code"].startswith("25") for g in goods)


def test_cbam_report_rejects_a_good_outside_cbam(runner, tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "cbam" / "cement-jiangmen.yaml"
    data = yaml.safe_load(example.read_text("utf-8"))
    data["goods"][0]["cn_code"] = "61091000"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data), "utf-8")
    result = runner.invoke(main, ["cbam", "report", str(bad), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "goods[0].cn_code" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_cbam_report_from_an_xlsx_input_matches_the_yaml_run(runner, tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "cbam" / \
        "steel-eaf-guangzhou.yaml"
    book, from_yaml, from_xlsx = tmp_path / "in.xlsx", tmp_path / "y.json", tmp_path / "x.json"
    result = runner.invoke(main, ["cbam", "template", str(example), "-o", str(book)])
    assert result.exit_code == 0, result.output
    for source, out in ((example, from_yaml), (book, from_xlsx)):
        result = runner.invoke(main, ["cbam", "report", str(source), "--format", "json",
                                      "-o", str(out)])
        assert result.exit_code == 0, result.output
    yaml_report = json.loads(from_yaml.read_text("utf-8"))
    assert yaml_report["goods"][0]["cn_code"] == "72142000"
    assert json.loads(from_xlsx.read_text("utf-8")) == yaml_report


def test_cbam_blank_template_is_refused_by_report_naming_cells(runner, tmp_path):
    import openpyxl

    blank, out = tmp_path / "blank.xlsx", tmp_path / "r.xlsx"
    result = runner.invoke(main, ["cbam", "template", "-o", str(blank)])
    assert result.exit_code == 0, result.output
    sheets = openpyxl.load_workbook(blank).sheetnames
    assert sheets[:3] == ["Installation", "SourceStreams", "Processes"] and "Goods" in sheets
    result = runner.invoke(main, ["cbam", "report", str(blank), "-o", str(out)])
    assert result.exit_code == 2
    assert "Installation!B2: required" in result.stderr
    assert not out.exists()
