"""Spreadsheet cells that stay inert: user text written so no spreadsheet runs it.

Why: a name such as `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` written into a workbook or CSV
becomes a live formula in the importer's Excel. Following OWASP's CSV-injection guidance, text
beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote
and written as a text cell; numbers (including negative ones) stay numbers, and text that is
itself a plain number ("-12.5") is left alone because no spreadsheet evaluates it.
`restore_text` undoes the prefix when we read back a workbook we wrote.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def inert_text(text: str) -> str:
    """`text` with a leading single quote if a spreadsheet could read it as a formula."""
    if text.startswith(TRIGGERS) and not _is_number(text):
        return "'" + text
    return text


def inert_value(value: Any) -> Any:
    """A value ready for a cell: strings neutralised, everything else unchanged."""
    return inert_text(value) if isinstance(value, str) else value


def restore_text(text: str) -> str:
    """The text `inert_text` was given (strips our quote before a trigger character)."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


def set_text_cell(cell: Any, value: Any) -> None:
    """Write `value` to an openpyxl cell: text as an inert text cell (never a formula)."""
    if isinstance(value, str):
        cell.value = inert_text(value)
        cell.data_type = "s"
    else:
        cell.value = value


__all__ = ["TRIGGERS", "inert_text", "inert_value", "restore_text", "set_text_cell"]


def new_workbook() -> tuple[Workbook, Worksheet]:
    """A new workbook and its first sheet, for the exports to fill. openpyxl types a book's
    active sheet as any kind of sheet or none; a new book's is always a worksheet."""
    from openpyxl import Workbook  # only when a workbook is written: app start stays light
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    if not isinstance(sheet, Worksheet):
        raise TypeError(f"a new openpyxl workbook's active sheet is {sheet!r}")
    return book, sheet
