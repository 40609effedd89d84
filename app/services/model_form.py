"""A model's stages, processes and inputs as rows of a form, and back.

People who do not write YAML edit a model in a server-rendered table. The form covers what
most models change (each process's stage, id, name and output; each input's factor or
process, amount and unit); every other field of the model (product, parameters, transport,
emissions, co-products...) is kept from the version the edit started from, so nothing typed
elsewhere is lost. The result goes through `products.add_version`, the same validation as an
upload; its errors, named by model path, are mapped back to the form cell they concern.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from lca_models.inventory import STAGES
from lca_models.units import UnitProblem, conversion_factor

#: units offered for an input; the picker shows those convertible to the factor's unit
COMMON_UNITS = ("kg", "g", "t", "kWh", "MWh", "MJ", "GJ", "TJ", "tkm", "km", "L", "m3",
                "m2", "item")
INPUT_FIELDS = ("kind", "ref", "amount", "unit", "origin")
_PATH = re.compile(r"^(?:model\.)?stages\[(\d+)\]\.processes\[(\d+)\](.*)$")
_INPUT = re.compile(r"^\.inputs\[(\d+)\]\.?(\w*)")
_PROCESS_FIELD = {".id": "id", ".name": "name", ".output.amount": "output_amount",
                  ".output.unit": "output_unit", ".output": "output_amount"}


@dataclass
class ProcessRow:
    stage: str = "production"
    id: str = ""
    name: str = ""
    output_amount: str = "1"
    output_unit: str = "kg"
    origin: str = ""  # "s.p" of the base model's process whose other fields are kept
    inputs: list[dict[str, str]] = field(default_factory=list)


def rows_from_content(content: dict[str, Any]) -> list[ProcessRow]:
    rows = []
    for s, stage in enumerate(content.get("stages") or []):
        for p, proc in enumerate(stage.get("processes") or []):
            output = proc.get("output") or {}
            rows.append(ProcessRow(
                stage=str(stage.get("stage", "")), id=str(proc.get("id", "")),
                name=str(proc.get("name") or ""),
                output_amount=_text(output.get("amount")), output_unit=_text(output.get("unit")),
                origin=f"{s}.{p}",
                inputs=[{"kind": "process" if i.get("process") else "factor",
                         "ref": _text(i.get("process") or i.get("factor")),
                         "amount": _text(i.get("amount")), "unit": _text(i.get("unit")),
                         "origin": str(j)}
                        for j, i in enumerate(proc.get("inputs") or [])]))
    return rows


def content_from_rows(base: dict[str, Any], rows: list[ProcessRow]
                      ) -> tuple[dict[str, Any], dict[tuple[int, int], int]]:
    """The model with its stages rebuilt from `rows`, and where each row landed:
    (stage index, process index) -> row index, to put errors back next to their cells."""
    content = copy.deepcopy(base)
    old = base.get("stages") or []
    stages: list[dict[str, Any]] = []
    where: dict[tuple[int, int], int] = {}
    order = [s for s in STAGES if any(r.stage == s for r in rows)]
    order += [r.stage for r in rows if r.stage not in order]  # unknown: the schema names it
    for s, stage in enumerate(order):
        processes: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            if row.stage != stage:
                continue
            proc = _origin(old, row.origin)
            proc.update(id=row.id.strip(), output={**(proc.get("output") or {}),
                                                   "amount": _number(row.output_amount),
                                                   "unit": row.output_unit.strip()})
            if row.name.strip():
                proc["name"] = row.name.strip()
            else:
                proc.pop("name", None)
            proc["inputs"] = [_input(proc, i) for i in row.inputs]
            where[(s, len(processes))] = n
            processes.append(proc)
        stages.append({"stage": stage, "processes": processes})
    content["stages"] = stages
    return content, where


def field_errors(errors: dict[str, list[str]], where: dict[tuple[int, int], int]
                 ) -> tuple[dict[str, list[str]], list[str]]:
    """Model-path errors as {form field name: messages}, and the rest as lines."""
    cells: dict[str, list[str]] = {}
    rest: list[str] = []
    for path, messages in errors.items():
        name = _cell(path, where)
        if name:
            cells.setdefault(name, []).extend(messages)
        else:
            rest.extend(f"{path.removeprefix('model.')}: {m}" for m in messages)
    return cells, rest


def units_for(factor_unit: str | None) -> list[str]:
    """The units an input of a factor in `factor_unit` may be given in."""
    if not factor_unit:
        return list(COMMON_UNITS)
    out = []
    for unit in COMMON_UNITS:
        try:
            conversion_factor(unit, factor_unit)
        except UnitProblem:
            continue
        out.append(unit)
    return out or [factor_unit]


def _cell(path: str, where: dict[tuple[int, int], int]) -> str | None:
    match = _PATH.match(path)
    if not match or (int(match[1]), int(match[2])) not in where:
        return None
    row, rest = where[(int(match[1]), int(match[2]))], match[3]
    inp = _INPUT.match(rest)
    if inp:
        column = {"factor": "ref", "process": "ref", "": "ref"}.get(inp[2], inp[2])
        return f"p{row}.in{inp[1]}.{column if column in INPUT_FIELDS else 'ref'}"
    return f"p{row}.{_PROCESS_FIELD.get(rest, 'id')}"


def _origin(old: list[dict[str, Any]], origin: str) -> dict[str, Any]:
    try:
        s, p = (int(x) for x in origin.split("."))
        return copy.deepcopy(old[s]["processes"][p])
    except (ValueError, IndexError, KeyError, TypeError):
        return {}


def _input(proc: dict[str, Any], row: dict[str, str]) -> dict[str, Any]:
    """The input as edited, keeping what the form does not show (comment, primary data
    flag, pedigree...) from the input it started as."""
    old: dict[str, Any] = {}
    origin = row.get("origin", "")
    if origin.isdigit() and int(origin) < len(proc.get("inputs") or []):
        old = {k: v for k, v in proc["inputs"][int(origin)].items()
               if k not in ("factor", "process")}
    key = "process" if row.get("kind") == "process" else "factor"
    return {**old, key: row.get("ref", "").strip(),
            "amount": _number(row.get("amount", "")), "unit": row.get("unit", "").strip()}


def _number(text: str) -> Any:
    """A number where the text is one; otherwise the text, for the schema to name (a formula
    over the model's parameters is text too)."""
    try:
        return float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        return text.strip()


def _text(value: Any) -> str:
    return "" if value is None else str(value)
