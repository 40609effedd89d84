"""Reading a flat BOM from CSV text or an Excel workbook into (header, rows): one reader per
format, the same header keys, columns and row numbers from both, so the model builder does not
care which one the user saved. Excel is read within the input limits (`safe_xlsx`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lca_models.bom.format import (
    _HEADER_LINE,
    _LABEL,
    ROW,
    _fail,
    _is_empty,
    _text,
)
from lca_models.errors import ModelValidationError
from lca_models.messages import N_
from lca_models.safe_load import csv_records
from lca_models.safe_xlsx import BoundedWorkbook, open_workbook


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
        _fail(errors, "bom", N_("no table found: expected a row of column names after the "
                                "'# key: value' header lines"))
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
        _fail(errors, "bom", N_("the workbook has no 'bom' sheet"))
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
        _fail(errors, f"bom.header.{key}", N_("given more than once"))


def _bare(name: str) -> str:
    """The column or key name without the bracketed label templates add for people."""
    return _LABEL.sub("", name).strip()


def _column_names(cells: Sequence[Any], errors: dict[str, list[str]]) -> list[str]:
    names = [_bare(_text(c)).lower() for c in cells]
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        _fail(errors, f"bom.columns.{name}", N_("column appears more than once"))
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
        _fail(errors, "bom", N_("the bom sheet is empty: expected a row of column names"))
    return out
