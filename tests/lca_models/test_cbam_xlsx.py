"""CBAM input workbooks: the examples survive YAML -> XLSX -> report unchanged, the blank
template has the documented sheets and headers, and bad cells are named as Sheet!Cell."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from lca_models.cbam import compute_report, load_report_data, load_report_input
from lca_models.cbam_report import to_json
from lca_models.cbam_xlsx import (
    layout,
    load_input_xlsx,
    read_input_xlsx,
    sheet_headers,
    write_input_xlsx,
)
from lca_models.errors import ModelValidationError

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "cbam"
NAMES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))

#: The sheets docs/cbam.md documents, in order, written out here on purpose (not imported).
DOCUMENTED_SHEETS = [
    "Installation", "SourceStreams", "Processes", "OtherDirectEmissions", "ProcessPrecursors",
    "Precursors", "Goods", "CarbonPrices", "CarbonPriceRebates", "CarbonPriceEvidence",
    "DefaultValues", "DefaultValueRows", "DataQuality", "Document",
]
FIELD_SHEETS = {"Installation", "DefaultValues", "DataQuality", "Document"}


def _yaml(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / name).read_text("utf-8"))


def _report_json(report_input) -> str:
    return json.dumps(to_json(compute_report(report_input)), sort_keys=True, default=str)


@pytest.fixture
def steel_book(tmp_path) -> Path:
    return write_input_xlsx(_yaml("steel-eaf-guangzhou.yaml"), tmp_path / "steel.xlsx")


def _errors(path: Path) -> dict[str, list[str]]:
    with pytest.raises(ModelValidationError) as caught:
        compute_report(load_input_xlsx(path))
    return caught.value.errors


def _edit(path: Path, edit) -> Path:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


def _col(ws, header: str) -> str:
    """The letter of a table column by header (so a test does not hard-code the order)."""
    for cell in ws[1]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(f"no column {header} on {ws.title}")


# ---- round trip --------------------------------------------------------------------------
def test_three_examples_are_checked():
    assert len(NAMES) == 3


@pytest.mark.parametrize("name", NAMES)
def test_example_through_the_workbook_gives_the_same_document_and_report(name, tmp_path):
    data = _yaml(name)
    path = write_input_xlsx(data, tmp_path / "input.xlsx")
    assert read_input_xlsx(path) == data
    assert read_input_xlsx(path.read_bytes()) == data
    from_xlsx = load_report_input(path)
    from_yaml = load_report_input(EXAMPLES / name)
    assert dict(from_xlsx.data) == dict(from_yaml.data)
    assert _report_json(from_xlsx) == _report_json(from_yaml)


def test_a_workbook_filled_by_hand_reads_the_same(tmp_path):
    """Exporters type CN codes as numbers, dates and amounts as text, ids with spaces."""
    path = write_input_xlsx(_yaml("cement-jiangmen.yaml"), tmp_path / "cement.xlsx")

    def by_hand(book):
        goods = book["Goods"]
        goods[f"{_col(goods, 'cn_code')}2"] = 25231000
        goods[f"{_col(goods, 'quantity_t')}2"] = " 50000 "
        goods[f"{_col(goods, 'process')}3"] = "grinding "
        inst = book["Installation"]
        row = next(r for r in inst.iter_rows(min_row=2) if r[0].value == "reporting_period.start")
        row[1].value = "2026-01-01"

    _edit(path, by_hand)
    assert _report_json(load_report_input(path)) == \
        _report_json(load_report_input(EXAMPLES / "cement-jiangmen.yaml"))


def test_lists_inside_an_item_go_to_a_sheet_keyed_by_the_parent(tmp_path):
    data = _yaml("steel-eaf-guangzhou.yaml")
    data["processes"][0]["other_direct_emissions"] = [
        {"approach": "measurement", "amount_t": 12.5}, {"approach": "other", "amount_t": 1.0}]
    data["carbon_price"][0]["processes"] = ["eaf", "rolling"]
    path = write_input_xlsx(data, tmp_path / "steel.xlsx")
    book = openpyxl.load_workbook(path)
    rows = list(book["OtherDirectEmissions"].iter_rows(values_only=True))
    assert rows == [("process", "approach", "amount_t", "description"),
                    ("eaf", "measurement", 12.5, None), ("eaf", "other", 1, None)]
    assert [r[:3] for r in book["ProcessPrecursors"].iter_rows(values_only=True)] == [
        ("process", "precursor", "mass_t"), ("eaf", "pig-iron", 30000),
        ("rolling", "crude-steel", 196000)]
    prices = book["CarbonPrices"]
    assert prices[f"{_col(prices, 'processes')}2"].value == "eaf, rolling"
    assert [r[0] for r in book["CarbonPriceEvidence"].iter_rows(min_row=2, values_only=True)] \
        == ["China national carbon emissions trading scheme"] * 2
    assert read_input_xlsx(path) == data


def test_inline_default_values_have_their_own_sheet(tmp_path):
    data = _yaml("aluminium-extrusion-foshan.yaml")
    data["goods"][0]["see_source"] = "default"
    data["default_values"] = {"source": "test values", "year": 2027, "values": [
        {"country": "CN", "cn_code": "7604", "description": "Profiles", "direct": 1.5,
         "indirect": 0.0}]}
    path = write_input_xlsx(data, tmp_path / "alu.xlsx")
    assert list(openpyxl.load_workbook(path)["DefaultValueRows"].iter_rows(values_only=True)) \
        == [("country", "cn_code", "description", "direct", "indirect"),
            ("CN", "7604", "Profiles", 1.5, 0)]
    assert read_input_xlsx(path) == data
    good = to_json(compute_report(load_report_input(path)))["goods"][0]
    assert good["see_direct"] == pytest.approx(1.8)  # 1.5 × (1 + 20 % mark-up of 2027)


# ---- the template ------------------------------------------------------------------------
def test_blank_template_has_the_documented_sheets_and_headers(tmp_path):
    book = openpyxl.load_workbook(write_input_xlsx(None, tmp_path / "blank.xlsx"))
    assert book.sheetnames == DOCUMENTED_SHEETS
    headers = sheet_headers()
    for name in DOCUMENTED_SHEETS:
        ws = book[name]
        if name in FIELD_SHEETS:
            assert [c.value for c in ws[1]] == ["field", "value", "help"]
            assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == headers[name]
            assert all(r[1] is None for r in ws.iter_rows(min_row=2, values_only=True))
        else:
            assert [c.value for c in ws[1]] == headers[name]
            assert ws.max_row == 1
            assert all(c.comment and c.comment.text for c in ws[1])
    # spelled out, as docs/cbam.md shows them
    assert headers["Installation"][:4] == ["operator.name", "operator.identifier",
                                           "operator.identifier_type", "operator.address"]
    assert "coordinates.latitude" in headers["Installation"]
    assert headers["Goods"][:6] == ["cn_code", "cn_name", "name", "process", "quantity_t",
                                    "see_source"]
    assert {"parameters.mn_percent", "parameters.clinker_factor", "parameters.calcined",
            "product_footprint.declared_unit.unit"} <= set(headers["Goods"])
    assert headers["ProcessPrecursors"] == ["process", "precursor", "mass_t"]
    assert headers["CarbonPriceEvidence"] == ["carbon_price", "title", "reference"]
    assert headers["Document"] == ["schema_version", "notes"]


def test_every_schema_field_has_a_column():
    """The layout is derived from the schema: walk the schema independently and compare."""
    from marshmallow import fields

    from lca_models.cbam_schema import CbamInputSchema

    def leaves(schema, prefix=""):
        for name, field in schema.fields.items():
            if isinstance(field, fields.Nested):
                yield from leaves(field.schema, f"{prefix}{name}.")
            elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
                yield from leaves(field.inner.schema, f"{prefix}{name}[].")
            else:
                yield prefix + name

    root = CbamInputSchema().fields

    def base(path: tuple[str, ...]) -> str:
        if not path:
            return ""
        out = path[0] + ("[]" if isinstance(root[path[0]], fields.List) else "") + "."
        return out + "".join(f"{name}[]." for name in path[1:])

    placed = set()
    for spec in layout():
        placed |= {base(spec.path) + c.header for c in spec.columns if c.header != spec.key}
    expected = set(leaves(CbamInputSchema()))
    expected = {e for e in expected if e != "goods[].parameters"}
    assert expected - placed == set()


def test_docs_list_every_sheet_and_column():
    docs = (REPO / "docs" / "cbam.md").read_text("utf-8")
    for name, headers in sheet_headers().items():
        row = next((line for line in docs.splitlines() if line.startswith(f"| `{name}` |")),
                   None)
        assert row is not None, f"docs/cbam.md has no row for sheet {name}"
        documented = set(re.findall(r"`([^`]+)`", row))
        missing = [h for h in headers if h not in documented
                   and not (h.startswith("parameters.") and "`parameters.<key>`" in row)]
        assert missing == [], f"{name}: {missing}"


def test_blank_template_is_refused_naming_the_required_cells(tmp_path):
    path = write_input_xlsx(None, tmp_path / "blank.xlsx")
    errors = _errors(path)
    assert errors["Installation!B2"] == ["required"]  # operator.name
    assert "Installation!B7" not in errors  # name_local is optional


def test_example_template_can_be_started_from_a_validated_input(tmp_path):
    inp = load_report_data(_yaml("cement-jiangmen.yaml"))
    path = write_input_xlsx(inp.data, tmp_path / "frozen.xlsx")  # frozen mapping, tuples
    assert _report_json(load_report_input(path)) == _report_json(inp)


def test_writer_refuses_a_field_it_has_no_column_for(tmp_path):
    data = _yaml("cement-jiangmen.yaml")
    data["goods"][0]["colour"] = "grey"
    data["installation"]["coordinates"]["altitude"] = 5
    with pytest.raises(ModelValidationError) as caught:
        write_input_xlsx(data, tmp_path / "x.xlsx")
    assert set(caught.value.errors) == {"goods[0].colour",
                                        "installation.coordinates.altitude"}
    assert not (tmp_path / "x.xlsx").exists()


# ---- bad cells ---------------------------------------------------------------------------
def test_text_in_a_number_column(steel_book):
    _edit(steel_book, lambda b: b["Goods"].__setitem__("E2", "twenty thousand"))
    assert openpyxl.load_workbook(steel_book)["Goods"]["E1"].value == "quantity_t"
    with pytest.raises(ModelValidationError, match=re.escape("Goods!E2: not a number")):
        read_input_xlsx(steel_book)


def test_a_missing_required_column(steel_book):
    _edit(steel_book, lambda b: b["Goods"].delete_cols(3))  # name
    assert _errors(steel_book) == {"Goods!1:1": ["missing required column 'name'"]}


def test_an_unknown_sheet_and_an_unknown_column(steel_book):
    def edit(book):
        book.create_sheet("Remarks")["A1"] = "anything"
        book["Goods"]["AZ1"] = "colour"

    _edit(steel_book, edit)
    errors = _errors(steel_book)
    assert list(errors) == ["Remarks", "Goods!AZ1"]
    assert errors["Remarks"][0].startswith("unknown sheet")
    assert errors["Goods!AZ1"] == ["unknown column 'colour'"]


def test_an_empty_required_cell(steel_book):
    _edit(steel_book, lambda b: b["Processes"].__setitem__("C3", None))  # goods_category
    assert openpyxl.load_workbook(steel_book)["Processes"]["C1"].value == "goods_category"
    assert _errors(steel_book) == {"Processes!C3": ["required"]}


def test_an_empty_cell_required_inside_an_optional_object(steel_book):
    """product_footprint is optional; once started, its boundary is required."""
    def edit(book):
        ws = book["Goods"]
        ws[f"{_col(ws, 'product_footprint.kg_co2e_per_declared_unit')}2"] = 2100
        ws[f"{_col(ws, 'product_footprint.declared_unit.amount')}2"] = 1
        ws[f"{_col(ws, 'product_footprint.declared_unit.unit')}2"] = "t"

    _edit(steel_book, edit)
    ws = openpyxl.load_workbook(steel_book)["Goods"]
    assert _errors(steel_book) == {
        f"Goods!{_col(ws, 'product_footprint.boundary')}2": ["Missing data for required field."]}


def test_schema_and_document_errors_point_at_cells(steel_book):
    def edit(book):
        book["Processes"]["E2"] = -5               # activity_level.amount
        book["Installation"]["B15"] = 95           # coordinates.latitude

    _edit(steel_book, edit)
    book = openpyxl.load_workbook(steel_book)
    assert book["Processes"]["E1"].value == "activity_level.amount"
    assert book["Installation"]["A15"].value == "coordinates.latitude"
    errors = _errors(steel_book)
    assert errors["Processes!E2"] == ["must be greater than zero"]
    assert errors["Installation!B15"] == ["Must be greater than or equal to -90 and less than "
                                          "or equal to 90."]
    assert set(errors) == {"Processes!E2", "Installation!B15"}


def test_whole_document_errors_point_at_cells(steel_book):
    """Checks that need the whole document (CN coverage, references) run after the shape."""
    def edit(book):
        book["Goods"]["A2"] = "61091000"          # a T-shirt is not a CBAM good
        book["SourceStreams"]["C3"] = "furnace"   # process of the second stream

    _edit(steel_book, edit)
    assert openpyxl.load_workbook(steel_book)["SourceStreams"]["C1"].value == "process"
    errors = _errors(steel_book)
    assert set(errors) == {"Goods!A2", "SourceStreams!C3"}
    assert "61091000 is not a CBAM good" in errors["Goods!A2"][0]
    assert errors["SourceStreams!C3"] == ["'furnace' is not the id of a process"]


def test_errors_found_while_computing_point_at_cells(steel_book):
    _edit(steel_book, lambda b: b["SourceStreams"].__setitem__("K2", "fuel.no-such-factor"))
    assert openpyxl.load_workbook(steel_book)["SourceStreams"]["K1"].value == "factor"
    errors = _errors(steel_book)
    assert list(errors) == ["SourceStreams!K2"]
    assert "not a factor of release" in errors["SourceStreams!K2"][0]


def test_a_child_row_naming_no_parent(steel_book):
    _edit(steel_book, lambda b: b["ProcessPrecursors"].__setitem__("A3", "rollin"))
    assert _errors(steel_book) == {"ProcessPrecursors!A3": ["no id 'rollin' on Processes"]}


def test_carbon_prices_are_named_once(steel_book):
    def edit(book):
        ws = book["CarbonPrices"]
        for cell in ws[2]:
            ws.cell(3, cell.column, cell.value)

    _edit(steel_book, edit)
    errors = _errors(steel_book)
    assert list(errors) == ["CarbonPrices!B3"]
    assert "already used on row 2" in errors["CarbonPrices!B3"][0]


def test_bad_field_rows_and_values(steel_book):
    def edit(book):
        book["Installation"].append(["colour", "grey"])
        book["Installation"]["B17"] = "next spring"   # reporting_period.start
        book["Goods"][f"{_col(book['Goods'], 'annex_i_checked')}2"] = "maybe"
        book["Document"]["B2"] = 1.5                  # schema_version

    _edit(steel_book, edit)
    book = openpyxl.load_workbook(steel_book)
    row = book["Installation"].max_row
    flag = _col(book["Goods"], "annex_i_checked")
    assert _errors(steel_book) == {
        f"Installation!A{row}": ["unknown field 'colour'"],
        "Installation!B17": ["not a date (YYYY-MM-DD)"],
        f"Goods!{flag}2": ["not TRUE or FALSE"],
        "Document!B2": ["not a whole number"],
    }


def test_missing_required_sheet_and_not_a_workbook(steel_book, tmp_path):
    _edit(steel_book, lambda b: b.remove(b["Goods"]))
    assert _errors(steel_book) == {"Goods": ["missing sheet"]}
    with pytest.raises(ModelValidationError, match=r"not a readable \.xlsx workbook"):
        read_input_xlsx(b"this is not a zip file")
