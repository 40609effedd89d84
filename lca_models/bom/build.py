"""Building the documented inventory-model dict from a BOM's header and rows: carried process
values, exchanges by kind, and every problem of the flat format itself reported at its row,
with a record of which cell each model element came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lca_models.bom.format import (
    _AMOUNT_COLUMNS,
    _CARRIED,
    _LIST_OF_KIND,
    _TRANSPORT_COLUMNS,
    COLUMNS,
    HEADER_KEYS,
    KINDS,
    REQUIRED_COLUMNS,
    REQUIRED_HEADER_KEYS,
    ROW,
    _amount,
    _fail,
    _is_empty,
    _primary,
    _show,
    _text,
)
from lca_models.bom.paths import (
    _EXCHANGE_CELLS,
    _PROCESS_CELLS,
    _STAGE_CELLS,
    _Cell,
)
from lca_models.errors import ModelValidationError
from lca_models.messages import N_


def model_from_bom(header: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
                   ) -> dict[str, Any]:
    """The model dict in the documented schema; ModelValidationError lists every BOM problem.

    Only what the flat format itself gets wrong is checked here (missing keys and columns,
    unknown kinds, non-numbers, conflicting process outputs); everything else is left to
    `load_model`, whose paths `load_model_upload` maps back to rows.
    """
    model, _ = _BomBuilder(header, rows).build()
    return model


@dataclass
class _Process:
    id: str
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)  # carried values, parsed
    given_on: dict[str, int] = field(default_factory=dict)  # row each carried value came from
    exchanges: dict[str, list[tuple[int, dict[str, Any]]]] = field(
        default_factory=lambda: {"inputs": [], "emissions": [], "transport": []})


class _BomBuilder:
    def __init__(self, header: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]):
        self.header = {str(k).strip().lower(): _text(v) for k, v in header.items()}
        self.rows = rows
        self.errors: dict[str, list[str]] = {}
        self.processes: dict[str, _Process] = {}

    def fail(self, path: str, message: str) -> None:
        _fail(self.errors, path, message)

    def build(self) -> tuple[dict[str, Any], dict[str, _Cell]]:
        """The model dict and, by model path prefix, the BOM cells each element came from."""
        model = self.model_header()
        if self.check_columns():
            for index, row in enumerate(self.rows):
                self.add_row(row, int(row.get(ROW) or index + 2))
        stages, cells = self.stages()
        if self.errors:
            raise ModelValidationError(self.errors)
        model["stages"] = stages
        return model, cells

    # -- header

    def model_header(self) -> dict[str, Any]:
        h = self.header
        for key in h:
            if key not in HEADER_KEYS:
                self.fail(f"bom.header.{key}", N_("unknown header key (known: %(known)s)",
                                                  known=", ".join(HEADER_KEYS)))
        for key in REQUIRED_HEADER_KEYS:
            if not h.get(key):
                self.fail(f"bom.header.{key}", "required")
        product = {"name": h.get("product_name", "")}
        for key, name in (("product_name_zh", "name_zh"), ("gtin", "gtin"),
                          ("hs_code", "hs_code"), ("cn_code", "cn_code")):
            if h.get(key):
                product[name] = h[key]
        model: dict[str, Any] = {
            "schema_version": 1, "product": product,
            "declared_unit": {"amount": self.header_amount("declared_unit_amount", 1.0),
                              "unit": h.get("declared_unit", "")},
            "boundary": h.get("boundary", ""), "reference_process": h.get("reference_process", ""),
        }
        mass = self.header_pair("product_mass_amount", "product_mass_unit")
        if mass:
            model["product_mass"] = {"amount": self.header_amount("product_mass_amount"),
                                     "unit": mass[1]}
        period = self.header_pair("reference_period_start", "reference_period_end")
        if period:
            model["reference_period"] = {"start": period[0], "end": period[1]}
        for key in ("currency", "notes"):
            if h.get(key):
                model[key] = h[key]
        return model

    def header_amount(self, key: str, default: float | None = None) -> float | str | None:
        value = _amount(self.header.get(key), f"bom.header.{key}", self.errors)
        return default if value is None else value

    def header_pair(self, first: str, second: str) -> tuple[str, str] | None:
        """Both values, or None; one without the other is an error, not a half-filled field."""
        a, b = self.header.get(first, ""), self.header.get(second, "")
        if a and b:
            return a, b
        if a or b:
            missing = second if a else first
            self.fail(f"bom.header.{missing}", N_("required when %(other)s is given",
                                                  other=first if a else second))
        return None

    # -- rows

    def check_columns(self) -> bool:
        """Report unknown and missing columns; rows are only read when none is missing, since
        a missing column would otherwise be reported again on every row."""
        if not self.rows:  # the columns are only known from the rows
            self.fail("bom.rows", N_("the table has no rows"))
            return False
        present = {k for row in self.rows for k in row if k != ROW}
        for name in sorted(present - set(COLUMNS) - {""}):
            self.fail(f"bom.columns.{name}", N_("unknown column (known: %(known)s)",
                                                known=", ".join(COLUMNS)))
        missing = [c for c in REQUIRED_COLUMNS if c not in present]
        for name in missing:
            self.fail(f"bom.columns.{name}", N_("required column is missing"))
        return not missing

    def add_row(self, row: Mapping[str, Any], number: int) -> None:
        at = f"bom.rows[{number}]"
        if not _is_empty(row.get("")):
            self.fail(at, N_("value '%(value)s' is in a column without a name",
                             value=_text(row[""])))
        pid = _text(row.get("process"))
        if not pid:
            self.fail(f"{at}.process",
                      N_("required: the id of the process this row belongs to"))
            return
        proc = self.processes.setdefault(pid, _Process(pid, number))
        self.carry(proc, row, number)
        kind = _text(row.get("kind")).lower()
        if not kind:
            filled = [c for c in ("ref", *_AMOUNT_COLUMNS, *_TRANSPORT_COLUMNS)
                      if not _is_empty(row.get(c))]
            if filled:
                self.fail(f"{at}.kind", N_("required when %(columns)s is given (%(kinds)s)",
                                           columns=", ".join(filled), kinds=" | ".join(KINDS)))
            return
        if kind not in KINDS:
            self.fail(f"{at}.kind", N_("'%(kind)s' is not a kind (%(kinds)s)", kind=kind,
                                       kinds=" | ".join(KINDS)))
            return
        exchange = self.exchange(kind, row, at)
        if exchange is not None:
            proc.exchanges[_LIST_OF_KIND[kind]].append((number, exchange))

    def carry(self, proc: _Process, row: Mapping[str, Any], number: int) -> None:
        for column in _CARRIED:
            raw = row.get(column)
            if _is_empty(raw):
                continue
            path = f"bom.rows[{number}].{column}"
            value = (_amount(raw, path, self.errors) if column == "output_amount"
                     else _text(raw))
            if value is None:
                continue
            if column not in proc.values:
                proc.values[column] = value
                proc.given_on[column] = number
            elif proc.values[column] != value:
                self.fail(path, N_(
                    "process '%(process)s' already has %(column)s '%(value)s' (row %(row)s); "
                    "give it once or repeat the same value", process=proc.id, column=column,
                    value=_show(proc.values[column]), row=proc.given_on[column]))

    def exchange(self, kind: str, row: Mapping[str, Any], at: str) -> dict[str, Any] | None:
        ref = _text(row.get("ref"))
        if not ref:
            self.fail(f"{at}.ref", _REF_MEANING[kind])
        used, unused = ((_TRANSPORT_COLUMNS, _AMOUNT_COLUMNS) if kind == "transport"
                        else (_AMOUNT_COLUMNS, _TRANSPORT_COLUMNS))
        for column in unused:
            if not _is_empty(row.get(column)):
                self.fail(f"{at}.{column}", N_(
                    "must be empty on a %(kind)s row (it uses %(columns)s)", kind=kind,
                    columns=", ".join(used)))
        values: dict[str, Any] = {}
        for column in used:
            values[column] = self.cell(row, column, at, kind)
        primary = _primary(row.get("primary"), f"{at}.primary", self.errors)
        if not ref or any(v is None for v in values.values()):
            return None
        out: dict[str, Any] = {_REF_FIELD[kind]: ref}
        if kind == "transport":
            out["mass"] = {"amount": values["mass"], "unit": values["mass_unit"]}
            out["distance"] = {"amount": values["distance"], "unit": values["distance_unit"]}
        else:
            out.update(values)
        if primary is not None:
            out["primary"] = primary
        comment = _text(row.get("comment"))
        if comment:
            out["comment"] = comment
        return out

    def cell(self, row: Mapping[str, Any], column: str, at: str, kind: str
             ) -> float | str | None:
        raw = row.get(column)
        if _is_empty(raw):
            self.fail(f"{at}.{column}", N_("required on a %(kind)s row", kind=kind))
            return None
        if column in ("amount", "mass", "distance"):
            return _amount(raw, f"{at}.{column}", self.errors)
        return _text(raw)

    # -- stages

    def stages(self) -> tuple[list[dict[str, Any]], dict[str, _Cell]]:
        """Stages in order of first appearance, processes in order of first appearance."""
        by_stage: dict[str, list[_Process]] = {}
        for proc in self.processes.values():
            for column in ("stage", "output_amount", "output_unit"):
                if column not in proc.values:
                    self.fail(f"bom.rows[{proc.first_row}].{column}",
                              N_("required on one row of process '%(process)s'",
                                 process=proc.id))
            by_stage.setdefault(proc.values.get("stage", ""), []).append(proc)
        stages: list[dict[str, Any]] = []
        cells: dict[str, _Cell] = {}
        for s, (stage, procs) in enumerate(by_stage.items()):
            cells[f"stages[{s}]"] = _Cell(procs[0].given_on.get("stage", procs[0].first_row),
                                          _STAGE_CELLS)
            stages.append({"stage": stage, "processes": [
                self.process_dict(proc, f"stages[{s}].processes[{p}]", cells)
                for p, proc in enumerate(procs)]})
        return stages, cells

    def process_dict(self, proc: _Process, path: str, cells: dict[str, _Cell]
                     ) -> dict[str, Any]:
        cells[path] = _Cell(proc.first_row, _PROCESS_CELLS)
        for field_name, column in (("output.amount", "output_amount"),
                                   ("output.unit", "output_unit"), ("name", "process_name")):
            if column in proc.given_on:
                cells[f"{path}.{field_name}"] = _Cell(proc.given_on[column], {"": column})
        out: dict[str, Any] = {
            "id": proc.id,
            "output": {"amount": proc.values.get("output_amount"),
                       "unit": proc.values.get("output_unit")},
        }
        if proc.values.get("process_name"):
            out["name"] = proc.values["process_name"]
        for name, items in proc.exchanges.items():
            if items:
                out[name] = [exchange for _, exchange in items]
            for i, (row, _) in enumerate(items):
                cells[f"{path}.{name}[{i}]"] = _Cell(row, _EXCHANGE_CELLS)
        return out


_REF_FIELD = {"factor": "factor", "process": "process", "emission": "gas",
              "transport": "factor"}
_REF_MEANING = {"factor": N_("required: the emission factor id"),
                "process": N_("required: the id of the process it takes from"),
                "emission": N_("required: the gas code (e.g. co2_fossil, ch4_fossil)"),
                "transport": N_("required: the freight factor id (per tonne-km)")}
