"""CBAM reference data: covered CN codes, the year's mark-up, and default values.

Regulatory facts that were not checked against the Official Journal (mark-up per year, partly
excluded CN headings, the hydrogen Annex II row) live in CSV files under data/cbam with
`confirmed=false`, so a correction is a data change and the report can say when one was used.
No default SEE numbers ship: the Commission publishes them as a workbook, which
`import_default_values` reads.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pycountry

from lca_models.errors import FactorFileError
from lca_models.zip_limits import check_zip

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


def covered_cn(cn_code: str) -> CoveredCode:
    """The covered code of a good the input check (cbam_input) already accepted as a CBAM
    good; a code that is not one here is a bug, not an input error."""
    code = classify_cn(cn_code)
    if code is None:
        raise ValueError(f"CN {cn_code} is not a CBAM good; the input check should have said")
    return code


@lru_cache(maxsize=1)
def markups() -> MappingProxyType[int, Markup]:
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


# ---- the Commission's default-value workbook -------------------------------------------------
def import_default_values(xlsx_path: str | Path) -> DefaultValues:
    """Read the Commission's workbook: one sheet per country with CN code, description,
    direct, indirect and total; title rows above the header and cover sheets are skipped."""
    path = Path(xlsx_path)
    try:
        check_zip(path)
        import openpyxl  # only when a workbook is read

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


def _header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]] | None:
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
