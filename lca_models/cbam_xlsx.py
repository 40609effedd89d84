"""A CBAM report input as an Excel workbook, for exporters who keep monitoring data in
spreadsheets rather than YAML.

The workbook has one sheet per section of the input document: `Installation`,
`DefaultValues`, `DataQuality` and `Document` (top-level scalars) as field/value rows;
`SourceStreams`, `Processes`, `Precursors`, `Goods`, `CarbonPrices` as tables with one row
per item; and one table per list inside an item (`ProcessPrecursors`, `CarbonPriceRebates`,
...), whose first column names the parent item (a process by its `id`, a carbon price by its
`name`). Column headers are the schema's field names, nested fields dotted
(`coordinates.latitude`), a good's qualifying parameters as `parameters.<key>`, and a list of
ids (`processes` of a carbon price) as one cell separated by commas.

The layout is derived from `cbam_schema.CbamInputSchema` (and `QUALIFYING_PARAMETERS`) when
first used, so a field added to the schema gets its column without a second list to keep in
step; a new section or list without a sheet name here fails loudly instead of being dropped.

The reader only translates cells to the plain document the YAML loader gets (types, required
cells, unknown sheets and columns); the document is then validated by `load_report_data` like
any other, and every error — including those `compute_report` finds later — is reported at
the cell it came from (`Goods!C5: not a number`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import Any

from marshmallow import Schema, fields, validate
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from lca_models.cbam_data import QUALIFYING_PARAMETERS
from lca_models.cbam_input import CbamInput, load_report_data, locate_errors
from lca_models.cbam_report import save_workbook
from lca_models.cbam_schema import CbamInputSchema
from lca_models.errors import ModelValidationError
from lca_models.inert import restore_text, set_text_cell
from lca_models.safe_xlsx import BoundedWorkbook, open_workbook

#: The sheet of each mapping or list at the top of the input document.
SECTION_SHEETS = {
    "installation": "Installation", "source_streams": "SourceStreams",
    "processes": "Processes", "precursors": "Precursors", "goods": "Goods",
    "carbon_price": "CarbonPrices", "default_values": "DefaultValues",
    "data_quality": "DataQuality",
}
#: Top-level scalars (`schema_version`, `notes`) as field/value rows.
DOCUMENT_SHEET = "Document"
#: Lists of objects inside a section: their own table, one row per element.
CHILD_SHEETS = {
    ("processes", "other_direct_emissions"): "OtherDirectEmissions",
    ("processes", "precursors"): "ProcessPrecursors",
    ("carbon_price", "rebates"): "CarbonPriceRebates",
    ("carbon_price", "evidence"): "CarbonPriceEvidence",
    ("default_values", "values"): "DefaultValueRows",
}
#: How a child row names its parent item: (key column on the child sheet, parent's field).
#: Carbon prices have no id, so their (required) name is the key and must be unique.
PARENT_KEYS = {"processes": ("process", "id"), "carbon_price": ("carbon_price", "name")}
#: Field/value sheets: the header row, and a help column the reader ignores.
FIELD_HEADERS = ("field", "value", "help")

_KIND_HELP = {"text": "text", "number": "number", "integer": "whole number",
              "bool": "TRUE or FALSE", "date": "date (YYYY-MM-DD)",
              "list": "ids separated by commas"}


@dataclass(frozen=True)
class Column:
    """One column of a table (or one row of a field/value sheet)."""

    header: str                 # the field's path inside its item, dotted when nested
    kind: str                   # text | number | integer | bool | date | list
    required: bool              # must be filled whenever its item (or section) is given
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """Where a sheet's rows go in the input document."""

    name: str
    path: tuple[str, ...]       # () for Document, (section,) or (section, list field)
    table: bool                 # one row per item, or field/value rows
    columns: tuple[Column, ...]
    required: bool = False      # the workbook must have this sheet
    key: str | None = None      # child tables of a table: the column naming the parent


@cache
def layout() -> tuple[SheetSpec, ...]:
    """The workbook's sheets in order, derived from the input schema."""
    root = CbamInputSchema()
    sheets: list[SheetSpec] = []
    document: list[Column] = []
    for name, field in root.fields.items():
        if isinstance(field, fields.Nested) or _is_object_list(field):
            if name not in SECTION_SHEETS:
                raise LookupError(f"input section '{name}' has no sheet in cbam_xlsx")
            table = not isinstance(field, fields.Nested)
            schema = field.inner.schema if table else field.schema
            # a table's item, once given, needs its required fields; an optional section not
            columns, children = _columns(schema, name, "", table or field.required)
            sheets.append(SheetSpec(SECTION_SHEETS[name], (name,), table, columns,
                                    field.required))
            for child, child_schema in children:
                sheets.append(_child_sheet(name, child, child_schema, table))
        else:
            document.append(_column(name, field, field.required, None))
    sheets.append(SheetSpec(DOCUMENT_SHEET, (), False, tuple(document)))
    return tuple(sheets)


def _is_object_list(field: fields.Field) -> bool:
    return isinstance(field, fields.List) and isinstance(field.inner, fields.Nested)


def _columns(schema: Schema, section: str, prefix: str, required: bool
             ) -> tuple[tuple[Column, ...], list[tuple[str, Schema]]]:
    """Flatten a schema's fields into dotted columns; lists of objects become child sheets."""
    columns: list[Column] = []
    children: list[tuple[str, Schema]] = []
    for name, field in schema.fields.items():
        header = prefix + name
        needed = required and field.required
        if isinstance(field, fields.Nested):
            nested, deeper = _columns(field.schema, section, header + ".", needed)
            if deeper:
                raise LookupError(f"a list inside '{section}.{header}' has no sheet")
            columns.extend(nested)
        elif _is_object_list(field):
            if prefix:
                raise LookupError(f"a list inside '{section}.{header}' has no sheet")
            children.append((name, field.inner.schema))
        elif isinstance(field, fields.Dict):
            if (section, header) != ("goods", "parameters"):
                raise LookupError(f"free-form field '{section}.{header}' has no columns")
            columns.extend(_parameter_columns(header))
        else:
            columns.append(_column(header, field, needed, section))
    return tuple(columns), children


def _parameter_columns(prefix: str) -> list[Column]:
    """A good's qualifying parameters: one column per key of any sector, in sector order."""
    seen: dict[str, Column] = {}
    for rules in QUALIFYING_PARAMETERS.values():
        for key, rule in rules.items():
            if key in seen:
                continue
            kind = rule if rule in ("text", "bool") else "number"
            extra = "" if isinstance(rule, str) else _range_help(rule[0], rule[1])
            sectors = [s for s, r in QUALIFYING_PARAMETERS.items() if key in r]
            seen[key] = Column(f"{prefix}.{key}", kind, False,
                               f"optional; {_KIND_HELP[kind]}{extra}; for {', '.join(sectors)}"
                               " goods only")
    return list(seen.values())


def _column(header: str, field: fields.Field, required: bool, section: str | None) -> Column:
    if isinstance(field, fields.List):
        if not isinstance(field.inner, fields.String):
            raise LookupError(f"list field '{section}.{header}' has no column type")
        kind = "list"
    elif isinstance(field, fields.Boolean):
        kind = "bool"
    elif isinstance(field, fields.Integer):
        kind = "integer"
    elif isinstance(field, fields.Number):
        kind = "number"
    elif isinstance(field, fields.Date):
        kind = "date"
    elif isinstance(field, fields.String):
        kind = "text"
    else:
        raise LookupError(f"field '{section}.{header}' ({type(field).__name__}) has no "
                          "column type")
    return Column(header, kind, required, _help(field, kind, required))


def _help(field: fields.Field, kind: str, required: bool) -> str:
    """What an exporter needs to fill the cell, from the field's own validators."""
    parts = ["required" if required else "optional", _KIND_HELP[kind]]
    for rule in field.validators:
        if isinstance(rule, validate.OneOf):
            parts.append("one of: " + ", ".join(map(str, rule.choices)))
        elif isinstance(rule, validate.Range):
            parts[-1] += _range_help(rule.min, rule.max, rule.min_inclusive)
    default = field.load_default
    if not callable(default) and default not in (None, fields.missing_) \
            and not isinstance(default, bool | list | dict):
        parts.append(f"default {default}")
    return "; ".join(parts)


def _range_help(low: float | None, high: float | None, inclusive: bool = True) -> str:
    if low is not None and high is not None:
        return f" {low:g}..{high:g}"
    if low is not None:
        return f" {'≥' if inclusive else '>'} {low:g}"
    return f" ≤ {high:g}" if high is not None else ""


def _child_sheet(section: str, name: str, schema: Schema, parent_is_table: bool) -> SheetSpec:
    sheet = CHILD_SHEETS.get((section, name))
    if sheet is None:
        raise LookupError(f"list '{section}.{name}' has no sheet in cbam_xlsx")
    columns, deeper = _columns(schema, section, "", True)
    if deeper:
        raise LookupError(f"a list inside '{section}.{name}' has no sheet")
    key = None
    if parent_is_table:
        key, parent_field = PARENT_KEYS[section]
        columns = (Column(key, "text", True, f"required; the {parent_field} of a row on "
                                              f"{SECTION_SHEETS[section]}"), *columns)
    return SheetSpec(sheet, (section, name), True, columns, key=key)


# ---- reading ------------------------------------------------------------------------------
class _Bad(Exception):
    """A cell whose value does not fit its column."""


@dataclass
class _Row:
    number: int
    values: dict[str, Any]      # header -> converted value (filled cells only)
    cells: dict[str, str]       # header -> 'Sheet!C5' for every column the sheet has


def read_input_xlsx(source: str | Path | bytes) -> dict[str, Any]:
    """The input document of a workbook, as plain data (the same dict a YAML file gives).

    Raises ModelValidationError keyed by `Sheet!Cell` for cells that do not fit their column,
    and by sheet name for missing or unknown sheets; the document itself is not validated.
    The workbook is read within the input limits (`safe_xlsx`).
    """
    with open_workbook(_bytes(source)) as book:
        return _Reader(book).run()[0]


def load_input_xlsx(source: str | Path | bytes, base_dir: Path | None = None) -> CbamInput:
    """Read and validate a workbook; every error names the cell (or sheet) it came from."""
    if base_dir is None and not isinstance(source, bytes):
        base_dir = Path(source).parent
    with open_workbook(_bytes(source)) as book:
        data, cells = _Reader(book).run()
    try:
        report_input = load_report_data(data, base_dir)
    except ModelValidationError as exc:
        raise locate_errors(exc.errors, cells) from None
    return replace(report_input, cells=MappingProxyType(cells))


def _bytes(source: str | Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def _at(sheet: str, row: int, column: int) -> str:
    return f"{sheet}!{get_column_letter(column)}{row}"


class _Reader:
    """Cells to the input document, and where each field came from (for errors)."""

    def __init__(self, book: BoundedWorkbook):
        self.book = book
        self.errors: dict[str, list[str]] = {}
        self.cells: dict[str, str] = {}
        self.doc: dict[str, Any] = {}
        #: parent section -> {key value: index}, to attach child rows
        self.parents: dict[str, dict[str, int]] = {}

    def fail(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)

    def run(self) -> tuple[dict[str, Any], dict[str, str]]:
        specs = layout()
        names = [s.name for s in specs]
        sheetnames = self.book.sheetnames
        for name in sheetnames:
            if name not in names:
                self.fail(name, f"unknown sheet (the sheets are {', '.join(names)})")
        for spec in specs:
            if spec.name not in sheetnames:
                if spec.required:
                    self.fail(spec.name, "missing sheet")
                continue
            rows = self.book.rows(spec.name)
            if spec.path:
                self.cells[".".join(spec.path)] = spec.name
            if not spec.table:
                self.field_sheet(spec, rows)
            elif len(spec.path) == 1:
                self.items(spec, self.rows(spec, rows))
            else:
                self.children(spec, self.rows(spec, rows))
        if self.errors:
            raise ModelValidationError(self.errors)
        return self.doc, self.cells

    def value(self, raw: Any, column: Column, where: str) -> Any:
        """The cell's value for the document, `None` when empty (fails if required)."""
        try:
            value = _convert(raw, column.kind)
        except _Bad as exc:
            self.fail(where, str(exc))
            return None
        if value is None and column.required:
            self.fail(where, "required")
        return value

    def field_sheet(self, spec: SheetSpec, rows: Iterator[tuple[int, tuple[Any, ...]]]
                    ) -> None:
        title = spec.name
        by_name = {c.header: c for c in spec.columns}
        first = next(rows, None)
        header = [_text(v) for v in (first[1][:2] if first else ())]
        if not any(header):  # an emptied sheet is an absent section
            following = next(rows, None)
            if following is None:
                return
            rows = chain([following], rows)
        if header[:2] != list(FIELD_HEADERS[:2]):
            self.fail(f"{title}!A1", "the first row must be the headers 'field' and 'value'")
            return
        section: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for number, values in rows:
            raw_name, raw_value = (*values[:2], None, None)[:2]
            name = _text(raw_name)
            at, name_at = _at(title, number, 2), _at(title, number, 1)
            if name is None:
                if not _empty(raw_value):
                    self.fail(at, "a value without a field name in column A")
                continue
            column = by_name.get(name)
            if column is None:
                self.fail(name_at, f"unknown field '{name}'")
                continue
            if name in seen:
                self.fail(name_at, f"'{name}' is already on {seen[name]}")
                continue
            seen[name] = name_at.partition("!")[2]
            self.cells[".".join((*spec.path, name))] = at
            value = self.value(raw_value, column, at)
            if value is not None:
                _put(section, name, value)
        for column in spec.columns:
            if column.required and column.header not in seen:
                self.fail(title, f"missing required field '{column.header}'")
        if section:
            if spec.path:
                self.doc.setdefault(spec.path[0], {}).update(section)
            else:
                self.doc.update(section)

    def rows(self, spec: SheetSpec, rows: Iterator[tuple[int, tuple[Any, ...]]]
             ) -> list[_Row]:
        """A table's filled rows, with the header checked against the layout."""
        title = spec.name
        by_header = {c.header: c for c in spec.columns}
        found: dict[int, Column] = {}
        seen: dict[str, str] = {}
        first = next(rows, None)
        header = first[1] if first else ()
        for i, raw in enumerate(header, start=1):
            text = _text(raw)
            if text is None:
                continue
            at = _at(title, 1, i)
            if text not in by_header:
                self.fail(at, f"unknown column '{text}'")
            elif text in seen:
                self.fail(at, f"column '{text}' is already {seen[text]}")
            else:
                seen[text] = at.partition("!")[2]
                found[i] = by_header[text]
        for column in spec.columns:
            if column.required and column.header not in seen:
                self.fail(f"{title}!1:1", f"missing required column '{column.header}'")
        named = {i for i, raw in enumerate(header, start=1) if _text(raw) is not None}
        out: list[_Row] = []
        for number, values in rows:
            if all(_empty(v) for v in values):
                continue
            item = _Row(number, {}, {})
            for i, raw in enumerate(values, start=1):
                at = _at(title, number, i)
                column = found.get(i)
                if column is None:
                    if i not in named and not _empty(raw):
                        self.fail(at, "a value in a column without a header")
                    continue
                item.cells[column.header] = at
                value = self.value(raw, column, at)
                if value is not None:
                    item.values[column.header] = value
            out.append(item)
        return out

    def items(self, spec: SheetSpec, rows: list[_Row]) -> None:
        section = spec.path[0]
        items: list[dict[str, Any]] = []
        keys: dict[str, int] = {}
        key_field = PARENT_KEYS.get(section, (None, None))[1]
        for i, row in enumerate(rows):
            self.locate(f"{section}[{i}]", spec.name, row)
            items.append(_nest(row.values))
            key = row.values.get(key_field) if key_field else None
            if key is None:
                continue
            if key in keys:
                self.fail(row.cells[key_field], f"{key_field} '{key}' is already used on row "
                          f"{rows[keys[key]].number}; rows of other sheets name "
                          f"{SECTION_SHEETS[section]} by {key_field}")
            keys.setdefault(str(key), i)
        self.parents[section] = keys
        if items or spec.required:  # an empty optional table is an absent list, as in YAML
            self.doc[section] = items

    def children(self, spec: SheetSpec, rows: list[_Row]) -> None:
        section, name = spec.path
        if spec.key is None:  # a list inside a field/value section (default_values.values)
            for j, row in enumerate(rows):
                self.locate(f"{section}.{name}[{j}]", spec.name, row)
            if rows:
                self.doc.setdefault(section, {})[name] = [_nest(r.values) for r in rows]
            return
        parents = self.parents.get(section, {})
        counts: dict[int, int] = {}
        for row in rows:
            key = row.values.pop(spec.key, None)
            if key is None:
                continue  # reported as a required cell
            if str(key) not in parents:
                self.fail(row.cells[spec.key], f"no {PARENT_KEYS[section][1]} '{key}' on "
                                               f"{SECTION_SHEETS[section]}")
                continue
            i = parents[str(key)]
            j = counts.get(i, 0)
            counts[i] = j + 1
            self.locate(f"{section}[{i}].{name}[{j}]", spec.name, row)
            self.doc[section][i].setdefault(name, []).append(_nest(row.values))

    def locate(self, path: str, sheet: str, row: _Row) -> None:
        self.cells[path] = f"{sheet}!{row.number}:{row.number}"
        for header, at in row.cells.items():
            self.cells[f"{path}.{header}"] = at


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    if _empty(value):
        return None
    return str(value).strip()


def _convert(value: Any, kind: str) -> Any:
    """One cell to the document's type; raises _Bad with the message for the user."""
    if _empty(value):
        return None
    if kind == "text":
        if isinstance(value, bool | datetime | date):
            raise _Bad("not text")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return restore_text(str(value).strip())
    if kind == "list":
        text = _convert(value, "text")
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind in ("number", "integer"):
        number = _number(value)
        if kind == "number":
            return number
        if not float(number).is_integer():
            raise _Bad("not a whole number")
        return int(number)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise _Bad("not TRUE or FALSE")
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise _Bad("not a date (YYYY-MM-DD)") from None
    raise LookupError(f"no conversion for column kind '{kind}'")


def _number(value: Any) -> int | float:
    if isinstance(value, bool | datetime | date):
        raise _Bad("not a number")
    if isinstance(value, int | float):
        number: int | float = value
    else:
        text = str(value).strip().replace(",", "")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _Bad("not a number") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise _Bad("not a number")
    return number


def _put(target: dict[str, Any], header: str, value: Any) -> None:
    *outer, last = header.split(".")
    for part in outer:
        target = target.setdefault(part, {})
    target[last] = value


def _nest(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for header, value in values.items():
        _put(out, header, value)
    return out


# ---- writing ------------------------------------------------------------------------------
def write_input_xlsx(input_dict: Mapping[str, Any] | None, path: str | Path) -> Path:
    """Write an input document (or, given None, a blank template) as the input workbook.

    Every field of the document gets a cell; a key the layout has no column for is refused
    (ModelValidationError naming its path) rather than silently left out of the workbook.
    Written to a temporary file, then renamed, so a failed write leaves no half file.
    """
    data: Mapping[str, Any] = input_dict or {}
    book = _Writer(data).run()
    return save_workbook(book, Path(path))


class _Writer:
    def __init__(self, data: Mapping[str, Any]):
        if not isinstance(data, Mapping):
            raise ModelValidationError({"_schema": "a CBAM report input must be a mapping"})
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.book = Workbook()
        self.book.remove(self.book.active)

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def run(self) -> Workbook:
        known = set(CbamInputSchema().fields)
        for key in self.data:
            if key not in known:
                self.fail(str(key), "not a field of the CBAM input; the workbook has no place "
                                    "for it")
        for spec in layout():
            ws = self.book.create_sheet(spec.name)
            if spec.table:
                self.table(ws, spec)
            else:
                self.field_sheet(ws, spec)
        if self.errors:
            raise ModelValidationError(self.errors)
        return self.book

    def field_sheet(self, ws: Worksheet, spec: SheetSpec) -> None:
        if spec.path:
            section = self.data.get(spec.path[0]) or {}
            flat = self.flatten(section, spec, spec.path[0], ignore=_child_names(spec))
        else:
            flat = {k: v for k, v in self.data.items()
                    if k in {c.header for c in spec.columns}}
        ws.append(list(FIELD_HEADERS))
        for column in spec.columns:
            ws.append([column.header, None, column.help])
            self.put(ws.cell(ws.max_row, 2), flat.get(column.header), column,
                     ".".join((*spec.path, column.header)))
        _style_header(ws)
        ws.column_dimensions["A"].width = max(len(c.header) for c in spec.columns) + 2
        ws.column_dimensions["B"].width = 48
        ws.column_dimensions["C"].width = 60

    def table(self, ws: Worksheet, spec: SheetSpec) -> None:
        ws.append([c.header for c in spec.columns])
        for i, column in enumerate(spec.columns, start=1):
            ws.cell(1, i).comment = Comment(column.help, "carbonlabel")
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(len(column.header) + 2, 12)
            if column.kind in ("text", "list"):
                ws.column_dimensions[letter].number_format = "@"
        for path, row in self.table_rows(spec):
            ws.append([None] * len(spec.columns))
            for i, column in enumerate(spec.columns, start=1):
                self.put(ws.cell(ws.max_row, i), row.get(column.header), column,
                         f"{path}.{column.header}")
        _style_header(ws)
        ws.freeze_panes = "A2"

    def table_rows(self, spec: SheetSpec) -> list[tuple[str, dict[str, Any]]]:
        """(document path, {header: value}) for each row of a table sheet."""
        section = spec.path[0]
        items = self.data.get(section)
        if len(spec.path) == 2 and spec.key is None:  # default_values.values
            items = (items or {}).get(spec.path[1])
            section = ".".join(spec.path)
        if items is None:
            return []
        if not _is_list(items):
            self.fail(section, "must be a list")
            return []
        rows: list[tuple[str, dict[str, Any]]] = []
        key_field = PARENT_KEYS.get(spec.path[0], (None, None))[1]
        for i, item in enumerate(items):
            path = f"{section}[{i}]"
            if not isinstance(item, Mapping):
                self.fail(path, "must be a mapping")
                continue
            if len(spec.path) == 1 or spec.key is None:
                rows.append((path, self.flatten(item, spec, path, ignore=_child_names(spec))))
                continue
            children = item.get(spec.path[1]) or []
            if not _is_list(children):
                self.fail(f"{path}.{spec.path[1]}", "must be a list")
                continue
            for j, child in enumerate(children):
                where = f"{path}.{spec.path[1]}[{j}]"
                if not isinstance(child, Mapping):
                    self.fail(where, "must be a mapping")
                    continue
                if item.get(key_field) is None:
                    self.fail(f"{path}.{key_field}", f"needed to name the row's "
                                                     f"{spec.path[1]} on {spec.name}")
                flat = self.flatten(child, spec, where)
                flat[spec.key] = item.get(key_field)
                rows.append((where, flat))
        if key_field and len(spec.path) == 1:
            names = [item.get(key_field) for item in items if isinstance(item, Mapping)]
            for i, name in enumerate(names):
                if name is not None and name in names[:i]:
                    self.fail(f"{section}[{i}].{key_field}", f"'{name}' is used twice; rows "
                              f"of other sheets name {spec.name} by {key_field}")
        return rows

    def flatten(self, obj: Any, spec: SheetSpec, path: str, prefix: str = "",
                ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
        """{dotted header: value} of one item; keys without a column are errors."""
        if not isinstance(obj, Mapping):
            self.fail(path, "must be a mapping")
            return {}
        headers = {c.header for c in spec.columns}
        out: dict[str, Any] = {}
        for key, value in obj.items():
            header = f"{prefix}{key}"
            if value is None or (not prefix and key in ignore):
                continue
            if header in headers:
                out[header] = value
            elif isinstance(value, Mapping) and any(h.startswith(header + ".") for h in headers):
                out.update(self.flatten(value, spec, path, header + "."))
            else:
                self.fail(f"{path}.{header}", f"no column for it on {spec.name}")
        return out

    def put(self, cell: Any, value: Any, column: Column, path: str) -> None:
        if value is None:
            return
        if column.kind == "list":
            if not _is_list(value) or not all(isinstance(v, str) for v in value):
                self.fail(path, "must be a list of ids")
                return
            value = ", ".join(value) or None
        elif isinstance(value, Mapping) or _is_list(value):
            self.fail(path, "must be a single value")
            return
        if isinstance(value, datetime | date):
            cell.number_format = "yyyy-mm-dd"
        elif column.kind in ("text", "list"):
            cell.number_format = "@"
        set_text_cell(cell, value)  # user text never becomes a formula (lca_models.inert)


def _child_names(spec: SheetSpec) -> frozenset[str]:
    return frozenset(name for section, name in CHILD_SHEETS if (section,) == spec.path)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _style_header(ws: Worksheet) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)


def sheet_headers() -> dict[str, list[str]]:
    """{sheet: column headers (tables) or field names (field/value sheets)}, for docs/tests."""
    return {s.name: [c.header for c in s.columns] for s in layout()}


__all__ = ["CHILD_SHEETS", "DOCUMENT_SHEET", "FIELD_HEADERS", "PARENT_KEYS", "SECTION_SHEETS",
           "Column", "SheetSpec", "layout", "load_input_xlsx", "read_input_xlsx",
           "sheet_headers", "write_input_xlsx"]
