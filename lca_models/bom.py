"""Flat bills of materials (CSV or Excel) read as inventory models.

Exporters keep a product's inventory as a spreadsheet, one row per exchange, long before anyone
writes YAML. This module turns such a table into the documented model dict, so the very same
validation (`inventory_schema.load_model`) applies, and reports every problem at the cell the
user can see (`bom.rows[7].unit`: row 7 as numbered in Excel or a text editor) instead of at a
model path (`stages[0].processes[1].inputs[0].unit`) they never wrote.

The flat format covers products, processes, stages and their exchanges; parameters,
co-products/allocation, locations, exclusions and data-quality overrides need YAML or JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from lca_models.errors import ModelValidationError
from lca_models.inventory import InventoryModel
from lca_models.inventory_schema import load_model, parse_model_text
from lca_models.parameters import FormulaProblem, evaluate
from lca_models.safe_load import csv_records
from lca_models.safe_xlsx import BoundedWorkbook, open_workbook

HEADER_KEYS: tuple[str, ...] = (
    "product_name", "product_name_zh", "gtin", "hs_code", "cn_code", "declared_unit_amount",
    "declared_unit", "product_mass_amount", "product_mass_unit", "boundary",
    "reference_process", "reference_period_start", "reference_period_end", "currency", "notes",
)
REQUIRED_HEADER_KEYS: tuple[str, ...] = (
    "product_name", "declared_unit", "boundary", "reference_process")
COLUMNS: tuple[str, ...] = (
    "stage", "process", "process_name", "output_amount", "output_unit", "kind", "ref", "amount",
    "unit", "mass", "mass_unit", "distance", "distance_unit", "primary", "comment",
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "stage", "process", "output_amount", "output_unit", "kind", "ref", "amount", "unit")
KINDS: tuple[str, ...] = ("factor", "process", "emission", "transport")
#: Key under which the readers keep each row's spreadsheet row number.
ROW = "_row"

_HEADER_LINE = re.compile(r"^#\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:[(（][^)）:]*[)）])?\s*:(.*)$")
#: a column or key name may carry a label for people in brackets: `stage (阶段)`, `ref（编号）`
_LABEL = re.compile(r"\s*[(（][^)）]*[)）]\s*$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_AMOUNT_COLUMNS = ("amount", "unit")
_TRANSPORT_COLUMNS = ("mass", "mass_unit", "distance", "distance_unit")
# Per-process values given once (on any row, usually the first) and carried to later rows.
_CARRIED = ("stage", "process_name", "output_amount", "output_unit")
_LIST_OF_KIND = {"factor": "inputs", "process": "inputs", "emission": "emissions",
                 "transport": "transport"}

# Model field (below an exchange / process / stage / the root) -> the BOM cell it came from.
_EXCHANGE_CELLS = {
    "factor": "ref", "process": "ref", "gas": "ref", "amount": "amount", "unit": "unit",
    "primary": "primary", "comment": "comment", "mass": "mass", "mass.amount": "mass",
    "mass.unit": "mass_unit", "distance": "distance", "distance.amount": "distance",
    "distance.unit": "distance_unit",
}
_PROCESS_CELLS = {"id": "process", "name": "process_name", "output": "output_amount",
                  "output.amount": "output_amount", "output.unit": "output_unit"}
_STAGE_CELLS = {"stage": "stage"}
_HEADER_CELLS = {
    "product": "product_name", "product.name": "product_name",
    "product.name_zh": "product_name_zh", "product.gtin": "gtin", "product.hs_code": "hs_code",
    "product.cn_code": "cn_code", "declared_unit": "declared_unit_amount",
    "declared_unit.amount": "declared_unit_amount", "declared_unit.unit": "declared_unit",
    "product_mass": "product_mass_amount", "product_mass.amount": "product_mass_amount",
    "product_mass.unit": "product_mass_unit", "boundary": "boundary",
    "reference_process": "reference_process", "reference_period": "reference_period_start",
    "reference_period.start": "reference_period_start",
    "reference_period.end": "reference_period_end", "currency": "currency", "notes": "notes",
}


# ---- Readers ----------------------------------------------------------------------------------


def read_bom_csv(text: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Header fields and table rows of a CSV bill of materials.

    Leading `# key: value` lines are header fields; other leading `#` lines are free comments.
    Lines are parsed as CSV even before the table, because Excel pads every line it saves
    with commas (`# notes: a, b,,,`) and splits a comment at its commas. Each row dict carries
    its line number under `ROW`, comment lines counted, so messages match a text editor.
    """
    header: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    columns: list[str] | None = None
    rows: list[dict[str, Any]] = []
    for line, cells in _csv_records(text):
        if not any(c.strip() for c in cells):
            continue
        commented = cells[0].strip().startswith("#")
        if columns is None and commented:
            _add_header_line(_join_cells(cells), header, errors)
        elif columns is None:
            columns = _column_names(cells, errors)
        elif not commented:
            rows.append(_row_dict(columns, cells, line))
    if columns is None:
        _fail(errors, "bom", "no table found: expected a row of column names after the "
                             "'# key: value' header lines")
    if errors:
        raise ModelValidationError(errors)
    return header, rows


def read_bom_xlsx(data: bytes) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Header fields (sheet `model`) and table rows (sheet `bom`, else the first other sheet).

    Cells keep their Excel types (numbers stay numbers); each row dict carries its Excel row
    number under `ROW`.
    """
    with open_workbook(data) as book:
        return _xlsx_book(book)


def _xlsx_book(book: BoundedWorkbook) -> tuple[dict[str, str], list[dict[str, Any]]]:
    names = {name.strip().lower(): name for name in book.sheetnames}
    errors: dict[str, list[str]] = {}
    header: dict[str, str] = {}
    if "model" in names:
        header = _xlsx_header((cells for _, cells in book.rows(names["model"])), errors)
    table_name = names.get("bom") or next((n for n in book.sheetnames
                                           if n.strip().lower() != "model"), None)
    if table_name is None:
        _fail(errors, "bom", "the workbook has no 'bom' sheet")
        raise ModelValidationError(errors)
    rows = _xlsx_rows((cells for _, cells in book.rows(table_name)), errors)
    if errors:
        raise ModelValidationError(errors)
    return header, rows


def _csv_records(text: str) -> Iterable[tuple[int, list[str]]]:
    """CSV records with the line each starts on (a quoted cell may span lines), within the
    row, column and cell limits (`safe_load.csv_records`)."""
    return csv_records(text)


def _join_cells(cells: Sequence[str]) -> str:
    """Undo Excel's splitting of a comment line at commas and its trailing padding."""
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()
    return ",".join(cells)


def _add_header_line(text: str, header: dict[str, str], errors: dict[str, list[str]]) -> None:
    match = _HEADER_LINE.match(text.strip())
    if match:
        _add_header_field(match[1], match[2], header, errors)


def _add_header_field(key: str, value: str, header: dict[str, str],
                      errors: dict[str, list[str]]) -> None:
    """Repeated `notes` lines are joined (long notes); any other repeated key is ambiguous."""
    key, value = _bare(key).lower(), value.strip()
    if key not in header:
        header[key] = value
    elif key == "notes":
        header[key] = f"{header[key]} {value}".strip()
    else:
        _fail(errors, f"bom.header.{key}", "given more than once")


def _bare(name: str) -> str:
    """The column or key name without the bracketed label templates add for people."""
    return _LABEL.sub("", name).strip()


def _column_names(cells: Sequence[Any], errors: dict[str, list[str]]) -> list[str]:
    names = [_bare(_text(c)).lower() for c in cells]
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        _fail(errors, f"bom.columns.{name}", "column appears more than once")
    return names


def _row_dict(columns: Sequence[str], cells: Sequence[Any], row: int) -> dict[str, Any]:
    """Cells by column name; a filled cell beyond the named columns is kept under ''."""
    out: dict[str, Any] = {name: None for name in columns if name}
    for i, value in enumerate(cells):
        name = columns[i] if i < len(columns) else ""
        if isinstance(value, str):
            value = value.strip()
        if name:
            out[name] = value
        elif not _is_empty(value):
            out.setdefault("", value)
    out[ROW] = row
    return out


def _xlsx_header(rows: Iterable[Sequence[Any]], errors: dict[str, list[str]]) -> dict[str, str]:
    header: dict[str, str] = {}
    for cells in rows:
        key = _text(cells[0]) if cells else ""
        value = _text(cells[1]) if len(cells) > 1 else ""
        if not key or key.startswith("#") or (key.lower() == "key" and value.lower() == "value"):
            continue
        _add_header_field(key, value, header, errors)
    return header


def _xlsx_rows(rows: Iterable[Sequence[Any]], errors: dict[str, list[str]]
               ) -> list[dict[str, Any]]:
    columns: list[str] | None = None
    out: list[dict[str, Any]] = []
    for number, cells in enumerate(rows, start=1):
        if all(_is_empty(c) for c in cells):
            continue
        if columns is None:
            columns = _column_names(cells, errors)
        elif not _text(cells[0]).startswith("#"):
            out.append(_row_dict(columns, cells, number))
    if columns is None:
        _fail(errors, "bom", "the bom sheet is empty: expected a row of column names")
    return out


# ---- Building the model -----------------------------------------------------------------------


def model_from_bom(header: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
                   ) -> dict[str, Any]:
    """The model dict in the documented schema; ModelValidationError lists every BOM problem.

    Only what the flat format itself gets wrong is checked here (missing keys and columns,
    unknown kinds, non-numbers, conflicting process outputs); everything else is left to
    `load_model`, whose paths `load_model_upload` maps back to rows.
    """
    model, _ = _BomBuilder(header, rows).build()
    return model


def load_model_upload(filename: str, content: bytes) -> InventoryModel:
    """A validated model from an uploaded file: YAML/JSON as-is, CSV/XLSX as a BOM."""
    return _upload(filename, content)[2]


def parse_upload(filename: str, content: bytes) -> tuple[dict[str, Any], str]:
    """The uploaded model as plain data (what a service stores) and its source format,
    validated exactly as `load_model_upload` does."""
    data, fmt, _ = _upload(filename, content)
    return data, fmt


def _upload(filename: str, content: bytes) -> tuple[dict[str, Any], str, InventoryModel]:
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        fmt = "json" if suffix == ".json" else "yaml"
        data = parse_model_text(_decode(content), fmt)
        return data, fmt, load_model(data)
    if suffix == ".csv":
        header, rows = read_bom_csv(_decode(content))
    elif suffix == ".xlsx":
        header, rows = read_bom_xlsx(content)
    else:
        raise ModelValidationError({"file": f"'{filename}': unsupported file type; upload "
                                            ".yaml, .yml, .json, .csv or .xlsx"})
    model, cells = _BomBuilder(header, rows).build()
    try:
        return model, suffix[1:], load_model(model)
    except ModelValidationError as exc:
        raise ModelValidationError(to_bom_paths(exc.errors, cells)) from None


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelValidationError({"file": f"not UTF-8 text (byte {exc.start}); save the file "
                                            "as UTF-8 ('CSV UTF-8' in Excel)"}) from None


@dataclass
class _Process:
    id: str
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)  # carried values, parsed
    given_on: dict[str, int] = field(default_factory=dict)  # row each carried value came from
    exchanges: dict[str, list[tuple[int, dict[str, Any]]]] = field(
        default_factory=lambda: {"inputs": [], "emissions": [], "transport": []})


@dataclass(frozen=True)
class _Cell:
    """Where a model element came from: its BOM row and model-field -> column names."""

    row: int
    columns: Mapping[str, str]


class _BomBuilder:
    def __init__(self, header: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]):
        self.header = {str(k).strip().lower(): _text(v) for k, v in header.items()}
        self.rows = rows
        self.errors: dict[str, list[str]] = {}
        self.processes: dict[str, _Process] = {}

    def fail(self, path: str, message: str) -> None:
        _fail(self.errors, path, message)

    def build(self) -> tuple[dict[str, Any], dict[str, _Cell]]:
        """The model dict and, by model path prefix, the BOM cells each element came from."""
        model = self.model_header()
        if self.check_columns():
            for index, row in enumerate(self.rows):
                self.add_row(row, int(row.get(ROW) or index + 2))
        stages, cells = self.stages()
        if self.errors:
            raise ModelValidationError(self.errors)
        model["stages"] = stages
        return model, cells

    # -- header

    def model_header(self) -> dict[str, Any]:
        h = self.header
        for key in h:
            if key not in HEADER_KEYS:
                self.fail(f"bom.header.{key}", f"unknown header key (known: "
                                               f"{', '.join(HEADER_KEYS)})")
        for key in REQUIRED_HEADER_KEYS:
            if not h.get(key):
                self.fail(f"bom.header.{key}", "required")
        product = {"name": h.get("product_name", "")}
        for key, name in (("product_name_zh", "name_zh"), ("gtin", "gtin"),
                          ("hs_code", "hs_code"), ("cn_code", "cn_code")):
            if h.get(key):
                product[name] = h[key]
        model: dict[str, Any] = {
            "schema_version": 1, "product": product,
            "declared_unit": {"amount": self.header_amount("declared_unit_amount", 1.0),
                              "unit": h.get("declared_unit", "")},
            "boundary": h.get("boundary", ""), "reference_process": h.get("reference_process", ""),
        }
        mass = self.header_pair("product_mass_amount", "product_mass_unit")
        if mass:
            model["product_mass"] = {"amount": self.header_amount("product_mass_amount"),
                                     "unit": mass[1]}
        period = self.header_pair("reference_period_start", "reference_period_end")
        if period:
            model["reference_period"] = {"start": period[0], "end": period[1]}
        for key in ("currency", "notes"):
            if h.get(key):
                model[key] = h[key]
        return model

    def header_amount(self, key: str, default: float | None = None) -> float | str | None:
        value = _amount(self.header.get(key), f"bom.header.{key}", self.errors)
        return default if value is None else value

    def header_pair(self, first: str, second: str) -> tuple[str, str] | None:
        """Both values, or None; one without the other is an error, not a half-filled field."""
        a, b = self.header.get(first, ""), self.header.get(second, "")
        if a and b:
            return a, b
        if a or b:
            missing = second if a else first
            self.fail(f"bom.header.{missing}", f"required when {first if a else second} "
                                               "is given")
        return None

    # -- rows

    def check_columns(self) -> bool:
        """Report unknown and missing columns; rows are only read when none is missing, since
        a missing column would otherwise be reported again on every row."""
        if not self.rows:  # the columns are only known from the rows
            self.fail("bom.rows", "the table has no rows")
            return False
        present = {k for row in self.rows for k in row if k != ROW}
        for name in sorted(present - set(COLUMNS) - {""}):
            self.fail(f"bom.columns.{name}", f"unknown column (known: {', '.join(COLUMNS)})")
        missing = [c for c in REQUIRED_COLUMNS if c not in present]
        for name in missing:
            self.fail(f"bom.columns.{name}", "required column is missing")
        return not missing

    def add_row(self, row: Mapping[str, Any], number: int) -> None:
        at = f"bom.rows[{number}]"
        if not _is_empty(row.get("")):
            self.fail(at, f"value '{_text(row[''])}' is in a column without a name")
        pid = _text(row.get("process"))
        if not pid:
            self.fail(f"{at}.process", "required: the id of the process this row belongs to")
            return
        proc = self.processes.setdefault(pid, _Process(pid, number))
        self.carry(proc, row, number)
        kind = _text(row.get("kind")).lower()
        if not kind:
            filled = [c for c in ("ref", *_AMOUNT_COLUMNS, *_TRANSPORT_COLUMNS)
                      if not _is_empty(row.get(c))]
            if filled:
                self.fail(f"{at}.kind", f"required when {', '.join(filled)} is given "
                                        f"({' | '.join(KINDS)})")
            return
        if kind not in KINDS:
            self.fail(f"{at}.kind", f"'{kind}' is not a kind ({' | '.join(KINDS)})")
            return
        exchange = self.exchange(kind, row, at)
        if exchange is not None:
            proc.exchanges[_LIST_OF_KIND[kind]].append((number, exchange))

    def carry(self, proc: _Process, row: Mapping[str, Any], number: int) -> None:
        for column in _CARRIED:
            raw = row.get(column)
            if _is_empty(raw):
                continue
            path = f"bom.rows[{number}].{column}"
            value = (_amount(raw, path, self.errors) if column == "output_amount"
                     else _text(raw))
            if value is None:
                continue
            if column not in proc.values:
                proc.values[column] = value
                proc.given_on[column] = number
            elif proc.values[column] != value:
                self.fail(path, f"process '{proc.id}' already has {column} "
                                f"'{_show(proc.values[column])}' (row {proc.given_on[column]}); "
                                "give it once or repeat the same value")

    def exchange(self, kind: str, row: Mapping[str, Any], at: str) -> dict[str, Any] | None:
        ref = _text(row.get("ref"))
        if not ref:
            self.fail(f"{at}.ref", f"required: the {_REF_MEANING[kind]}")
        used, unused = ((_TRANSPORT_COLUMNS, _AMOUNT_COLUMNS) if kind == "transport"
                        else (_AMOUNT_COLUMNS, _TRANSPORT_COLUMNS))
        for column in unused:
            if not _is_empty(row.get(column)):
                self.fail(f"{at}.{column}", f"must be empty on a {kind} row (it uses "
                                            f"{', '.join(used)})")
        values: dict[str, Any] = {}
        for column in used:
            values[column] = self.cell(row, column, at, kind)
        primary = _primary(row.get("primary"), f"{at}.primary", self.errors)
        if not ref or any(v is None for v in values.values()):
            return None
        out: dict[str, Any] = {_REF_FIELD[kind]: ref}
        if kind == "transport":
            out["mass"] = {"amount": values["mass"], "unit": values["mass_unit"]}
            out["distance"] = {"amount": values["distance"], "unit": values["distance_unit"]}
        else:
            out.update(values)
        if primary is not None:
            out["primary"] = primary
        comment = _text(row.get("comment"))
        if comment:
            out["comment"] = comment
        return out

    def cell(self, row: Mapping[str, Any], column: str, at: str, kind: str
             ) -> float | str | None:
        raw = row.get(column)
        if _is_empty(raw):
            self.fail(f"{at}.{column}", f"required on a {kind} row")
            return None
        if column in ("amount", "mass", "distance"):
            return _amount(raw, f"{at}.{column}", self.errors)
        return _text(raw)

    # -- stages

    def stages(self) -> tuple[list[dict[str, Any]], dict[str, _Cell]]:
        """Stages in order of first appearance, processes in order of first appearance."""
        by_stage: dict[str, list[_Process]] = {}
        for proc in self.processes.values():
            for column in ("stage", "output_amount", "output_unit"):
                if column not in proc.values:
                    self.fail(f"bom.rows[{proc.first_row}].{column}",
                              f"required on one row of process '{proc.id}'")
            by_stage.setdefault(proc.values.get("stage", ""), []).append(proc)
        stages: list[dict[str, Any]] = []
        cells: dict[str, _Cell] = {}
        for s, (stage, procs) in enumerate(by_stage.items()):
            cells[f"stages[{s}]"] = _Cell(procs[0].given_on.get("stage", procs[0].first_row),
                                          _STAGE_CELLS)
            stages.append({"stage": stage, "processes": [
                self.process_dict(proc, f"stages[{s}].processes[{p}]", cells)
                for p, proc in enumerate(procs)]})
        return stages, cells

    def process_dict(self, proc: _Process, path: str, cells: dict[str, _Cell]
                     ) -> dict[str, Any]:
        cells[path] = _Cell(proc.first_row, _PROCESS_CELLS)
        for field_name, column in (("output.amount", "output_amount"),
                                   ("output.unit", "output_unit"), ("name", "process_name")):
            if column in proc.given_on:
                cells[f"{path}.{field_name}"] = _Cell(proc.given_on[column], {"": column})
        out: dict[str, Any] = {
            "id": proc.id,
            "output": {"amount": proc.values.get("output_amount"),
                       "unit": proc.values.get("output_unit")},
        }
        if proc.values.get("process_name"):
            out["name"] = proc.values["process_name"]
        for name, items in proc.exchanges.items():
            if items:
                out[name] = [exchange for _, exchange in items]
            for i, (row, _) in enumerate(items):
                cells[f"{path}.{name}[{i}]"] = _Cell(row, _EXCHANGE_CELLS)
        return out


_REF_FIELD = {"factor": "factor", "process": "process", "emission": "gas",
              "transport": "factor"}
_REF_MEANING = {"factor": "emission factor id", "process": "id of the process it takes from",
                "emission": "gas code (e.g. co2_fossil, ch4_fossil)",
                "transport": "freight factor id (per tonne-km)"}


# ---- Mapping model paths back to the BOM ------------------------------------------------------


def to_bom_paths(errors: Mapping[str, Sequence[str]], cells: Mapping[str, _Cell]
                 ) -> dict[str, list[str]]:
    """`load_model` errors re-keyed by the BOM cell the field came from, where one is known."""
    out: dict[str, list[str]] = {}
    for path, messages in errors.items():
        out.setdefault(_bom_path(path, cells), []).extend(messages)
    return out


def _bom_path(path: str, cells: Mapping[str, _Cell]) -> str:
    if path in _HEADER_CELLS:
        return f"bom.header.{_HEADER_CELLS[path]}"
    for prefix in _prefixes(path):
        cell = cells.get(prefix)
        if cell is None:
            continue
        rest = path[len(prefix):].lstrip(".")
        column = cell.columns.get(rest)
        if column:
            return f"bom.rows[{cell.row}].{column}"
        return f"bom.rows[{cell.row}]" if not rest else path
    return path


def _prefixes(path: str) -> list[str]:
    """The path itself, then its prefixes ending at an index, longest first: a carried
    output value is found on the row that gave it before the process's first row."""
    cuts = sorted({m.end() for m in re.finditer(r"\]", path)}, reverse=True)
    return [path, *(path[:c] for c in cuts if c < len(path))]


# ---- Cells ------------------------------------------------------------------------------------


def _fail(errors: dict[str, list[str]], path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text; Excel turns 853952 or 2024-01-01 into a number or a datetime."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _amount(value: Any, path: str, errors: dict[str, list[str]]) -> float | str | None:
    """A number, or an arithmetic formula kept as text (a BOM has no parameters to name)."""
    if _is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    text = _text(value)
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None and math.isfinite(number):
        return number
    try:
        evaluate(text, {})
    except FormulaProblem:
        _fail(errors, path, f"'{text}' is not a number or an arithmetic formula of numbers")
        return None
    return text


def _primary(value: Any, path: str, errors: dict[str, list[str]]) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    _fail(errors, path, f"'{_text(value)}' is not true/false/yes/no/1/0")
    return None


__all__ = ["COLUMNS", "HEADER_KEYS", "KINDS", "load_model_upload", "model_from_bom",
           "read_bom_csv", "read_bom_xlsx", "to_bom_paths"]
