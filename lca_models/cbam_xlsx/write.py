"""Writing an input document (or a blank template) as the CBAM input workbook, refusing any key
the layout has no cell for rather than dropping it. Apart from the reader because the two share
only the layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from lca_models.cbam_report import save_workbook
from lca_models.cbam_schema import CbamInputSchema
from lca_models.cbam_xlsx.layout import (
    CHILD_SHEETS,
    FIELD_HEADERS,
    PARENT_KEYS,
    Column,
    SheetSpec,
    layout,
)
from lca_models.errors import ModelValidationError
from lca_models.inert import set_text_cell
from lca_models.messages import N_


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
            raise ModelValidationError({"_schema": N_("a CBAM report input must be a mapping")})
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.book = Workbook()
        self.book.remove(self.book.worksheets[0])  # the one sheet a new Workbook has

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def run(self) -> Workbook:
        known = set(CbamInputSchema().fields)
        for key in self.data:
            if key not in known:
                self.fail(str(key), N_("not a field of the CBAM input; the workbook has no place "
                                    "for it"))
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
            self.fail(section, N_("must be a list"))
            return []
        rows: list[tuple[str, dict[str, Any]]] = []
        key_field = PARENT_KEYS.get(spec.path[0], (None, None))[1]
        for i, item in enumerate(items):
            path = f"{section}[{i}]"
            if not isinstance(item, Mapping):
                self.fail(path, N_("must be a mapping"))
                continue
            if len(spec.path) == 1 or spec.key is None:
                rows.append((path, self.flatten(item, spec, path, ignore=_child_names(spec))))
                continue
            children = item.get(spec.path[1]) or []
            if not _is_list(children):
                self.fail(f"{path}.{spec.path[1]}", N_("must be a list"))
                continue
            for j, child in enumerate(children):
                where = f"{path}.{spec.path[1]}[{j}]"
                if not isinstance(child, Mapping):
                    self.fail(where, N_("must be a mapping"))
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
                    self.fail(f"{section}[{i}].{key_field}", N_(
                        "'%(name)s' is used twice; rows of other sheets name %(name2)s by "
                        "%(key_field)s",
                        name=name, name2=spec.name, key_field=key_field))
        return rows

    def flatten(self, obj: Any, spec: SheetSpec, path: str, prefix: str = "",
                ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
        """{dotted header: value} of one item; keys without a column are errors."""
        if not isinstance(obj, Mapping):
            self.fail(path, N_("must be a mapping"))
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
                self.fail(f"{path}.{header}", N_('no column for it on %(name)s', name=spec.name))
        return out

    def put(self, cell: Any, value: Any, column: Column, path: str) -> None:
        if value is None:
            return
        if column.kind == "list":
            if not _is_list(value) or not all(isinstance(v, str) for v in value):
                self.fail(path, N_("must be a list of ids"))
                return
            value = ", ".join(value) or None
        elif isinstance(value, Mapping) or _is_list(value):
            self.fail(path, N_("must be a single value"))
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
