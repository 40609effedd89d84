"""Loading a CBAM report input and the checks that need the whole document.

`load_report_data` runs the marshmallow schema (shape) and then `_Checker` (references
between processes, precursors and goods, precursor cycles, CN coverage, sector parameters),
so every problem is reported at once with its field path and nothing is computed from a
half-valid document. The validated input is frozen so a computation cannot change it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pycountry
from marshmallow import ValidationError

from lca_models import units
from lca_models.cbam_data import EL_SOURCES, QUALIFYING_PARAMETERS, SECTOR_OF, classify_cn
from lca_models.cbam_schema import CbamInputSchema
from lca_models.errors import ModelValidationError
from lca_models.inventory_schema import flatten_errors, parse_model_text
from lca_models.messages import N_
from lca_models.units import registry

if TYPE_CHECKING:
    from pint import Quantity


@dataclass(frozen=True)
class CbamInput:
    """A validated report input; `base_dir` resolves a default-value workbook path, and
    `cells` (for a workbook input) maps field paths to the cell they were read from, so that
    errors found later by `compute_report` still point at the spreadsheet."""

    data: Mapping[str, Any]
    base_dir: Path | None = None
    cells: Mapping[str, str] | None = field(default=None, compare=False)


def load_report_data(data: Mapping[str, Any], base_dir: Path | None = None) -> CbamInput:
    """Validate plain data; raise ModelValidationError naming every bad field."""
    if not isinstance(data, Mapping):
        raise ModelValidationError({"_schema": N_("a CBAM report input must be a mapping")})
    try:
        raw = CbamInputSchema().load(data)
    except ValidationError as exc:
        raise ModelValidationError(flatten_errors(exc.messages)) from None
    errors = _Checker(raw).run()
    if errors:
        raise ModelValidationError(errors)
    return CbamInput(_freeze(raw), base_dir)


def load_report_input(path: str | Path) -> CbamInput:
    """Read a YAML, JSON or XLSX report input file (XLSX errors name the cell)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from lca_models.cbam_xlsx import load_input_xlsx  # imports this module

        return load_input_xlsx(path, path.parent)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return load_report_data(parse_model_text(path.read_text("utf-8"), fmt), path.parent)


def locate_errors(errors: Mapping[str, Sequence[str]],
                  cells: Mapping[str, str]) -> ModelValidationError:
    """The same errors keyed by where their field was read (`Goods!C5`), for documents read
    from a workbook. A path without a cell of its own goes to its nearest located parent (a
    row or a sheet), with the rest of the path kept in the message."""
    out: dict[str, list[str]] = {}
    for path, messages in errors.items():
        where, rest = path, ""
        probe = path
        while probe:
            if probe in cells:
                where, rest = cells[probe], path[len(probe):].lstrip(".")
                break
            parent = re.match(r"^(.*?)(?:\.[^.\[]+|\[\d+\])$", probe)
            probe = parent.group(1) if parent else ""
        for message in messages:
            out.setdefault(where, []).append(
                N_("%(path)s: %(message)s", path=rest, message=message) if rest else message)
    return ModelValidationError(out)


class _Checker:
    """References, cycles, CN coverage and sector rules: what needs the whole document."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def ids(self, key: str) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, item in enumerate(self.raw[key]):
            if item["id"] in seen:
                first = f"{key}[{seen[item['id']]}]"
                self.fail(f"{key}[{i}].id", N_("'%(id)s' is already used by %(path)s",
                                               id=item["id"], path=first))
            seen.setdefault(item["id"], i)
        return seen

    def run(self) -> dict[str, list[str]]:
        inst, raw = self.raw["installation"], self.raw
        sub = inst["subdivision"]
        # pycountry's database lookups are unannotated
        if sub and (pycountry.subdivisions.get(code=sub) is None  # type: ignore[no-untyped-call]
                    or not sub.startswith(inst["country"] + "-")):
            self.fail("installation.subdivision", N_(
                "'%(code)s' is not an ISO 3166-2 subdivision of %(country)s", code=sub,
                country=inst["country"]))
        if not inst["unlocode"].startswith(inst["country"]):
            self.fail("installation.unlocode", N_("must start with the country %(country)s",
                                                  country=inst["country"]))
        period = inst["reporting_period"]
        if period["end"] < period["start"]:
            self.fail("installation.reporting_period.end", N_("ends before it starts"))
        procs, precs = self.ids("processes"), self.ids("precursors")
        self.ids("source_streams")
        for i, s in enumerate(raw["source_streams"]):
            self.stream(s, f"source_streams[{i}]", procs)
        for i, p in enumerate(raw["processes"]):
            self.process(p, f"processes[{i}]", precs)
        for i, p in enumerate(raw["precursors"]):
            self.precursor(p, f"precursors[{i}]", procs)
        self.cycles(procs, precs)
        for i, g in enumerate(raw["goods"]):
            self.good(g, f"goods[{i}]", procs)
        priced: dict[str, int] = {}
        for i, cp in enumerate(raw["carbon_price"]):
            for j, pid in enumerate(cp["processes"] or list(procs)):
                if pid not in procs:
                    self.fail(f"carbon_price[{i}].processes[{j}]",
                              N_("no process '%(process)s'", process=pid))
                elif pid in priced:
                    first = f"carbon_price[{priced[pid]}]"
                    self.fail(f"carbon_price[{i}].processes", N_(
                        "process '%(process)s' already has %(path)s; the template has one per "
                        "product", process=pid, path=first))
                priced.setdefault(pid, i)
        return self.errors

    def stream(self, s: dict[str, Any], path: str, procs: dict[str, int]) -> None:
        if s["process"] not in procs:
            self.fail(f"{path}.process", N_("'%(id)s' is not the id of a process",
                                            id=s["process"]))
        if s["method"] == "mass_balance":
            if s["carbon_content"] is None:
                self.fail(f"{path}.carbon_content",
                          N_("mass balance needs the carbon content (t C per t)"))
        elif (s["factor"] is None) == (s["emission_factor"] is None):
            self.fail(f"{path}.emission_factor", N_(
                "give exactly one of 'emission_factor' or 'factor' (a release factor id)"))

    def process(self, p: dict[str, Any], path: str, precs: dict[str, int]) -> None:
        unit = "MWh" if p["goods_category"] == "electricity" else "t"
        try:
            _qty(p["activity_level"]).to(unit)
        except units.DimensionalityError:
            self.fail(f"{path}.activity_level.unit", N_(
                "a %(category)s activity level is in %(unit)s", category=p["goods_category"],
                unit=unit))
        if p["electricity_consumed_mwh"] > 0 and p["electricity_factor"] is None:
            self.fail(f"{path}.electricity_factor", N_(
                "the process consumes electricity: give its emission factor and source "
                "(%(sources)s)", sources=", ".join(EL_SOURCES)))
        if p["electricity_exported_mwh"] > 0 and p["electricity_exported_ef_t_per_mwh"] is None:
            self.fail(f"{path}.electricity_exported_ef_t_per_mwh",
                      N_("exported electricity needs the emission factor of its generation"))
        for j, use in enumerate(p["precursors"]):
            if use["precursor"] not in precs:
                self.fail(f"{path}.precursors[{j}].precursor",
                          N_("'%(id)s' is not the id of a precursor", id=use["precursor"]))

    def precursor(self, p: dict[str, Any], path: str, procs: dict[str, int]) -> None:
        if p["origin"] == "own":
            if p["process"] not in procs:
                self.fail(f"{path}.process",
                          N_("an own precursor names the process making it"))
            elif (made := self.raw["processes"][procs[p["process"]]]["goods_category"]) \
                    != p["goods_category"]:
                self.fail(f"{path}.goods_category", N_(
                    "process '%(process)s' makes %(category)s", process=p["process"],
                    category=made))
            if p["eu_origin"]:
                self.fail(f"{path}.eu_origin",
                          N_("an own precursor is made in this installation"))
        elif p["eu_origin"]:
            return
        elif p["see_source"] == "actual":
            for key in ("see_direct", "see_indirect"):
                if p[key] is None:
                    self.fail(f"{path}.{key}",
                              N_("actual values from the supplier are required"))
        else:
            for key in ("cn_code", "country"):
                if p[key] is None:
                    self.fail(f"{path}.{key}", N_(
                        "default values are looked up by CN code and country of origin"))

    def cycles(self, procs: dict[str, int], precs: dict[str, int]) -> None:
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(pid: str, trail: list[str]) -> None:
            state[pid] = 1
            p = self.raw["processes"][procs[pid]]
            for j, use in enumerate(p["precursors"]):
                prec = self.raw["precursors"][precs[use["precursor"]]] \
                    if use["precursor"] in precs else {"origin": "purchased"}
                nxt = prec["process"] if prec["origin"] == "own" else None
                if nxt not in procs:
                    continue
                if state.get(nxt) == 1:
                    self.fail(f"processes[{procs[pid]}].precursors[{j}].precursor",
                              N_("precursor cycle: %(cycle)s",
                                 cycle=" -> ".join([*trail, pid, nxt])))
                elif nxt not in state:
                    visit(nxt, [*trail, pid])
            state[pid] = 2

        for pid in procs:
            if pid not in state:
                visit(pid, [])

    def good(self, g: dict[str, Any], path: str, procs: dict[str, int]) -> None:
        code = classify_cn(g["cn_code"])
        if code is None or code.status == "excluded":
            self.fail(f"{path}.cn_code", N_(
                "%(code)s is not a CBAM good (Annex I of Regulation (EU) 2023/956): %(note)s",
                code=g["cn_code"], note=code.note) if code else N_(
                "%(code)s is not a CBAM good (Annex I of Regulation (EU) 2023/956)",
                code=g["cn_code"]))
            return
        if code.status == "partly_excluded" and not g["annex_i_checked"]:
            self.fail(f"{path}.cn_code", N_("%(note)s; set annex_i_checked: true once checked",
                                            note=code.note))
        if g["process"] not in procs:
            self.fail(f"{path}.process", N_("'%(id)s' is not the id of a process",
                                            id=g["process"]))
            return
        category = self.raw["processes"][procs[g["process"]]]["goods_category"]
        footprint = g["product_footprint"]
        unit = "MWh" if category == "electricity" else "t"
        if footprint and not _converts(footprint["declared_unit"], unit):
            self.fail(f"{path}.product_footprint.declared_unit.unit",
                      N_("the footprint's declared unit must be an amount of %(unit)s of the "
                         "good to be set beside its SEE", unit=unit))
        if SECTOR_OF[category] != code.sector:
            self.fail(f"{path}.cn_code", N_(
                "%(code)s is a %(sector)s good but process '%(process)s' makes %(category)s "
                "(%(its_sector)s)", code=g["cn_code"], sector=code.sector,
                process=g["process"], category=category, its_sector=SECTOR_OF[category]))
        allowed = QUALIFYING_PARAMETERS.get(code.sector, {})
        for key, value in g["parameters"].items():
            rule = allowed.get(key)
            where = f"{path}.parameters.{key}"
            if rule is None:
                self.fail(where, N_(
                    "not a qualifying parameter for %(sector)s (allowed: %(allowed)s)",
                    sector=code.sector, allowed=", ".join(allowed)) if allowed else N_(
                    "not a qualifying parameter for %(sector)s (allowed: none)",
                    sector=code.sector))
            elif rule == "text":
                if not isinstance(value, str):
                    self.fail(where, N_("must be text"))
            elif rule == "bool":
                if not isinstance(value, bool):
                    self.fail(where, N_("must be true or false"))
            elif isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(where, N_("must be a number"))
            elif value < rule[0] or (rule[1] is not None and value > rule[1]):
                low = format(rule[0], "g")
                self.fail(where, N_("%(value)s is outside %(low)s..%(high)s",
                                    value=format(value, "g"), low=low, high=rule[1])
                          if rule[1] else
                          N_("%(value)s is outside %(low)s..no limit", value=format(value, "g"),
                             low=low))


def _qty(raw: Mapping[str, Any]) -> Quantity[float]:
    return registry().Quantity(raw["amount"], raw["unit"])


def _converts(raw: Mapping[str, Any], unit: str) -> bool:
    try:
        _qty(raw).to(unit)
    except units.DimensionalityError:
        return False
    return True


def _show(raw: Mapping[str, Any]) -> str:
    return f"{raw['amount']:.12g} {raw['unit']}"


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value
