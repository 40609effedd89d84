"""Flat bills of materials: CSV/XLSX to models, with every error at the row the user sees."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from lca_models.bom import load_model_upload, model_from_bom, read_bom_csv, read_bom_xlsx
from lca_models.errors import ModelValidationError
from lca_models.inventory_schema import load_model, load_model_file
from tests.lca_models.models import BASE_EXPECTED, HGV, NATURAL_GAS_TJ, PP, SOUTH_GRID

REPO = Path(__file__).resolve().parents[2]
LED_CSV = REPO / "examples" / "bom" / "led_lamp_bom.csv"
LED_XLSX = REPO / "examples" / "bom" / "led_lamp_bom.xlsx"
LED_YAML = REPO / "examples" / "models" / "led_lamp.yaml"

HEADER = """\
# product_name: Injection-moulded housing
# declared_unit: item
# boundary: cradle-to-gate
# reference_process: moulding
"""
COLUMNS = ("stage,process,output_amount,output_unit,kind,ref,amount,unit,"
           "mass,mass_unit,distance,distance_unit,primary,comment")
# tests/lca_models/models.py BASE as a BOM: column header on line 5, data rows on lines 6-10.
ROWS = [
    f"raw_materials,resin,1,kg,factor,{PP},1.0,kg,,,,,,",
    f",resin,,,transport,{HGV},,,1,kg,150,km,,",
    f"production,moulding,1,item,factor,{SOUTH_GRID},1.2,kWh,,,,,yes,",
    ",moulding,,,process,resin,250,g,,,,,,",
    f",moulding,,,factor,{NATURAL_GAS_TJ},10,MJ,,,,,,",
]
FIRST = 6  # line of ROWS[0]


def bom_csv(rows: list[str] | None = None, header: str = HEADER, columns: str = COLUMNS) -> str:
    return header + columns + "\n" + "\n".join(ROWS if rows is None else rows) + "\n"


def with_row(index: int, row: str) -> str:
    rows = list(ROWS)
    rows[index] = row
    return bom_csv(rows)


def upload_errors(text: str, filename: str = "bom.csv") -> dict[str, list[str]]:
    with pytest.raises(ModelValidationError) as info:
        load_model_upload(filename, text.encode())
    return info.value.errors


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# ---- Round trips ------------------------------------------------------------------------------


def test_csv_bom_builds_the_same_model_as_the_dict(compute):
    model = load_model_upload("housing.csv", bom_csv().encode())
    assert [p.id for p in model.processes] == ["resin", "moulding"]
    assert model.process("moulding").inputs[0].primary is True
    assert model.process("resin").transport[0].distance.amount == 150
    assert compute(model).kg_co2e_per_declared_unit == pytest.approx(BASE_EXPECTED, rel=1e-9)


def test_led_lamp_csv_and_xlsx_give_the_same_model():
    from_csv = load_model_upload(LED_CSV.name, LED_CSV.read_bytes())
    from_xlsx = load_model_upload(LED_XLSX.name, LED_XLSX.read_bytes())
    assert from_csv == from_xlsx
    assert [p.stage for p in from_csv.processes] == [
        "raw_materials", "raw_materials", "raw_materials", "production", "distribution", "use",
        "end_of_life"]
    use = from_csv.process("use_phase").inputs[1]
    assert use.formula == "8.5 * 15000 / 1000" and use.amount == pytest.approx(127.5)
    assert from_csv.process("lamp_assembly").emissions[0].primary is False
    assert str(from_csv.reference_period_end) == "2024-12-31"
    assert from_csv.product.hs_code == "853952"


def test_led_lamp_bom_computes_to_the_yaml_total(compute):
    yaml_total = compute(load_model_file(LED_YAML)).kg_co2e_per_declared_unit
    for path in (LED_CSV, LED_XLSX):
        bom_total = compute(load_model_upload(path.name, path.read_bytes()))
        assert bom_total.kg_co2e_per_declared_unit == pytest.approx(yaml_total, rel=1e-12)


def test_yaml_and_json_uploads_are_read_as_models():
    assert load_model_upload("LED.YAML", LED_YAML.read_bytes()).reference_process == "disposal"
    with pytest.raises(ModelValidationError) as info:
        load_model_upload("model.json", b"{not json")
    assert "malformed JSON" in info.value.errors["_schema"][0]


def test_row_numbers_count_comment_lines():
    header, rows = read_bom_csv(bom_csv())
    assert header["boundary"] == "cradle-to-gate"
    assert [r["_row"] for r in rows] == list(range(FIRST, FIRST + len(ROWS)))


def test_excel_saved_csv_with_padded_and_split_comment_lines():
    text = ("\ufeff# product_name: Housing, grey,,,\n"
            '"# notes: a, b",,\n'
            "# free comment without a key\n"
            "\n" + COLUMNS + "\n" + ROWS[0] + "\n# a commented-out row\n\n" + ROWS[1] + "\n")
    header, rows = read_bom_csv(text)
    assert header == {"product_name": "Housing, grey", "notes": "a, b"}
    assert [r["_row"] for r in rows] == [6, 9]


def test_carried_values_table_order_and_stage_grouping():
    rows = [
        "production,moulding,1,item,process,resin,250,g,,,,,,",
        f"raw_materials,resin,1,kg,factor,{PP},1,kg,,,,,,",
        f",moulding,1,item,factor,{SOUTH_GRID},1.2,kWh,,,,,,",
        "raw_materials,pigment,1,kg,,,,,,,,,,",  # output only, no exchanges
        f"raw_materials,resin,,,factor,{NATURAL_GAS_TJ},1,MJ,,,,,,",
    ]
    model = model_from_bom(*read_bom_csv(bom_csv(rows)))
    stages = model["stages"]
    assert [s["stage"] for s in stages] == ["production", "raw_materials"]
    assert [p["id"] for p in stages[1]["processes"]] == ["resin", "pigment"]
    assert [i.get("factor") or i.get("process") for i in stages[0]["processes"][0]["inputs"]] == [
        "resin", SOUTH_GRID]
    assert len(stages[1]["processes"][0]["inputs"]) == 2
    assert "inputs" not in stages[1]["processes"][1]


@pytest.mark.parametrize(("cell", "expected"), [
    ("true", True), ("Yes", True), ("1", True), ("FALSE", False), ("no", False), ("0", False),
    ("", None)])
def test_primary_values(cell, expected):
    model = model_from_bom(*read_bom_csv(with_row(0, f"raw_materials,resin,1,kg,factor,{PP},1.0,"
                                                      f"kg,,,,,{cell},")))
    assert model["stages"][0]["processes"][0]["inputs"][0].get("primary") is expected


def test_xlsx_first_sheet_without_model_sheet_name_and_excel_types():
    table = [c.split(",") for c in [COLUMNS, *ROWS]]
    table = [[None if v == "" else v for v in row] for row in table]
    table[1][6] = 1  # a number cell
    table[3][12] = True  # an Excel boolean
    data = xlsx_bytes({"Sheet1": [[None], *table],  # the table starts on Excel row 2
                       "model": [["product_name", "Housing"], ["declared_unit", "item"],
                                 ["boundary", "cradle-to-gate"], ["reference_process", "moulding"],
                                 ["declared_unit_amount", 1]]})
    header, rows = read_bom_xlsx(data)
    assert header["declared_unit_amount"] == "1"
    assert rows[0]["_row"] == 3
    model = load_model_upload("housing.xlsx", data)
    assert model.process("moulding").inputs[0].primary is True


# ---- Structural errors ------------------------------------------------------------------------


def test_missing_and_unknown_header_keys():
    header = HEADER.replace("# boundary: cradle-to-gate\n", "# colour: grey\n")
    errors = upload_errors(bom_csv(header=header))
    assert set(errors) == {"bom.header.boundary", "bom.header.colour"}
    assert errors["bom.header.boundary"] == ["required"]


def test_repeated_header_key_is_an_error():
    errors = upload_errors(bom_csv(header=HEADER + "# boundary: gate-to-gate\n"))
    assert errors == {"bom.header.boundary": ["given more than once"]}


def test_missing_required_column():
    columns = COLUMNS.replace(",unit,", ",units,")
    errors = upload_errors(bom_csv(columns=columns))
    assert set(errors) == {"bom.columns.unit", "bom.columns.units"}
    assert errors["bom.columns.unit"] == ["required column is missing"]


def test_unknown_kind_names_the_spreadsheet_row():
    errors = upload_errors(with_row(2, f"production,moulding,1,item,fuel,{SOUTH_GRID},1.2,kWh,"
                                       ",,,,,"))
    assert list(errors) == [f"bom.rows[{FIRST + 2}].kind"]
    assert "'fuel' is not a kind" in errors[f"bom.rows[{FIRST + 2}].kind"][0]


def test_non_number_amounts():
    rows = list(ROWS)
    rows[0] = f"raw_materials,resin,1,kg,factor,{PP},1.0 kg,kg,,,,,,"
    rows[1] = f",resin,,,transport,{HGV},,,1,kg,far,km,,"
    errors = upload_errors(bom_csv(rows))
    assert set(errors) == {f"bom.rows[{FIRST}].amount", f"bom.rows[{FIRST + 1}].distance"}
    assert "not a number" in errors[f"bom.rows[{FIRST}].amount"][0]


def test_formula_of_numbers_is_kept_as_formula():
    model = load_model_upload("b.csv", with_row(3, ",moulding,,,process,resin,1000 / 4,g,,,,,,"
                                                ).encode())
    inp = model.process("moulding").inputs[1]
    assert inp.amount == 250 and inp.formula == "1000 / 4"


def test_conflicting_process_output_on_a_later_row():
    errors = upload_errors(with_row(3, ",moulding,2,item,process,resin,250,g,,,,,,"))
    path = f"bom.rows[{FIRST + 3}].output_amount"
    assert list(errors) == [path]
    assert f"(row {FIRST + 2})" in errors[path][0]


def test_all_errors_are_collected():
    rows = list(ROWS)
    rows[0] = f"raw_materials,resin,1,kg,factory,{PP},1.0,kg,,,,,,"
    rows[2] = f"production,moulding,1,item,factor,{SOUTH_GRID},lots,kWh,,,,,maybe,"
    rows[3] = "production,moulding,1,box,process,resin,250,g,,,,,,"
    rows[4] = f",moulding,,,factor,{NATURAL_GAS_TJ},10,MJ,5,kg,,,,"
    errors = upload_errors(bom_csv(rows, header=HEADER.replace("# declared_unit: item\n", "")))
    first = FIRST - 1  # one header line fewer
    assert set(errors) == {
        "bom.header.declared_unit",
        f"bom.rows[{first}].kind",
        f"bom.rows[{first + 2}].amount", f"bom.rows[{first + 2}].primary",
        f"bom.rows[{first + 3}].output_unit",
        f"bom.rows[{first + 4}].mass", f"bom.rows[{first + 4}].mass_unit",
    }


def test_missing_cells_of_an_exchange_and_of_a_process():
    rows = [
        f"raw_materials,resin,,kg,factor,{PP},,kg,,,,,,",
        f",resin,,,transport,{HGV},,,1,kg,150,,,",
        ",,,,factor,x,1,kg,,,,,,",
        ",moulding,,,,,,,,,,,,",
    ]
    errors = upload_errors(bom_csv(rows))
    assert set(errors) == {
        f"bom.rows[{FIRST}].output_amount", f"bom.rows[{FIRST}].amount",
        f"bom.rows[{FIRST + 1}].distance_unit", f"bom.rows[{FIRST + 2}].process",
        f"bom.rows[{FIRST + 3}].stage", f"bom.rows[{FIRST + 3}].output_amount",
        f"bom.rows[{FIRST + 3}].output_unit",
    }


def test_value_beyond_the_named_columns_is_an_error():
    errors = upload_errors(with_row(3, ",moulding,,,process,resin,250,g,,,,,,,stray"))
    assert errors == {f"bom.rows[{FIRST + 3}]": ["value 'stray' is in a column without a name"]}


def test_ref_without_kind_is_an_error():
    errors = upload_errors(with_row(4, f",moulding,,,,{NATURAL_GAS_TJ},10,MJ,,,,,,"))
    assert list(errors) == [f"bom.rows[{FIRST + 4}].kind"]


def test_empty_table_and_no_table():
    assert upload_errors(bom_csv([])) == {"bom.rows": ["the table has no rows"]}
    assert "no table found" in upload_errors(HEADER)["bom"][0]


def test_xlsx_errors_use_excel_row_numbers():
    table = [c.split(",") for c in [COLUMNS, *ROWS]]
    table[3][4] = "fuel"
    data = xlsx_bytes({"model": [["key", "value"], ["product_name", "Housing"],
                                 ["declared_unit", "item"], ["boundary", "cradle-to-gate"],
                                 ["reference_process", "moulding"]],
                       "bom": table})
    with pytest.raises(ModelValidationError) as info:
        load_model_upload("housing.xlsx", data)
    assert list(info.value.errors) == ["bom.rows[4].kind"]


# ---- load_model errors mapped back to the BOM -------------------------------------------------


def test_unit_error_maps_to_the_row():
    errors = upload_errors(with_row(3, ",moulding,,,process,resin,250,kwh/kg,,,,,,"))
    assert errors == {f"bom.rows[{FIRST + 3}].unit": ["'kwh/kg' is not a known unit"]}


def test_reference_errors_map_to_ref_and_header():
    text = with_row(3, ",moulding,,,process,rezin,250,g,,,,,,").replace(
        "reference_process: moulding", "reference_process: molding")
    errors = upload_errors(text)
    assert set(errors) == {f"bom.rows[{FIRST + 3}].ref", "bom.header.reference_process"}


def test_unit_mismatch_against_the_process_output_maps_to_unit():
    errors = upload_errors(with_row(3, ",moulding,,,process,resin,250,kWh,,,,,,"))
    assert list(errors) == [f"bom.rows[{FIRST + 3}].unit"]


def test_transport_and_emission_errors_map_to_their_cells():
    rows = [*ROWS, ",moulding,,,emission,co2_fossile,-1,kg,,,,,,"]
    rows[1] = f",resin,,,transport,{HGV},,,1,l,150,kg,,"
    errors = upload_errors(bom_csv(rows))
    assert set(errors) == {
        f"bom.rows[{FIRST + 1}].mass_unit", f"bom.rows[{FIRST + 1}].distance_unit",
        f"bom.rows[{FIRST + 5}].ref", f"bom.rows[{FIRST + 5}].amount"}


def test_stage_error_maps_to_the_row_that_gave_the_stage():
    rows = list(ROWS)
    rows[2] = f",moulding,1,item,factor,{SOUTH_GRID},1.2,kWh,,,,,,"
    rows[3] = "manufacturing,moulding,,,process,resin,250,g,,,,,,"
    errors = upload_errors(bom_csv(rows))
    assert list(errors) == [f"bom.rows[{FIRST + 3}].stage"]


def test_stage_outside_the_boundary_maps_to_the_stage_cell():
    errors = upload_errors(with_row(0, f"use,resin,1,kg,factor,{PP},1.0,kg,,,,,,"))
    assert list(errors) == [f"bom.rows[{FIRST}].stage"]


def test_output_error_maps_to_the_row_that_gave_the_output():
    rows = list(ROWS)
    rows[2] = f"production,moulding,,item,factor,{SOUTH_GRID},1.2,kWh,,,,,,"
    rows[3] = ",moulding,0,,process,resin,250,g,,,,,,"
    errors = upload_errors(bom_csv(rows))
    assert list(errors) == [f"bom.rows[{FIRST + 3}].output_amount"]


def test_header_errors_map_to_header_keys():
    text = bom_csv().replace("# boundary: cradle-to-gate", "# boundary: cradle-to-grave\n"
                             "# gtin: 12345678\n# reference_period_start: 2025-13-01\n"
                             "# reference_period_end: 2025-12-31")
    errors = upload_errors(text)
    assert set(errors) == {"bom.header.gtin", "bom.header.reference_period_start"}


def test_unmappable_paths_are_kept():
    from lca_models.bom import to_bom_paths

    errors = {"exclusions": ["x"], "stages[9].processes[0].inputs[0].unit": ["y"],
              "boundary": ["z"]}
    assert to_bom_paths(errors, {}) == {
        "exclusions": ["x"], "stages[9].processes[0].inputs[0].unit": ["y"],
        "bom.header.boundary": ["z"]}


def test_model_from_bom_output_passes_load_model():
    model = load_model(model_from_bom(*read_bom_csv(bom_csv())))
    assert model.reference_process == "moulding"


# ---- File problems ----------------------------------------------------------------------------


@pytest.mark.parametrize(("filename", "content", "fragment"), [
    ("bom.csv", b"\xff\xfe\x00bad", "not UTF-8"),
    ("model.yaml", b"name: \xe9", "not UTF-8"),
    ("bom.xls", b"anything", "unsupported file type"),
    ("bom", b"anything", "unsupported file type"),
    ("bom.xlsx", b"not a zip", "not a readable .xlsx"),
])
def test_file_problems_name_the_file(filename, content, fragment):
    with pytest.raises(ModelValidationError) as info:
        load_model_upload(filename, content)
    assert list(info.value.errors) == ["file"]
    assert fragment in info.value.errors["file"][0]


def test_column_and_key_names_may_carry_a_label_in_brackets():
    from lca_models.bom import read_bom_csv

    header, rows = read_bom_csv(
        "# product_name (产品名称 / Product name): Lamp\n"
        "# boundary（系统边界）: cradle-to-gate\n"
        "stage (阶段 / Stage),process（过程）,kind,ref,amount,unit\n"
        "production,a,factor,x.y,1,kg\n")
    assert header == {"product_name": "Lamp", "boundary": "cradle-to-gate"}
    assert rows[0]["stage"] == "production" and rows[0]["process"] == "a"
