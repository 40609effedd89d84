"""CBAM export reports: specific embedded emissions (SEE) of an installation's goods.

EU importers must declare the embedded emissions of CBAM goods (Regulation (EU) 2023/956,
Annex IV) and can only use actual values if the producing installation tells them; this
module turns an operator's monitoring data into those values. Regulatory facts that were not
checked against the Official Journal (mark-up per year, partly excluded CN headings, the
hydrogen Annex II row) are data files with `confirmed=false`, and the report says when one
was used. Marshmallow checks the input's shape; `_Checker` does what needs the whole document.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import openpyxl
import pint
import pycountry
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lca_models.errors import FactorFileError, ModelValidationError
from lca_models.factors import FactorRelease, load_release
from lca_models.inventory_schema import Unit, flatten_errors, parse_model_text
from lca_models.units import registry

SECTOR_CATEGORIES = {
    "cement": ("calcined clays", "cement clinker", "cement", "aluminous cement"),
    "fertilisers": ("ammonia", "nitric acid", "urea", "mixed fertilisers"),
    "iron and steel": ("sintered ore", "pig iron", "FeMn", "FeCr", "FeNi", "DRI",
                       "crude steel", "iron or steel products"),
    "aluminium": ("unwrought aluminium", "aluminium products"),
    "hydrogen": ("hydrogen",),
    "electricity": ("electricity",),
}
SECTOR_OF = {cat: sector for sector, cats in SECTOR_CATEGORIES.items() for cat in cats}
_PCT = (0.0, 100.0)
#: Qualifying parameters the template asks for, by sector: (min, max), "text" or "bool".
QUALIFYING_PARAMETERS: dict[str, dict[str, Any]] = {
    "iron and steel": {
        "main_reducing_agent": "text", "steel_mill_id": "text", "mn_percent": _PCT,
        "cr_percent": _PCT, "ni_percent": _PCT, "other_alloys_percent": _PCT,
        "carbon_percent": _PCT, "scrap_t_per_t_steel": (0.0, None),
        "other_materials_percent": _PCT, "pre_consumer_scrap_percent": _PCT},
    "aluminium": {"scrap_t_per_t_aluminium": (0.0, None), "pre_consumer_scrap_percent": _PCT,
                  "non_aluminium_percent": _PCT},
    "cement": {"clinker_factor": (0.0, 1.0), "calcined": "bool"},
    "fertilisers": {k: _PCT for k in (
        "hydrous_concentration_percent", "nitric_acid_percent", "urea_percent",
        "n_total_percent", "n_ammonium_percent", "n_nitrate_percent", "n_urea_percent",
        "n_other_percent")},
}
EL_SOURCES = ("default", "direct_technical_link", "power_purchase_agreement")
APPROACHES = ("calculation", "pfc", "measurement", "other")
MASS_BALANCE_CO2_PER_C = 3.664
_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$", error="use letters, digits, _ . -")
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _data_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("lca_models").joinpath("data/cbam", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class CoveredCode:
    """One CN prefix of Annex I; the longest matching prefix decides."""

    prefix: str
    sector: str
    status: str  # covered | excluded | partly_excluded
    indirect_counted: bool
    confirmed: bool
    note: str


@dataclass(frozen=True)
class Markup:
    year: int
    percent: float
    confirmed: bool
    source: str
    note: str


@lru_cache(maxsize=1)
def covered_codes() -> tuple[CoveredCode, ...]:
    return tuple(CoveredCode(r["prefix"], r["sector"], r["status"],
                             r["indirect_counted"] == "true", r["confirmed"] == "true", r["note"])
                 for r in _data_rows("covered_cn_codes.csv"))


def classify_cn(cn_code: str) -> CoveredCode | None:
    hits = [c for c in covered_codes() if cn_code.startswith(c.prefix)]
    return max(hits, key=lambda c: len(c.prefix)) if hits else None


@lru_cache(maxsize=1)
def markups() -> MappingProxyType:
    """Mark-up on default values by year, as shipped (every row UNCONFIRMED so far)."""
    return MappingProxyType({int(r["year"]): Markup(int(r["year"]), float(r["markup_percent"]),
                                                    r["confirmed"] == "true", r["source"],
                                                    r["note"])
                             for r in _data_rows("markup.csv")})


@dataclass(frozen=True)
class DefaultValue:
    country: str
    cn_code: str
    description: str
    direct: float
    indirect: float


@dataclass(frozen=True)
class DefaultValues:
    """Default SEE (before mark-up) by (ISO country, CN code or prefix), with their source."""

    source: str
    values: Mapping[tuple[str, str], DefaultValue]

    def lookup(self, country: str, cn_code: str) -> DefaultValue | None:
        hits = [v for (c, cn), v in self.values.items() if c == country
                and cn_code.startswith(cn)]
        return max(hits, key=lambda v: len(v.cn_code)) if hits else None

    def merged(self, other: DefaultValues) -> DefaultValues:
        """`other` wins where both have a value, so inline values can correct a workbook."""
        return DefaultValues(f"{self.source}; {other.source}",
                             MappingProxyType({**self.values, **other.values}))


# ---- input schema ---------------------------------------------------------------------------
def _ge0(**kw: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0), allow_nan=False, **kw)


def _share(**kw: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0, max=1), allow_nan=False, **kw)


def _country(value: str) -> None:
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(f"'{value}' is not an ISO 3166-1 alpha-2 country code")


class _S(Schema):
    class Meta:
        unknown = RAISE


class QtySchema(_S):
    amount = fields.Float(required=True, allow_nan=False)
    unit = Unit(required=True)


class PositiveQtySchema(QtySchema):
    amount = fields.Float(required=True, allow_nan=False, validate=validate.Range(
        min=0, min_inclusive=False, error="must be greater than zero"))


class NonNegQtySchema(QtySchema):
    amount = _ge0(required=True)


class OperatorSchema(_S):
    name = fields.String(required=True, validate=validate.Length(min=1))
    identifier = fields.String(required=True, validate=validate.Length(min=1))
    identifier_type = fields.String(load_default="USCC")
    address = fields.String(required=True)

    @validates_schema
    def _uscc(self, data: dict, **kw: Any) -> None:
        if data.get("identifier_type") == "USCC" and not _uscc_ok(data.get("identifier", "")):
            raise ValidationError("not a valid unified social credit code (18 characters, "
                                  "check digit per GB 32100-2015)", "identifier")


class AddressSchema(_S):
    street = fields.String(required=True)
    city = fields.String(required=True)
    postcode = fields.String(load_default=None)


class CoordinatesSchema(_S):
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class PeriodSchema(_S):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class InstallationSchema(_S):
    operator = fields.Nested(OperatorSchema, required=True)
    name_en = fields.String(required=True, validate=validate.Length(min=1))
    name_local = fields.String(load_default=None)
    address = fields.Nested(AddressSchema, required=True)
    economic_activity = fields.String(required=True)
    country = fields.String(required=True, validate=_country)
    subdivision = fields.String(load_default=None)
    unlocode = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Z]{2}[A-Z2-9]{3}$", error="a UN/LOCODE is 2 letters + 3 letters/digits"))
    coordinates = fields.Nested(CoordinatesSchema, required=True)
    reporting_period = fields.Nested(PeriodSchema, required=True)


class StreamSchema(_S):
    id = fields.String(required=True, validate=_ID)
    name = fields.String(load_default=None)
    process = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(
        ("combustion", "process", "mass_balance")))
    quantity = fields.Nested(NonNegQtySchema, required=True)
    ncv = fields.Nested(NonNegQtySchema, load_default=None)
    emission_factor = fields.Nested(NonNegQtySchema, load_default=None)
    factor = fields.String(load_default=None)
    oxidation_factor = _share(load_default=1.0)
    conversion_factor = _share(load_default=1.0)
    carbon_content = _share(load_default=None)
    direction = fields.String(load_default="input", validate=validate.OneOf(("input", "output")))
    biomass_share = _share(load_default=0.0)
    comment = fields.String(load_default=None)


class HeatSchema(_S):
    energy_tj = _ge0(required=True)
    emission_factor_t_per_tj = _ge0(required=True)


def _el_source(value: str) -> None:
    if "guarantee" in value.lower():
        raise ValidationError("guarantees of origin do not qualify; use the country default")
    validate.OneOf(EL_SOURCES)(value)


class ElFactorSchema(_S):
    source = fields.String(required=True, validate=_el_source)
    factor = fields.String(load_default=None)
    value_t_per_mwh = _ge0(load_default=None)
    evidence = fields.String(load_default=None)

    @validates_schema
    def _one(self, data: dict, **kw: Any) -> None:
        if (data.get("factor") is None) == (data.get("value_t_per_mwh") is None):
            raise ValidationError("give exactly one of 'factor' or 'value_t_per_mwh'", "factor")


class OtherEmissionSchema(_S):
    approach = fields.String(required=True, validate=validate.OneOf(APPROACHES[1:]))
    amount_t = _ge0(required=True)
    description = fields.String(load_default=None)


class PrecursorUseSchema(_S):
    precursor = fields.String(required=True)
    mass_t = _ge0(required=True)


class ProcessSchema(_S):
    id = fields.String(required=True, validate=_ID)
    name = fields.String(load_default=None)
    goods_category = fields.String(required=True, validate=validate.OneOf(SECTOR_OF))
    route = fields.String(load_default=None)
    activity_level = fields.Nested(PositiveQtySchema, required=True)
    other_direct_emissions = fields.List(fields.Nested(OtherEmissionSchema), load_default=list)
    heat_imported = fields.Nested(HeatSchema, load_default=None)
    heat_exported = fields.Nested(HeatSchema, load_default=None)
    waste_gas_imported_t = _ge0(load_default=0.0)
    waste_gas_exported_t = _ge0(load_default=0.0)
    electricity_consumed_mwh = _ge0(load_default=0.0)
    electricity_exported_mwh = _ge0(load_default=0.0)
    electricity_exported_ef_t_per_mwh = _ge0(load_default=None)
    electricity_factor = fields.Nested(ElFactorSchema, load_default=None)
    precursors = fields.List(fields.Nested(PrecursorUseSchema), load_default=list)


class PrecursorSchema(_S):
    id = fields.String(required=True, validate=_ID)
    name = fields.String(load_default=None)
    goods_category = fields.String(required=True, validate=validate.OneOf(SECTOR_OF))
    cn_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{8}$"))
    origin = fields.String(required=True, validate=validate.OneOf(("own", "purchased")))
    process = fields.String(load_default=None)
    see_source = fields.String(load_default="actual", validate=validate.OneOf(
        ("actual", "default")))
    eu_origin = fields.Boolean(load_default=False)
    country = fields.String(load_default=None, validate=_country)
    supplier = fields.String(load_default=None)
    see_direct = _ge0(load_default=None)
    see_indirect = _ge0(load_default=None)
    embedded_electricity_mwh_per_t = _ge0(load_default=None)


class GoodSchema(_S):
    cn_code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{8}$", error="a CN code has 8 digits"))
    cn_name = fields.String(load_default=None)
    name = fields.String(required=True)
    process = fields.String(required=True)
    quantity_t = _ge0(load_default=None)
    see_source = fields.String(load_default="actual", validate=validate.OneOf(
        ("actual", "default")))
    parameters = fields.Dict(keys=fields.String(), load_default=dict)
    annex_i_checked = fields.Boolean(load_default=False)


class RebateSchema(_S):
    type = fields.String(required=True, validate=validate.OneOf(
        ("free_allocation", "compensation", "tax_deduction", "other")))
    share_covered = _share(load_default=None)
    amount_per_unit = _ge0(load_default=None)
    description = fields.String(load_default=None)

    @validates_schema
    def _one(self, data: dict, **kw: Any) -> None:
        if (data.get("share_covered") is None) == (data.get("amount_per_unit") is None):
            raise ValidationError("give exactly one of 'share_covered' or 'amount_per_unit'",
                                  "share_covered")


class EvidenceSchema(_S):
    title = fields.String(required=True)
    reference = fields.String(required=True)


class CarbonPriceSchema(_S):
    instrument = fields.String(required=True, validate=validate.OneOf(
        ("ets", "carbon_tax", "other")))
    name = fields.String(required=True)
    legal_act = fields.String(required=True)
    country = fields.String(required=True, validate=_country)
    subdivision = fields.String(load_default=None)
    currency = fields.String(required=True, validate=lambda c: _ok(
        pycountry.currencies.get(alpha_3=c) is not None, f"'{c}' is not an ISO 4217 currency"))
    price_per_tco2e = _ge0(required=True)
    share_covered = _share(required=True)
    processes = fields.List(fields.String(), load_default=list)
    rebates = fields.List(fields.Nested(RebateSchema), load_default=list)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(
        min=1, error="the report must carry the evidence of the price paid (or not paid)"))


class DefaultRowSchema(_S):
    country = fields.String(required=True, validate=_country)
    cn_code = fields.String(required=True, validate=validate.Regexp(r"^\d{4,8}$"))
    description = fields.String(load_default="")
    direct = _ge0(required=True)
    indirect = _ge0(load_default=0.0)


class DefaultRefSchema(_S):
    workbook = fields.String(load_default=None)
    source = fields.String(load_default=None)
    year = fields.Integer(load_default=None, validate=validate.Range(min=2026, max=2100))
    markup_percent = _ge0(load_default=None)
    values = fields.List(fields.Nested(DefaultRowSchema), load_default=list)


class DataQualitySchema(_S):
    information = fields.String(load_default=None)
    default_value_justification = fields.String(load_default=None)
    quality_assurance = fields.String(load_default=None)


class CbamInputSchema(_S):
    schema_version = fields.Integer(load_default=1, validate=validate.Equal(1))
    installation = fields.Nested(InstallationSchema, required=True)
    source_streams = fields.List(fields.Nested(StreamSchema), load_default=list)
    processes = fields.List(fields.Nested(ProcessSchema), required=True,
                            validate=validate.Length(min=1))
    precursors = fields.List(fields.Nested(PrecursorSchema), load_default=list)
    goods = fields.List(fields.Nested(GoodSchema), required=True, validate=validate.Length(min=1))
    carbon_price = fields.List(fields.Nested(CarbonPriceSchema), load_default=list)
    default_values = fields.Nested(DefaultRefSchema, load_default=None)
    data_quality = fields.Nested(DataQualitySchema, load_default=None)
    notes = fields.String(load_default=None)


def _ok(condition: bool, message: str) -> None:
    if not condition:
        raise ValidationError(message)


def _uscc_ok(code: str) -> bool:
    if not re.fullmatch(rf"[{_USCC}]{{18}}", code):
        return False
    total = sum(_USCC.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return _USCC[(31 - total % 31) % 31] == code[17]


# ---- loading and whole-document checks -----------------------------------------------------
@dataclass(frozen=True)
class CbamInput:
    """A validated report input; `base_dir` resolves a default-value workbook path."""

    data: Mapping[str, Any]
    base_dir: Path | None = None


def load_report_data(data: Mapping[str, Any], base_dir: Path | None = None) -> CbamInput:
    """Validate plain data; raise ModelValidationError naming every bad field."""
    if not isinstance(data, Mapping):
        raise ModelValidationError({"_schema": "a CBAM report input must be a mapping"})
    try:
        raw = CbamInputSchema().load(data)
    except ValidationError as exc:
        raise ModelValidationError(flatten_errors(exc.messages)) from None
    errors = _Checker(raw).run()
    if errors:
        raise ModelValidationError(errors)
    return CbamInput(_freeze(raw), base_dir)


def load_report_input(path: str | Path) -> CbamInput:
    """Read a YAML or JSON report input file."""
    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return load_report_data(parse_model_text(path.read_text("utf-8"), fmt), path.parent)


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
                self.fail(f"{key}[{i}].id", f"'{item['id']}' is already used by "
                                            f"{key}[{seen[item['id']]}]")
            seen.setdefault(item["id"], i)
        return seen

    def run(self) -> dict[str, list[str]]:
        inst, raw = self.raw["installation"], self.raw
        sub = inst["subdivision"]
        if sub and (pycountry.subdivisions.get(code=sub) is None
                    or not sub.startswith(inst["country"] + "-")):
            self.fail("installation.subdivision", f"'{sub}' is not an ISO 3166-2 subdivision "
                                                  f"of {inst['country']}")
        if not inst["unlocode"].startswith(inst["country"]):
            self.fail("installation.unlocode", f"must start with the country {inst['country']}")
        period = inst["reporting_period"]
        if period["end"] < period["start"]:
            self.fail("installation.reporting_period.end", "ends before it starts")
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
                    self.fail(f"carbon_price[{i}].processes[{j}]", f"no process '{pid}'")
                elif pid in priced:
                    self.fail(f"carbon_price[{i}].processes", f"process '{pid}' already has "
                              f"carbon_price[{priced[pid]}]; the template has one per product")
                priced.setdefault(pid, i)
        return self.errors

    def stream(self, s: dict, path: str, procs: dict[str, int]) -> None:
        if s["process"] not in procs:
            self.fail(f"{path}.process", f"'{s['process']}' is not the id of a process")
        if s["method"] == "mass_balance":
            if s["carbon_content"] is None:
                self.fail(f"{path}.carbon_content", "mass balance needs the carbon content "
                                                    "(t C per t)")
        elif (s["factor"] is None) == (s["emission_factor"] is None):
            self.fail(f"{path}.emission_factor", "give exactly one of 'emission_factor' "
                                                 "or 'factor' (a release factor id)")

    def process(self, p: dict, path: str, precs: dict[str, int]) -> None:
        unit = "MWh" if p["goods_category"] == "electricity" else "t"
        try:
            _qty(p["activity_level"]).to(unit)
        except pint.errors.DimensionalityError:
            self.fail(f"{path}.activity_level.unit", f"a {p['goods_category']} activity level "
                                                     f"is in {unit}")
        if p["electricity_consumed_mwh"] > 0 and p["electricity_factor"] is None:
            self.fail(f"{path}.electricity_factor", "the process consumes electricity: give its "
                      f"emission factor and source ({', '.join(EL_SOURCES)})")
        if p["electricity_exported_mwh"] > 0 and p["electricity_exported_ef_t_per_mwh"] is None:
            self.fail(f"{path}.electricity_exported_ef_t_per_mwh",
                      "exported electricity needs the emission factor of its generation")
        for j, use in enumerate(p["precursors"]):
            if use["precursor"] not in precs:
                self.fail(f"{path}.precursors[{j}].precursor",
                          f"'{use['precursor']}' is not the id of a precursor")

    def precursor(self, p: dict, path: str, procs: dict[str, int]) -> None:
        if p["origin"] == "own":
            if p["process"] not in procs:
                self.fail(f"{path}.process", "an own precursor names the process making it")
            elif (made := self.raw["processes"][procs[p["process"]]]["goods_category"]) \
                    != p["goods_category"]:
                self.fail(f"{path}.goods_category", f"process '{p['process']}' makes {made}")
            if p["eu_origin"]:
                self.fail(f"{path}.eu_origin", "an own precursor is made in this installation")
        elif p["eu_origin"]:
            return
        elif p["see_source"] == "actual":
            for key in ("see_direct", "see_indirect"):
                if p[key] is None:
                    self.fail(f"{path}.{key}", "actual values from the supplier are required")
        else:
            for key in ("cn_code", "country"):
                if p[key] is None:
                    self.fail(f"{path}.{key}", "default values are looked up by CN code and "
                                               "country of origin")

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
                              "precursor cycle: " + " -> ".join([*trail, pid, nxt]))
                elif nxt not in state:
                    visit(nxt, [*trail, pid])
            state[pid] = 2

        for pid in procs:
            if pid not in state:
                visit(pid, [])

    def good(self, g: dict, path: str, procs: dict[str, int]) -> None:
        code = classify_cn(g["cn_code"])
        if code is None or code.status == "excluded":
            self.fail(f"{path}.cn_code", f"{g['cn_code']} is not a CBAM good (Annex I of "
                      "Regulation (EU) 2023/956)" + (f": {code.note}" if code else ""))
            return
        if code.status == "partly_excluded" and not g["annex_i_checked"]:
            self.fail(f"{path}.cn_code", f"{code.note}; set annex_i_checked: true once checked")
        if g["process"] not in procs:
            self.fail(f"{path}.process", f"'{g['process']}' is not the id of a process")
            return
        category = self.raw["processes"][procs[g["process"]]]["goods_category"]
        if SECTOR_OF[category] != code.sector:
            self.fail(f"{path}.cn_code", f"{g['cn_code']} is a {code.sector} good but process "
                      f"'{g['process']}' makes {category} ({SECTOR_OF[category]})")
        allowed = QUALIFYING_PARAMETERS.get(code.sector, {})
        for key, value in g["parameters"].items():
            rule = allowed.get(key)
            where = f"{path}.parameters.{key}"
            if rule is None:
                self.fail(where, f"not a qualifying parameter for {code.sector} (allowed: "
                                 f"{', '.join(allowed) or 'none'})")
            elif rule == "text":
                if not isinstance(value, str):
                    self.fail(where, "must be text")
            elif rule == "bool":
                if not isinstance(value, bool):
                    self.fail(where, "must be true or false")
            elif isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(where, "must be a number")
            elif value < rule[0] or (rule[1] is not None and value > rule[1]):
                self.fail(where, f"{value:g} is outside {rule[0]:g}..{rule[1] or 'no limit'}")


def _qty(raw: Mapping[str, Any]) -> pint.Quantity:
    return registry().Quantity(raw["amount"], raw["unit"])


def _show(raw: Mapping[str, Any]) -> str:
    return f"{raw['amount']:.12g} {raw['unit']}"


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


# ---- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class StreamResult:
    id: str
    name: str
    method: str
    process: str
    emissions_t: float  # fossil CO2; mass-balance outputs negative
    formula: str  # the numbers used, so a reviewer can redo the product by hand


@dataclass(frozen=True)
class ProcessResult:
    """Attributed emissions of one production process, and SEE per unit of its output."""

    id: str
    name: str
    goods_category: str
    route: str | None
    activity_level: float  # t (MWh for electricity)
    unit: str
    emissions_by_approach: Mapping[str, float]
    direct_emissions_t: float
    heat_imported_t: float
    heat_exported_t: float
    waste_gas_imported_t: float
    waste_gas_exported_t: float
    electricity_exported_t: float
    attributed_direct_t: float
    electricity_consumed_mwh: float
    electricity_ef_t_per_mwh: float | None
    electricity_ef_source: str | None
    electricity_ef_reference: str | None
    attributed_indirect_t: float
    precursors_direct_t: float
    precursors_indirect_t: float
    see_direct: float  # unrounded
    see_indirect: float
    default_direct: float  # part of see_direct that comes from default values
    default_indirect: float
    embedded_electricity_mwh_per_t: float


@dataclass(frozen=True)
class PrecursorResult:
    id: str
    name: str
    goods_category: str
    cn_code: str | None
    origin: str
    see_source: str
    eu_origin: bool
    see_direct: float
    see_indirect: float
    consumed_t: Mapping[str, float]  # process id -> tonnes


@dataclass(frozen=True)
class CarbonPriceResult:
    instrument: str
    name: str
    legal_act: str
    country: str
    currency: str
    price_per_tco2e: float
    share_covered: float
    covered_t_per_unit: float
    due_per_unit: float
    rebate_type: str | None
    rebate_share: float | None
    rebate_covered_t_per_unit: float | None
    rebate_per_unit: float
    effective_per_unit: float
    effective_per_tco2e: float
    evidence: tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class GoodResult:
    cn_code: str
    cn_name: str | None
    name: str
    process: str
    process_name: str
    goods_category: str
    sector: str
    direct_only: bool  # Annex II goods and electricity: indirect emissions are not counted
    quantity_t: float | None
    unit: str
    see_source: str
    see_direct: float  # tCO2e per unit, rounded to 5 decimals
    see_indirect: float | None
    see_total: float
    default_share: float  # 0..1 of the reported SEE
    electricity_ef_source: str | None
    electricity_ef_t_per_mwh: float | None
    embedded_electricity_mwh_per_t: float | None
    parameters: Mapping[str, Any]
    carbon_price: CarbonPriceResult | None


@dataclass(frozen=True)
class CbamReport:
    installation: Mapping[str, Any]
    data_quality: Mapping[str, Any] | None
    source_streams: tuple[StreamResult, ...]
    processes: tuple[ProcessResult, ...]
    precursors: tuple[PrecursorResult, ...]
    goods: tuple[GoodResult, ...]
    total_direct_t: float
    total_indirect_t: float
    markup: Markup | None
    default_values_source: str | None
    factor_release: str
    notes: tuple[str, ...]


def round_see(value: float) -> float:
    """Half-up on the decimal digits as printed, so 0.123455 gives 0.12346 as a person would."""
    return float(Decimal(repr(value)).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))


# ---- calculation -----------------------------------------------------------------------------
def compute_report(report_input: CbamInput | Mapping[str, Any],
                   release: FactorRelease | None = None,
                   defaults: DefaultValues | None = None) -> CbamReport:
    """Compute SEE per good; `defaults` replaces a workbook named in the input."""
    if not isinstance(report_input, CbamInput):
        report_input = load_report_data(report_input)
    return _Calc(report_input, release or load_release(), defaults).run()


class _Calc:
    def __init__(self, inp: CbamInput, release: FactorRelease, defaults: DefaultValues | None):
        self.d, self.release = inp.data, release
        self.errors: dict[str, list[str]] = {}
        self.notes: list[str] = []
        self.defaults = self._defaults(inp, defaults)
        self.markup: Markup | None = None
        self.results: dict[str, ProcessResult] = {}

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
            where = f" in {self.defaults.source}" if self.defaults else " (no default_values)"
            self.fail(path, f"no default value for CN {cn} from {country}{where}")
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
                self.fail("default_values.markup_percent", f"no mark-up known for {year}: "
                          "give default_values.markup_percent")
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
        for code in sorted({classify_cn(g.cn_code) for g in goods}, key=lambda c: c.prefix):
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

    def factor_t_per(self, factor_id: str, path: str) -> pint.Quantity | None:
        """CO2 (fossil) of a release factor, as t per its activity unit."""
        if factor_id not in self.release:
            self.fail(path, f"'{factor_id}' is not a factor of release {self.release.version}")
            return None
        f = self.release.factors[factor_id]
        if f.gases.get("co2_fossil") is None:
            self.fail(path, f"'{factor_id}' has no fossil CO2 value")
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
        except pint.errors.DimensionalityError:
            self.fail(f"{path}.quantity.unit", "a mass balance needs a mass" if s["method"] ==
                      "mass_balance" else f"{text} cannot give tonnes of CO2 with this emission "
                      "factor (an NCV may be missing, or the units do not match)")
            em = 0.0
        if s["biomass_share"]:
            text += f" × (1 − biomass {s['biomass_share']:g})"
        return StreamResult(s["id"], s["name"] or s["id"], s["method"], s["process"],
                            em * fossil, text)

    def process(self, pid: str, procs: dict, precs: dict, streams: tuple) -> ProcessResult:
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
            except pint.errors.DimensionalityError:
                self.fail(f"{path}.electricity_factor.factor", "not a factor per unit of energy")
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
        return res

    def precursor_see(self, prec: Mapping[str, Any], path: str, procs: dict, precs: dict,
                      streams: tuple) -> tuple[float, float, float, float, float]:
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
        code = classify_cn(g["cn_code"])
        r = self.results[g["process"]]
        direct_only = not code.indirect_counted
        if g["see_source"] == "default":
            d, ind = self.default_see(self.d["installation"]["country"], g["cn_code"],
                                      f"{path}.cn_code")
            def_d, def_i, el = d, ind, None
        else:
            d, ind, el = r.see_direct, r.see_indirect, r.embedded_electricity_mwh_per_t
            def_d, def_i = r.default_direct, r.default_indirect
        basis = d if direct_only else d + ind
        share = ((def_d if direct_only else def_d + def_i) / basis) if basis else 0.0
        return GoodResult(
            g["cn_code"], g["cn_name"], g["name"], r.id, r.name, r.goods_category, code.sector,
            direct_only, g["quantity_t"], r.unit, g["see_source"], round_see(d),
            None if direct_only else round_see(ind), round_see(basis), share,
            r.electricity_ef_source if el is not None else None,
            r.electricity_ef_t_per_mwh if el is not None else None, el, g["parameters"],
            self.carbon_price(r.id, basis))

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


# ---- the Commission's default-value workbook -------------------------------------------------
def import_default_values(xlsx_path: str | Path) -> DefaultValues:
    """Read the Commission's workbook: one sheet per country with CN code, description,
    direct, indirect and total; title rows above the header and cover sheets are skipped."""
    path = Path(xlsx_path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FactorFileError(str(path), [(None, None, f"not a readable XLSX file: {exc}")]) \
            from None
    values: dict[tuple[str, str], DefaultValue] = {}
    errors: list[tuple[int | None, str | None, str]] = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found = _header(rows)
        if found is None:
            continue
        country = _sheet_country(sheet.title)
        if country is None:
            errors.append((None, None, f"sheet '{sheet.title}' is not a country name or code"))
            continue
        at, cols = found
        for n, row in enumerate(rows[at + 1:], start=at + 2):
            cell = dict(zip(cols, (row[c] if c < len(row) else None for c in cols.values()),
                            strict=True))
            cn = re.sub(r"\D", "", str(_int_text(cell["cn"]) or ""))
            direct, indirect, total = (_number(cell.get(k)) for k in ("direct", "indirect",
                                                                      "total"))
            if not cn or (direct is None and total is None):
                continue  # notes, blank lines, goods without a value
            if direct is None:
                errors.append((n, "direct", f"sheet '{sheet.title}': CN {cn} has no direct value"))
                continue
            if indirect is None:
                indirect = total - direct if total is not None else 0.0
            values[(country, cn)] = DefaultValue(country, cn, str(cell.get("description") or ""),
                                                 direct, indirect)
    book.close()
    if errors:
        raise FactorFileError(str(path), errors)
    if not values:
        raise FactorFileError(str(path), [(None, None, "no sheet has a header row with CN code "
                                                       "and direct emissions")])
    return DefaultValues(f"default values workbook {path.name}", MappingProxyType(values))


def _header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for at, row in enumerate(rows[:30]):
        cols: dict[str, int] = {}
        for c, value in enumerate(row):
            text = str(value or "").strip().lower()
            key = ("cn" if re.search(r"\bcn\b", text) else "indirect" if "indirect" in text
                   else "direct" if re.search(r"\bdirect\b", text) else "total" if "total" in text
                   else "description" if "description" in text else None)
            if key and key not in cols:
                cols[key] = c
        if "cn" in cols and "direct" in cols:
            return at, cols
    return None


def _sheet_country(title: str) -> str | None:
    try:
        return pycountry.countries.lookup(title.strip()).alpha_2
    except LookupError:
        return None


def _int_text(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None
