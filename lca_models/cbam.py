"""CBAM export reports: specific embedded emissions (SEE) of an installation's goods.

EU importers must declare the embedded emissions of CBAM goods (Regulation (EU) 2023/956,
Annex IV) and can only use actual values if the producing installation tells them; this
module turns an operator's validated monitoring data into those values. The pieces live in
their own modules and are re-exported here, so `from lca_models.cbam import ...` keeps
working: `cbam_data` (covered CN codes, mark-ups, default values and the Commission's
workbook), `cbam_schema` (the input's shape), `cbam_input` (loading and whole-document
checks), `cbam_results` (result dataclasses and rounding).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lca_models import units
from lca_models.cbam_data import (
    APPROACHES,
    EL_SOURCES,
    MASS_BALANCE_CO2_PER_C,
    QUALIFYING_PARAMETERS,
    SECTOR_CATEGORIES,
    SECTOR_OF,
    CoveredCode,
    DefaultValue,
    DefaultValues,
    Markup,
    classify_cn,
    covered_cn,
    covered_codes,
    import_default_values,
    markups,
)
from lca_models.cbam_exact import ExactSee, Indexed
from lca_models.cbam_input import (
    CbamInput,
    _qty,
    _show,
    load_report_data,
    load_report_input,
    locate_errors,
)
from lca_models.cbam_results import (
    CarbonPriceResult,
    CbamReport,
    FootprintComparison,
    GoodResult,
    PrecursorResult,
    ProcessResult,
    StreamResult,
    round_see,
)
from lca_models.errors import FactorFileError, ModelValidationError
from lca_models.factors import FactorRelease, load_release
from lca_models.messages import N_
from lca_models.units import registry

if TYPE_CHECKING:
    from pint import Quantity

__all__ = [
    "APPROACHES", "EL_SOURCES", "MASS_BALANCE_CO2_PER_C", "QUALIFYING_PARAMETERS",
    "SECTOR_CATEGORIES", "SECTOR_OF", "CarbonPriceResult", "CbamInput", "CbamReport",
    "CoveredCode", "DefaultValue", "DefaultValues", "FootprintComparison", "GoodResult",
    "Markup", "PrecursorResult", "ProcessResult", "StreamResult", "classify_cn",
    "compute_report", "covered_codes", "import_default_values", "load_report_data",
    "load_report_input", "markups", "round_see",
]


def compute_report(report_input: CbamInput | Mapping[str, Any],
                   release: FactorRelease | None = None,
                   defaults: DefaultValues | None = None) -> CbamReport:
    """Compute SEE per good; `defaults` replaces a workbook named in the input."""
    if not isinstance(report_input, CbamInput):
        report_input = load_report_data(report_input)
    try:
        with localcontext() as ctx:
            ctx.prec = 50  # divisions by the activity level stay exact far past 5 decimals
            return _Calc(report_input, release or load_release(), defaults).run()
    except ModelValidationError as exc:
        if report_input.cells:  # read from a workbook: point at the cell, not the path
            raise locate_errors(exc.errors, report_input.cells) from None
        raise


class _Calc(ExactSee):
    def __init__(self, inp: CbamInput, release: FactorRelease, defaults: DefaultValues | None):
        self.d, self.release = inp.data, release
        self.errors: dict[str, list[str]] = {}
        self.notes: list[str] = []
        self.defaults = self._defaults(inp, defaults)
        self.markup: Markup | None = None
        self.results: dict[str, ProcessResult] = {}
        self.exact: dict[str, tuple[Decimal, Decimal]] = {}

    def fail(self, path: str, message: str) -> None:
        if message not in self.errors.setdefault(path, []):
            self.errors[path].append(message)

    def _defaults(self, inp: CbamInput, given: DefaultValues | None) -> DefaultValues | None:
        ref = self.d["default_values"]
        if ref and ref["workbook"] and given is None:
            path = Path(ref["workbook"])
            try:
                given = import_default_values(path if path.is_absolute() or inp.base_dir is None
                                              else inp.base_dir / path)
            except FactorFileError as exc:
                self.fail("default_values.workbook", str(exc))
        if ref and ref["values"]:
            rows = {(r["country"], r["cn_code"]): DefaultValue(
                r["country"], r["cn_code"], r["description"], r["direct"], r["indirect"])
                for r in ref["values"]}
            inline = DefaultValues(ref["source"] or "values given in the report input",
                                   MappingProxyType(rows))
            given = given.merged(inline) if given else inline
        return given

    def default_see(self, country: str | None, cn: str | None, path: str) -> tuple[float, float]:
        """Default SEE with the year's mark-up: base × (1 + mark-up)."""
        found = self.defaults.lookup(country, cn) if self.defaults and country and cn else None
        if found is None:
            self.fail(path, N_("no default value for CN %(cn)s from %(country)s in %(source)s",
                               cn=cn, country=country, source=self.defaults.source)
                      if self.defaults else
                      N_("no default value for CN %(cn)s from %(country)s (no default_values)",
                         cn=cn, country=country))
            return 0.0, 0.0
        factor = 1 + self.get_markup() / 100
        return found.direct * factor, found.indirect * factor

    def get_markup(self) -> float:
        ref = self.d["default_values"] or {}
        year = ref.get("year") or self.d["installation"]["reporting_period"]["end"].year
        if ref.get("markup_percent") is not None:
            self.markup = Markup(year, ref["markup_percent"], True, "report input", "")
        elif self.markup is None:
            self.markup = markups().get(year)
            if self.markup is None:
                self.fail("default_values.markup_percent", N_(
                    "no mark-up known for %(year)s: give default_values.markup_percent",
                    year=year))
                return 0.0
            if not self.markup.confirmed:
                self.notes.append(f"Default values include the {year} mark-up of "
                                  f"{self.markup.percent:g} %, which is UNCONFIRMED: "
                                  f"{self.markup.note}")
        return self.markup.percent

    def run(self) -> CbamReport:
        streams = tuple(self.stream(s, f"source_streams[{i}]")
                        for i, s in enumerate(self.d["source_streams"]))
        precs = {p["id"]: (i, p) for i, p in enumerate(self.d["precursors"])}
        procs = {p["id"]: (i, p) for i, p in enumerate(self.d["processes"])}
        for pid in procs:
            self.process(pid, procs, precs, streams)
        prec_results = tuple(self.precursor_result(p, i)
                             for i, p in enumerate(self.d["precursors"]))
        goods = tuple(self.good(g, f"goods[{i}]") for i, g in enumerate(self.d["goods"]))
        if self.errors:
            raise ModelValidationError(self.errors)
        results = tuple(self.results[p["id"]] for p in self.d["processes"])
        for code in sorted({covered_cn(g.cn_code) for g in goods}, key=lambda c: c.prefix):
            if not code.confirmed:
                self.notes.append(f"CN {code.prefix} ({code.sector}): {code.note}")
        return CbamReport(
            installation=self.d["installation"], data_quality=self.d["data_quality"],
            source_streams=streams, processes=results, precursors=prec_results, goods=goods,
            total_direct_t=sum(p.direct_emissions_t for p in results),
            total_indirect_t=sum(p.attributed_indirect_t for p in results),
            markup=self.markup, default_values_source=self.defaults.source if (
                self.defaults and self.markup) else None,
            factor_release=f"{self.release.version} ({self.release.sha256})",
            notes=tuple(dict.fromkeys(self.notes)))

    def factor_t_per(self, factor_id: str, path: str) -> Quantity[float] | None:
        """CO2 (fossil) of a release factor, as t per its activity unit."""
        if factor_id not in self.release:
            self.fail(path, N_("'%(id)s' is not a factor of release %(release)s%(hint)s",
                               id=factor_id, release=self.release.version, hint=""))
            return None
        f = self.release.factors[factor_id]
        if f.gases.get("co2_fossil") is None:
            self.fail(path, N_("'%(id)s' has no fossil CO2 value", id=factor_id))
            return None
        return registry().Quantity(f.gases["co2_fossil"] / 1000, f"t/{f.unit}")

    def stream(self, s: Mapping[str, Any], path: str) -> StreamResult:
        qty, fossil = _qty(s["quantity"]), 1 - s["biomass_share"]
        text = _show(s["quantity"])
        try:
            if s["method"] == "mass_balance":
                sign = -1 if s["direction"] == "output" else 1
                em = sign * MASS_BALANCE_CO2_PER_C * qty.to("t").magnitude * s["carbon_content"]
                text = f"{sign * MASS_BALANCE_CO2_PER_C:g} × {text} × C {s['carbon_content']:g}"
            else:
                ef = (_qty(s["emission_factor"]) if s["factor"] is None
                      else self.factor_t_per(s["factor"], f"{path}.factor"))
                if ef is None:
                    return StreamResult(s["id"], s["name"] or s["id"], s["method"], s["process"],
                                        0.0, "")
                if s["method"] == "combustion":
                    if s["ncv"] is not None:
                        qty, text = qty * _qty(s["ncv"]), f"{text} × NCV {_show(s['ncv'])}"
                    mult, label = s["oxidation_factor"], "OF"
                else:
                    mult, label = s["conversion_factor"], "CF"
                em = (qty * ef).to("t").magnitude * mult
                shown = _show(s["emission_factor"]) if s["factor"] is None else (
                    f"{ef.magnitude:g} t CO2/{self.release.factors[s['factor']].unit} "
                    f"({s['factor']})")
                text = f"{text} × EF {shown} × {label} {mult:g}"
        except units.DimensionalityError:
            self.fail(f"{path}.quantity.unit", N_("a mass balance needs a mass")
                      if s["method"] == "mass_balance" else N_(
                          "%(text)s cannot give tonnes of CO2 with this emission factor (an NCV "
                          "may be missing, or the units do not match)", text=text))
            em = 0.0
        if s["biomass_share"]:
            text += f" × (1 − biomass {s['biomass_share']:g})"
        return StreamResult(s["id"], s["name"] or s["id"], s["method"], s["process"],
                            em * fossil, text)

    def process(self, pid: str, procs: Indexed, precs: Indexed,
                streams: tuple[StreamResult, ...]) -> ProcessResult:
        if pid in self.results:
            return self.results[pid]
        i, p = procs[pid]
        path = f"processes[{i}]"
        al_unit = "MWh" if p["goods_category"] == "electricity" else "t"
        al = _qty(p["activity_level"]).to(al_unit).magnitude
        by_approach = dict.fromkeys(APPROACHES, 0.0)
        by_approach["calculation"] = sum(s.emissions_t for s in streams if s.process == pid)
        for other in p["other_direct_emissions"]:
            by_approach[other["approach"]] += other["amount_t"]
        heat = {k: (p[k]["energy_tj"] * p[k]["emission_factor_t_per_tj"] if p[k] else 0.0)
                for k in ("heat_imported", "heat_exported")}
        el_exp = p["electricity_exported_mwh"] * (p["electricity_exported_ef_t_per_mwh"] or 0.0)
        direct = sum(by_approach.values())
        attr_dir = (direct + heat["heat_imported"] - heat["heat_exported"]
                    + p["waste_gas_imported_t"] - p["waste_gas_exported_t"] - el_exp)
        el_f, ef = p["electricity_factor"], None
        if el_f:
            q = (registry().Quantity(el_f["value_t_per_mwh"], "t/MWh") if el_f["factor"] is None
                 else self.factor_t_per(el_f["factor"], f"{path}.electricity_factor.factor"))
            try:
                ef = q.to("t/MWh").magnitude if q is not None else None
            except units.DimensionalityError:
                self.fail(f"{path}.electricity_factor.factor",
                          N_("not a factor per unit of energy"))
        attr_ind = p["electricity_consumed_mwh"] * (ef or 0.0)
        inp = dict.fromkeys(("dir", "ind", "def_dir", "def_ind", "el"), 0.0)
        for use in p["precursors"]:
            k, prec = precs[use["precursor"]]
            see = self.precursor_see(prec, f"precursors[{k}]", procs, precs, streams)
            for key, value in zip(inp, see, strict=True):
                inp[key] += use["mass_t"] * value
        res = ProcessResult(
            pid, p["name"] or pid, p["goods_category"], p["route"], al, al_unit,
            MappingProxyType(by_approach), direct, heat["heat_imported"], heat["heat_exported"],
            p["waste_gas_imported_t"], p["waste_gas_exported_t"], el_exp, attr_dir,
            p["electricity_consumed_mwh"], ef, el_f and el_f["source"],
            el_f and (el_f["factor"] or el_f["evidence"] or "value given by the operator"),
            attr_ind, inp["dir"], inp["ind"], (attr_dir + inp["dir"]) / al,
            (attr_ind + inp["ind"]) / al, inp["def_dir"] / al, inp["def_ind"] / al,
            (p["electricity_consumed_mwh"] + inp["el"]) / al)
        self.results[pid] = res
        self.exact[pid] = self._exact_see(pid, p, al, ef, precs, procs, streams)
        return res

    def precursor_see(self, prec: Mapping[str, Any], path: str, procs: Indexed,
                      precs: Indexed, streams: tuple[StreamResult, ...]
                      ) -> tuple[float, float, float, float, float]:
        """(direct, indirect, default direct, default indirect, electricity MWh) per tonne."""
        if prec["origin"] == "own":
            r = self.process(prec["process"], procs, precs, streams)
            return (r.see_direct, r.see_indirect, r.default_direct, r.default_indirect,
                    r.embedded_electricity_mwh_per_t)
        el = prec["embedded_electricity_mwh_per_t"] or 0.0
        if prec["eu_origin"]:
            return 0.0, 0.0, 0.0, 0.0, el
        if prec["see_source"] == "actual":
            return prec["see_direct"], prec["see_indirect"], 0.0, 0.0, el
        direct, indirect = self.default_see(prec["country"], prec["cn_code"], f"{path}.cn_code")
        return direct, indirect, direct, indirect, el

    def precursor_result(self, p: Mapping[str, Any], i: int) -> PrecursorResult:
        used: dict[str, float] = {}
        for q in self.d["processes"]:
            for u in (u for u in q["precursors"] if u["precursor"] == p["id"]):
                used[q["id"]] = used.get(q["id"], 0.0) + u["mass_t"]
        if p["origin"] == "own" and p["process"] in self.results:
            r = self.results[p["process"]]
            see = r.see_direct, r.see_indirect
        elif p["eu_origin"]:
            see = 0.0, 0.0
        elif p["see_source"] == "default":
            see = self.default_see(p["country"], p["cn_code"], f"precursors[{i}].cn_code")
        else:
            see = p["see_direct"], p["see_indirect"]
        return PrecursorResult(p["id"], p["name"] or p["id"], p["goods_category"], p["cn_code"],
                               p["origin"], p["see_source"], p["eu_origin"], *see,
                               MappingProxyType(used))

    def good(self, g: Mapping[str, Any], path: str) -> GoodResult:
        code = covered_cn(g["cn_code"])
        r = self.results[g["process"]]
        direct_only = not code.indirect_counted
        if g["see_source"] == "default":
            country = self.d["installation"]["country"]
            d, ind = self.default_see(country, g["cn_code"], f"{path}.cn_code")
            exact_d, exact_i = self.exact_default_see(country, g["cn_code"], path)
            def_d, def_i, el = d, ind, None
        else:
            d, ind, el = r.see_direct, r.see_indirect, r.embedded_electricity_mwh_per_t
            exact_d, exact_i = self.exact[r.id]
            def_d, def_i = r.default_direct, r.default_indirect
        basis = d if direct_only else d + ind
        exact_basis = exact_d if direct_only else exact_d + exact_i
        share = ((def_d if direct_only else def_d + def_i) / basis) if basis else 0.0
        return GoodResult(
            g["cn_code"], g["cn_name"], g["name"], r.id, r.name, r.goods_category, code.sector,
            direct_only, g["quantity_t"], r.unit, g["see_source"], round_see(exact_d),
            None if direct_only else round_see(exact_i), round_see(exact_basis), share,
            r.electricity_ef_source if el is not None else None,
            r.electricity_ef_t_per_mwh if el is not None else None, el, g["parameters"],
            self.carbon_price(r.id, basis),
            g["product_footprint"] and _comparison(g, r, code.sector, direct_only,
                                                   round_see(exact_basis)))

    def carbon_price(self, pid: str, see: float) -> CarbonPriceResult | None:
        """Effective price per unit of good: price × covered emissions − rebates, not < 0."""
        cp = next((c for c in self.d["carbon_price"] if not c["processes"]
                   or pid in c["processes"]), None)
        if cp is None:
            return None
        covered = cp["share_covered"] * see
        due = cp["price_per_tco2e"] * covered
        rebate_share = sum(r["share_covered"] or 0.0 for r in cp["rebates"])
        rebate = (cp["price_per_tco2e"] * rebate_share * see
                  + sum(r["amount_per_unit"] or 0.0 for r in cp["rebates"]))
        if rebate > due:
            self.notes.append(f"Rebates for process '{pid}' exceed the price due; the effective "
                              "carbon price is reported as zero.")
        effective = max(due - rebate, 0.0)
        has_share = any(r["share_covered"] is not None for r in cp["rebates"])
        return CarbonPriceResult(
            cp["instrument"], cp["name"], cp["legal_act"], cp["country"], cp["currency"],
            cp["price_per_tco2e"], cp["share_covered"], covered, due,
            "; ".join(r["type"] for r in cp["rebates"]) or None,
            rebate_share if has_share else None, rebate_share * see if has_share else None,
            rebate, effective, effective / see if see else 0.0, cp["evidence"])


def _comparison(g: Mapping[str, Any], r: ProcessResult, sector: str, direct_only: bool,
                see_total: float) -> FootprintComparison:
    """The footprint per unit of good beside the SEE, with why the two differ for this good.

    Every note is a fact of this report (what its formulas count, what the footprint says
    about itself), so the explanation never claims more than the data show."""
    fp = g["product_footprint"]
    per_unit = (fp["kg_co2e_per_declared_unit"] / 1000
                / _qty(fp["declared_unit"]).to(r.unit).magnitude)
    counted = ["its source streams and other direct emissions, corrected for heat, waste gases "
               "and exported electricity"]
    if not direct_only:
        counted.append("the electricity it consumes")
    if r.precursors_direct_t or r.precursors_indirect_t:
        counted.append("the embedded emissions of the precursors listed in this report")
    notes = [
        "The SEE count the installation's attributed emissions (" + "; ".join(counted)
        + f") per {r.unit} of good; the footprint counts every input from extraction on as "
        "far as its model goes, such as raw materials that are not CBAM precursors, the "
        "supply chains of fuels and transport to the gate.",
        "The source streams here count fossil CO2 (the biomass share is left out); other "
        "gases only as PFC, measured or other direct emissions. The footprint weighs every "
        "greenhouse gas" + (f" ({fp['method']})." if fp["method"] else "."),
    ]
    if direct_only:
        notes.append(f"For {sector} goods only direct emissions are reported (Annex II of "
                     "Regulation (EU) 2023/956); the footprint also counts the electricity "
                     "used.")
    if g["see_source"] == "default":
        notes.append("This good is reported at default values (with the mark-up), not the "
                     "installation's own emissions.")
    if "cradletogate" not in "".join(ch for ch in fp["boundary"].lower() if ch.isalpha()):
        notes.append(f"The footprint's boundary is '{fp['boundary']}', not cradle-to-gate, so "
                     "it covers a different part of the life cycle than the SEE.")
    amount = fp["declared_unit"]
    return FootprintComparison(
        fp["kg_co2e_per_declared_unit"], f"{amount['amount']:g} {amount['unit']}",
        fp["boundary"], fp["method"], fp["reference"] or fp["calculation_id"], per_unit,
        see_total, per_unit - see_total, tuple(notes))
