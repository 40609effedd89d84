"""Mapping `load_model` errors back to the BOM cell each field came from (`bom.rows[7].unit`
instead of `stages[0].processes[1].inputs[0].unit`). Apart from the builder, which only records
where each model element came from (`_Cell`), because the lookup is its own small algorithm.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Cell:
    """Where a model element came from: its BOM row and model-field -> column names."""

    row: int
    columns: Mapping[str, str]



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
