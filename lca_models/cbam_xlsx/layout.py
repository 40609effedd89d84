"""The CBAM input workbook's layout: which sheet holds which part of the input document, and
each sheet's columns, derived from `cbam_schema.CbamInputSchema` when first used (see the package
docstring). Both the reader and the writer follow it, so it lives apart from either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from marshmallow import Schema, fields, missing, validate

from lca_models.cbam_data import QUALIFYING_PARAMETERS
from lca_models.cbam_schema import CbamInputSchema

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
            schema = _item_schema(field)
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


def _is_object_list(field: fields.Field[Any]) -> bool:
    return isinstance(field, fields.List) and isinstance(field.inner, fields.Nested)


def _item_schema(field: fields.Field[Any]) -> Schema:
    """The schema of a Nested field, or of the items of an object list."""
    nested = field.inner if isinstance(field, fields.List) else field
    if not isinstance(nested, fields.Nested):
        raise TypeError(f"{field!r} holds no nested schema")
    return nested.schema


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
            children.append((name, _item_schema(field)))
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


def _column(header: str, field: fields.Field[Any], required: bool, section: str | None
            ) -> Column:
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


def _help(field: fields.Field[Any], kind: str, required: bool) -> str:
    """What an exporter needs to fill the cell, from the field's own validators."""
    parts = ["required" if required else "optional", _KIND_HELP[kind]]
    for rule in field.validators:
        if isinstance(rule, validate.OneOf):
            parts.append("one of: " + ", ".join(map(str, rule.choices)))
        elif isinstance(rule, validate.Range):
            parts[-1] += _range_help(rule.min, rule.max, rule.min_inclusive)
    default = field.load_default
    if not callable(default) and default not in (None, missing) \
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



def sheet_headers() -> dict[str, list[str]]:
    """{sheet: column headers (tables) or field names (field/value sheets)}, for docs/tests."""
    return {s.name: [c.header for c in s.columns] for s in layout()}
