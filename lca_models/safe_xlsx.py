"""Reading outside workbooks with bounded memory, shared by the bill-of-materials and CBAM
workbook readers.

Why: a 970 KB .xlsx can hold six million cells; openpyxl's normal mode builds an object per
cell (gigabytes) and its read-only mode pads every row to the width the sheet *claims*. So,
before openpyxl sees the file: the zip's member count, each member's uncompressed size (the
central directory's figure, which Python's zipfile also enforces while inflating) and
compression ratio are checked; every XML part is scanned once with expat, without building a
tree, refusing a DTD (entity bombs) and counting the worksheets' rows, columns, cells and
text lengths. Only then is the workbook opened read-only and its rows streamed, each padded
to the width actually found, never to a claimed one.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from lca_models.errors import InputLimitError, InputTooLarge, MalformedInput
from lca_models.messages import N_
from lca_models.safe_load import InputLimits, current_limits

_RATIO_FLOOR = 1024 * 1024  # members smaller than this may compress as well as they like
_CHUNK = 64 * 1024
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})")
_TEXT_ELEMENTS = {"v", "t", "f"}


@dataclass
class _SheetSize:
    rows: int = 0
    columns: int = 0


@dataclass
class _Scan:
    """What the XML parts hold, counted while streaming."""

    limits: InputLimits
    cells: int = 0
    sheets: dict[str, _SheetSize] = field(default_factory=dict)


def check_archive(data: bytes, limits: InputLimits | None = None) -> zipfile.ZipFile:
    """The workbook's zip, once its members' declared sizes, ratios and count are in limits."""
    limits = limits or current_limits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise MalformedInput({"file": N_("not a readable .xlsx workbook (%(problem)s)",
                                         problem=str(exc))}) from None
    infos = archive.infolist()
    if len(infos) > limits.max_xlsx_members:
        raise InputLimitError("max_xlsx_members", limits.max_xlsx_members,
                              N_("the workbook holds %(count)s files; the limit is %(limit)s",
                                 count=len(infos), limit=limits.max_xlsx_members))
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise MalformedInput({"file": N_("'%(name)s' uses an unsupported compression",
                                             name=info.filename)})
        total += info.file_size
        if total > limits.max_xlsx_expanded_bytes:
            raise InputTooLarge("max_xlsx_expanded_bytes", limits.max_xlsx_expanded_bytes,
                                N_("the workbook expands to more than %(limit)s bytes",
                                   limit=limits.max_xlsx_expanded_bytes), info.filename)
        if info.file_size > _RATIO_FLOOR and \
                info.file_size > limits.max_xlsx_ratio * max(info.compress_size, 1):
            raise InputTooLarge("max_xlsx_ratio", limits.max_xlsx_ratio,
                                N_("compressed %(ratio)s:1; the limit is %(limit)s:1",
                                   ratio=info.file_size // max(info.compress_size, 1),
                                   limit=limits.max_xlsx_ratio), info.filename)
    return archive


def scan_parts(archive: zipfile.ZipFile, limits: InputLimits | None = None) -> dict[str, Any]:
    """Stream every XML part once; refuse DTDs and worksheets over the row, column, cell or
    text limits. Returns {worksheet member name: (rows, columns)}."""
    scan = _Scan(limits or current_limits())
    for info in archive.infolist():
        name = info.filename
        if not name.lower().endswith((".xml", ".rels")):
            continue
        sheet = _SheetSize() if name.startswith("xl/worksheets/") else None
        _scan_member(archive, name, scan, sheet)
        if sheet is not None:
            scan.sheets[name] = sheet
    return {name: (s.rows, s.columns) for name, s in scan.sheets.items()}


def _scan_member(archive: zipfile.ZipFile, name: str, scan: _Scan,
                 sheet: _SheetSize | None) -> None:
    limits = scan.limits
    parser = expat.ParserCreate()
    state = {"row": 0, "col": 0, "text": 0, "in_text": False}

    def doctype(*_: Any) -> None:
        raise MalformedInput({"file": N_("'%(name)s' declares a DTD; workbooks do not",
                                         name=name)})

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if local in _TEXT_ELEMENTS:
            state["in_text"], state["text"] = True, 0
        if sheet is None:
            if local == "si":
                _count_cell(scan, name)
            return
        if local == "row":
            number = attrs.get("r")
            state["row"] = int(number) if number and number.isdigit() else state["row"] + 1
            state["col"] = 0
            if state["row"] > limits.max_rows:
                raise InputLimitError("max_rows", limits.max_rows,
                                      N_("row %(row)s is beyond the limit of %(limit)s rows",
                                         row=state["row"], limit=limits.max_rows), name)
            sheet.rows = max(sheet.rows, state["row"])
        elif local == "c":
            match = _CELL_REF.match(attrs.get("r", ""))
            state["col"] = _column_index(match.group(1)) if match else state["col"] + 1
            if state["col"] > limits.max_columns:
                raise InputLimitError("max_columns", limits.max_columns,
                                      N_("a cell in column %(column)s, beyond the limit of "
                                         "%(limit)s columns", column=state["col"],
                                         limit=limits.max_columns), name)
            sheet.columns = max(sheet.columns, state["col"])
            _count_cell(scan, name)

    def end(tag: str) -> None:
        if tag.rpartition(":")[2] in _TEXT_ELEMENTS:
            state["in_text"] = False

    def text(data: str) -> None:
        if state["in_text"]:
            state["text"] += len(data)
            if state["text"] > limits.max_cell_chars:
                raise InputLimitError("max_cell_chars", limits.max_cell_chars,
                                      N_("a cell of more than %(limit)s characters",
                                         limit=limits.max_cell_chars), name)

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise MalformedInput({"file": N_("'%(name)s' is not well-formed XML (%(problem)s)",
                                         name=name, problem=str(exc))}) from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise MalformedInput({"file": N_("'%(name)s' cannot be read (%(problem)s)", name=name,
                                         problem=str(exc))}) from None


def _count_cell(scan: _Scan, where: str) -> None:
    scan.cells += 1
    if scan.cells > scan.limits.max_xlsx_cells:
        raise InputLimitError("max_xlsx_cells", scan.limits.max_xlsx_cells,
                              N_("more than %(limit)s cells", limit=scan.limits.max_xlsx_cells),
                              where)


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


class BoundedWorkbook:
    """A checked workbook opened read-only; `rows(sheet)` streams (row number, values)."""

    def __init__(self, data: bytes, limits: InputLimits | None = None):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        limits = limits or current_limits()
        with check_archive(data, limits) as archive:
            self._sizes = scan_parts(archive, limits)
        try:
            self._book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
                TypeError) as exc:
            raise MalformedInput({"file": N_("not a readable .xlsx workbook (%(problem)s)",
                                         problem=str(exc))}) from None

    @property
    def sheetnames(self) -> list[str]:
        return list(self._book.sheetnames)

    def rows(self, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(Excel row number, cell values) for every row up to the last written one, each
        exactly as wide as the widest written row of the sheet."""
        ws = self._book[sheet]
        path = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
        rows, columns = self._sizes.get(path, (0, 0))
        if not rows or not columns:
            return
        ws.reset_dimensions()
        for number, values in enumerate(ws.iter_rows(min_row=1, max_row=rows, min_col=1,
                                                     max_col=columns, values_only=True),
                                        start=1):
            yield number, tuple(values)

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> BoundedWorkbook:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def open_workbook(source: bytes | str, limits: InputLimits | None = None) -> BoundedWorkbook:
    """A `BoundedWorkbook` from bytes or a file path."""
    if not isinstance(source, bytes):
        with open(source, "rb") as handle:
            source = handle.read()
    return BoundedWorkbook(source, limits)


__all__ = ["BoundedWorkbook", "check_archive", "open_workbook", "scan_parts"]
