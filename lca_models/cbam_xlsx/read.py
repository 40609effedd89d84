"""Reading the CBAM input workbook: cells to the plain document the YAML loader gets (types,
required cells, unknown sheets and columns), remembering which cell each field came from so
every later error names it (`Goods!C5: not a number`). Apart from the writer because the two
share only the layout.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import Any

from openpyxl.utils import get_column_letter

from lca_models.cbam_input import CbamInput, load_report_data, locate_errors
from lca_models.cbam_xlsx.layout import (
    FIELD_HEADERS,
    PARENT_KEYS,
    SECTION_SHEETS,
    Column,
    SheetSpec,
    layout,
)
from lca_models.errors import ModelValidationError
from lca_models.inert import restore_text
from lca_models.messages import N_, message_of
from lca_models.safe_xlsx import BoundedWorkbook, open_workbook


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
                self.fail(name, N_("unknown sheet (the sheets are %(sheets)s)",
                                   sheets=", ".join(names)))
        for spec in specs:
            if spec.name not in sheetnames:
                if spec.required:
                    self.fail(spec.name, N_("missing sheet"))
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
            self.fail(where, message_of(exc))
            return None
        if value is None and column.required:
            self.fail(where, N_("required"))
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
            self.fail(f"{title}!A1", N_("the first row must be the headers 'field' and 'value'"))
            return
        section: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for number, values in rows:
            raw_name, raw_value = (*values[:2], None, None)[:2]
            name = _text(raw_name)
            at, name_at = _at(title, number, 2), _at(title, number, 1)
            if name is None:
                if not _empty(raw_value):
                    self.fail(at, N_("a value without a field name in column A"))
                continue
            column = by_name.get(name)
            if column is None:
                self.fail(name_at, N_("unknown field '%(name)s'", name=name))
                continue
            if name in seen:
                self.fail(name_at, N_("'%(name)s' is already on %(cell)s", name=name,
                                      cell=seen[name]))
                continue
            seen[name] = name_at.partition("!")[2]
            self.cells[".".join((*spec.path, name))] = at
            value = self.value(raw_value, column, at)
            if value is not None:
                _put(section, name, value)
        for column in spec.columns:
            if column.required and column.header not in seen:
                self.fail(title, N_("missing required field '%(name)s'", name=column.header))
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
                self.fail(at, N_("unknown column '%(name)s'", name=text))
            elif text in seen:
                self.fail(at, N_("column '%(name)s' is already %(cell)s", name=text,
                                 cell=seen[text]))
            else:
                seen[text] = at.partition("!")[2]
                found[i] = by_header[text]
        for wanted in spec.columns:
            if wanted.required and wanted.header not in seen:
                self.fail(f"{title}!1:1", N_("missing required column '%(name)s'",
                                             name=wanted.header))
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
                        self.fail(at, N_("a value in a column without a header"))
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
            if key is None or key_field is None:
                continue
            if key in keys:
                self.fail(row.cells[key_field], N_(
                    "%(field)s '%(key)s' is already used on row %(row)s; rows of other sheets "
                    "name %(sheet)s by %(field)s", field=key_field, key=key,
                    row=rows[keys[key]].number, sheet=SECTION_SHEETS[section]))
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
                self.fail(row.cells[spec.key], N_(
                    "no %(field)s '%(key)s' on %(sheet)s", field=PARENT_KEYS[section][1],
                    key=key, sheet=SECTION_SHEETS[section]))
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
            raise _Bad(N_("not text"))
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
            raise _Bad(N_("not a whole number"))
        return int(number)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise _Bad(N_("not TRUE or FALSE"))
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise _Bad(N_("not a date (YYYY-MM-DD)")) from None
    raise LookupError(f"no conversion for column kind '{kind}'")


def _number(value: Any) -> int | float:
    if isinstance(value, bool | datetime | date):
        raise _Bad(N_("not a number"))
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
                raise _Bad(N_("not a number")) from None
    if isinstance(number, float) and not math.isfinite(number):
        raise _Bad(N_("not a number"))
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
