"""The flat BOM format itself: its header keys, columns and exchange kinds, and how one cell's
text becomes a value (text, number or formula, true/false). The readers and the model builder
both follow it, so it lives apart from either; docs/bom-format.md describes it for people.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from lca_models.messages import N_
from lca_models.parameters import FormulaProblem, evaluate

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
        _fail(errors, path, N_("'%(text)s' is not a number or an arithmetic formula of numbers",
                               text=text))
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
    _fail(errors, path, N_("'%(text)s' is not true/false/yes/no/1/0", text=_text(value)))
    return None
