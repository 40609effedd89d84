"""Bill-of-materials templates to download: CSV and XLSX with Chinese and English headers.

Each column and header key keeps the machine name the reader (`lca_models.bom`) needs and
carries, in brackets, its label in Chinese (the reader's script: Simplified, or Traditional
for a zh-Hant reader) and English: `stage (生命周期阶段 / Life-cycle stage)`. The reader drops
the bracket, so a filled-in template uploads as it is. The example rows are a small real
model (real factor ids) that passes validation, to be overwritten. The page passes the
reader's script (`Hans` or `Hant`); the words come from the catalogues through
app/services/doc_language.py.
"""

from __future__ import annotations

import csv
import io

from app.services.doc_language import N_, chinese
from lca_models.bom import COLUMNS
from lca_models.inert import inert_text, new_workbook, set_text_cell

COLUMN_LABELS = {
    "stage": N_("Life-cycle stage"), "process": N_("Process id"),
    "process_name": N_("Process name"), "output_amount": N_("Output amount"),
    "output_unit": N_("Output unit"), "kind": N_("factor, process, emission or transport"),
    "ref": N_("Factor id, process id or gas"), "amount": N_("Amount"), "unit": N_("Unit"),
    "mass": N_("Transported mass"), "mass_unit": N_("Mass unit"), "distance": N_("Distance"),
    "distance_unit": N_("Distance unit"), "primary": N_("Primary data, true or false"),
    "comment": N_("Comment"),
}
HEADER_LABELS = {
    "product_name": N_("Product name in English"),
    "product_name_zh": N_("Product name in Chinese"),
    "hs_code": N_("HS code"), "declared_unit_amount": N_("Declared unit amount"),
    "declared_unit": N_("Declared unit"), "boundary": N_("System boundary"),
    "reference_process": N_("Reference process id"),
}
EXAMPLE_HEADER = {
    "product_name": "Example product (replace)", "product_name_zh": "示例产品", "hs_code": "392690",
    "declared_unit_amount": "1", "declared_unit": "item", "boundary": "cradle-to-gate",
    "reference_process": "assembly",
}
EXAMPLE_ROWS = [
    {"stage": "raw_materials", "process": "parts", "process_name": "Purchased parts",
     "output_amount": "1", "output_unit": "kg", "kind": "factor",
     "ref": "material.plastic.pp.primary.desnz.2025", "amount": "1", "unit": "kg"},
    {"stage": "production", "process": "assembly", "process_name": "Assembly",
     "output_amount": "1", "output_unit": "item", "kind": "factor",
     "ref": "electricity.cn-south-grid.co2.2022", "amount": "0.5", "unit": "kWh",
     "primary": "true"},
    {"process": "assembly", "kind": "process", "ref": "parts", "amount": "200", "unit": "g"},
]


def _label(name: str, labels: dict[str, str], script: str) -> str:
    if name not in labels:
        return name
    en = labels[name]  # the catalogue id is the English
    return f"{name} ({chinese(script)(en)} / {en})"


def cbam_xlsx(script: str = "Hans") -> bytes:
    """The blank CBAM input workbook (the layout `lca_models.cbam_xlsx` reads back; its
    headings are English only, so `script` is not used)."""
    import tempfile
    from pathlib import Path

    from lca_models.cbam_xlsx import write_input_xlsx

    with tempfile.TemporaryDirectory() as folder:
        return write_input_xlsx(None, Path(folder) / "cbam-input.xlsx").read_bytes()


def bom_csv(script: str = "Hans") -> bytes:
    out = io.StringIO()
    for key, value in EXAMPLE_HEADER.items():
        out.write(f"# {_label(key, HEADER_LABELS, script)}: {value}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_label(c, COLUMN_LABELS, script) for c in COLUMNS])
    for row in EXAMPLE_ROWS:
        writer.writerow([inert_text(row.get(c, "")) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")  # with a BOM, so Excel reads it as UTF-8


def bom_xlsx(script: str = "Hans") -> bytes:
    book, model = new_workbook()  # openpyxl only when a workbook is asked for
    model.title = "model"
    model.append(["key", "value"])
    for key, value in EXAMPLE_HEADER.items():
        model.append([None, None])
        set_text_cell(model.cell(model.max_row, 1), _label(key, HEADER_LABELS, script))
        set_text_cell(model.cell(model.max_row, 2), value)
    sheet = book.create_sheet("bom")
    sheet.append([None] * len(COLUMNS))
    for n, column in enumerate(COLUMNS, start=1):
        set_text_cell(sheet.cell(1, n), _label(column, COLUMN_LABELS, script))
    for row in EXAMPLE_ROWS:
        sheet.append([None] * len(COLUMNS))
        for n, column in enumerate(COLUMNS, start=1):
            value = row.get(column, "")
            number = _number(value)
            set_text_cell(sheet.cell(sheet.max_row, n), number if number is not None
                          else (value or None))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
