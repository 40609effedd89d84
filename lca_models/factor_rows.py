"""Validation of emission-factor rows, shared by the shipped release and user imports, so a
user's file is held to the same rules as our own data.

Gas amounts are kg of that gas per one activity unit. Uncertainty is relative so that one
row-level distribution applies to every gas of the row: lognormal `uncertainty_sigma` is the
standard deviation of ln(value); normal `uncertainty_sigma` is the coefficient of variation;
triangular/uniform `uncertainty_min`/`uncertainty_max` are multiples of the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any

import pycountry

from lca_models.gwp import REPORTED_CO2E_SETS, flows, reported_co2e_flow
from lca_models.messages import N_, message_of
from lca_models.units import UnitProblem, parse_unit

CATEGORIES = ("electricity", "fuel", "transport", "material", "end_of_life", "other")
UNCERTAINTY_TYPES = ("undefined", "lognormal", "normal", "triangular", "uniform")

#: Gas columns of the shipped format; user files may add `<flow>_kg` for any known flow.
CORE_GAS_COLUMNS = (
    "co2_fossil_kg", "co2_biogenic_kg", "co2_biogenic_removal_kg", "co2_dluc_kg",
    "ch4_fossil_kg", "ch4_biogenic_kg", "n2o_kg",
)
COLUMNS = (
    "id", "name", "category", "unit", *CORE_GAS_COLUMNS, "co2e_kg", "co2e_gwp_set",
    "is_aircraft", "geography", "reference_year", "uncertainty_type", "uncertainty_sigma",
    "uncertainty_min", "uncertainty_max", "dqr_pedigree", "source_publisher",
    "source_document", "source_table", "source_url", "licence", "notes",
)
REQUIRED_COLUMNS = ("id", "name", "category", "unit", "geography", "reference_year",
                    "source_publisher")
#: Shipped rows must say exactly where a reviewer finds the number and under which terms.
RELEASE_REQUIRED = ("source_document", "source_url", "licence")

#: A gas amount above this per activity unit is a typo, not a factor (1e6 kg per unit).
MAX_GAS_KG = 1.0e6
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,120}$")
_PEDIGREE = re.compile(r"^[1-5]{5}$")
_NON_ISO_GEOGRAPHIES = frozenset({"GLO", "EU"})


@dataclass(frozen=True)
class Uncertainty:
    kind: str = "undefined"
    sigma: float | None = None
    minimum: float | None = None  # multiple of the value
    maximum: float | None = None


@dataclass(frozen=True)
class Factor:
    """One emission factor: kg of each elementary flow per one `unit` of activity."""

    id: str
    name: str
    category: str
    unit: str
    gases: MappingProxyType[str, float]  # flow code -> kg per unit
    is_aircraft: bool
    geography: str
    reference_year: int
    uncertainty: Uncertainty
    dqr_pedigree: str | None
    source: str  # where a reviewer finds the number
    factor_set: str  # release version or user set name

    @cached_property
    def dqr(self) -> float | None:
        """Mean pedigree score (1 best, 5 worst), or None when unrated."""
        if not self.dqr_pedigree:
            return None
        return sum(int(c) for c in self.dqr_pedigree) / len(self.dqr_pedigree)


def gas_columns(columns: Iterable[str]) -> list[str]:
    known = flows()
    return [c for c in columns if c.endswith("_kg") and c != "co2e_kg"
            and c[:-3] in known and not c.startswith("co2e_")]


@lru_cache(maxsize=4096)
def is_valid_geography(code: str) -> bool:
    parts = [p.strip() for p in code.split(";")]
    if not parts or any(not p for p in parts):
        return False
    return all(_is_single_geography(p) for p in parts)


def _is_single_geography(code: str) -> bool:
    if code in _NON_ISO_GEOGRAPHIES:
        return True
    if "-" in code:
        # pycountry's database lookups are unannotated
        return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def validate_rows(rows: Sequence[Mapping[str, Any]], *, release: bool, factor_set: str,
                  first_row_number: int = 2) -> tuple[list[Factor], list[tuple[int, str, str]]]:
    """Check rows as read from a file (strings or numbers) and build Factors.

    Returns the factors and a list of (spreadsheet row, column, message) errors; callers
    decide whether any error rejects the whole file (it always does: no half-imports).
    """
    errors: list[tuple[int, str, str]] = []
    factors: list[Factor] = []
    seen: dict[str, int] = {}
    for offset, raw in enumerate(rows):
        number = first_row_number + offset
        row = {k: _clean(v) for k, v in raw.items() if k is not None}
        row_errors = _row_errors(row, release)
        fid = row.get("id")
        if fid and fid in seen:
            row_errors.append(("id", N_("duplicate id '%(id)s' (first on row %(row)s)", id=fid,
                                        row=seen[fid])))
        elif fid:
            seen[fid] = number
        errors.extend((number, col, msg) for col, msg in row_errors)
        if not row_errors:
            factors.append(_build(row, factor_set))
    return factors, errors


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _row_errors(row: Mapping[str, Any], release: bool) -> list[tuple[str, str]]:
    errs: list[tuple[str, str]] = []
    required = REQUIRED_COLUMNS + (RELEASE_REQUIRED if release else ())
    errs.extend((col, N_("is required")) for col in required if row.get(col) is None)
    fid = row.get("id")
    if fid is not None and not _ID.match(str(fid)):
        errs.append(("id", N_("'%(id)s' must be 2-121 characters of a-z, 0-9, '.', '_' or '-'",
                              id=fid)))
    if row.get("category") is not None and row["category"] not in CATEGORIES:
        errs.append(("category", N_("'%(value)s' is not one of %(allowed)s",
                                    value=row["category"], allowed=", ".join(CATEGORIES))))
    if row.get("unit") is not None:
        try:
            parse_unit(str(row["unit"]))
        except UnitProblem as exc:
            errs.append(("unit", message_of(exc)))
    errs.extend(_gas_errors(row))
    geo = row.get("geography")
    if geo is not None and not is_valid_geography(str(geo)):
        errs.append(("geography", N_("'%(code)s' is not an ISO 3166-1/-2 code (or GLO, EU); "
                                     "separate several subdivisions with ';'", code=geo)))
    errs.extend(_year_errors(row.get("reference_year")))
    errs.extend(_uncertainty_errors(row))
    ped = row.get("dqr_pedigree")
    if ped is not None and not _PEDIGREE.match(str(ped)):
        errs.append(("dqr_pedigree", N_("'%(value)s' must be five digits 1-5", value=ped)))
    if row.get("is_aircraft") is not None and _parse_bool(row["is_aircraft"]) is None:
        errs.append(("is_aircraft", N_("'%(value)s' must be true or false",
                                       value=row["is_aircraft"])))
    return errs


def _gas_errors(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    errs: list[tuple[str, str]] = []
    unknown = [c for c in row if c.endswith("_kg") and c != "co2e_kg"
               and c not in gas_columns([c])]
    errs.extend((c, N_("is not a known gas column (see lca_models/data/gwp100.csv)"))
                for c in unknown)
    present = 0
    for col in [*gas_columns(row), "co2e_kg"]:
        value = row.get(col)
        if value is None:
            continue
        number = _number(value)
        if number is None or not math.isfinite(number):
            errs.append((col, N_("'%(value)s' is not a finite number", value=value)))
        elif number < 0:
            errs.append((col, N_("%(number)s is negative; removals go in "
                                 "co2_biogenic_removal_kg as a positive amount", number=number)))
        elif number > MAX_GAS_KG:
            errs.append((col, N_("%(number)s kg per unit is out of range (max %(max)s)",
                                 number=number, max=format(MAX_GAS_KG, "g"))))
        else:
            present += 1
    if present == 0 and not unknown:
        errs.append(("co2e_kg", N_("no gas amount given: fill co2e_kg or at least one gas "
                                   "column")))
    co2e_set = row.get("co2e_gwp_set")
    if row.get("co2e_kg") is not None and co2e_set not in REPORTED_CO2E_SETS:
        errs.append(("co2e_gwp_set", N_("'%(value)s' must be one of %(allowed)s when co2e_kg "
                                        "is given", value=co2e_set,
                                        allowed=", ".join(REPORTED_CO2E_SETS))))
    if row.get("co2e_kg") is not None and any(row.get(c) is not None for c in gas_columns(row)):
        errs.append(("co2e_kg", N_("give either per-gas amounts or an aggregated co2e_kg, not "
                                   "both")))
    return errs


def _year_errors(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    year = _number(value)
    if year is None or year != int(year) or not 1990 <= year <= datetime.now(UTC).year + 1:
        return [("reference_year", N_("'%(value)s' must be a year between 1990 and next year",
                                      value=value))]
    return []


def _uncertainty_errors(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    kind = row.get("uncertainty_type") or "undefined"
    if kind not in UNCERTAINTY_TYPES:
        return [("uncertainty_type", N_("'%(value)s' is not one of %(allowed)s", value=kind,
                                        allowed=", ".join(UNCERTAINTY_TYPES)))]
    sigma, lo, hi = (_number(row.get(c)) for c in
                     ("uncertainty_sigma", "uncertainty_min", "uncertainty_max"))
    if kind in ("lognormal", "normal") and (
            sigma is None or not math.isfinite(sigma) or not 0 < sigma <= 3):
        return [("uncertainty_sigma", N_("a %(kind)s distribution needs 0 < sigma <= 3",
                                         kind=kind))]
    if kind in ("triangular", "uniform") and (
            lo is None or hi is None or not 0 <= lo <= 1 <= hi or lo == hi):
        return [("uncertainty_min", N_("a %(kind)s distribution needs uncertainty_min <= 1 <= "
                                       "uncertainty_max as multiples of the value", kind=kind))]
    return []


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
        text)


def canonical_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row as hashed: every column present, numbers as floats, blanks as None."""
    out: dict[str, Any] = {}
    for col in sorted(set(COLUMNS) | set(gas_columns(row))):
        value = _clean(row.get(col))
        if col in ("reference_year",) and value is not None:
            value = int(float(value))
        elif col in ("uncertainty_sigma", "uncertainty_min", "uncertainty_max", "co2e_kg",
                     *gas_columns([col])) and value is not None:
            value = float(value)
        elif col == "is_aircraft":
            value = bool(_parse_bool(value)) if value is not None else False
        elif value is not None:
            value = str(value)
        out[col] = value
    return out


def _build(row: Mapping[str, Any], factor_set: str) -> Factor:
    gases = {col[:-3]: float(row[col]) for col in gas_columns(row) if row.get(col) is not None}
    if row.get("co2e_kg") is not None:
        gases[reported_co2e_flow(str(row["co2e_gwp_set"]))] = float(row["co2e_kg"])
    source = " | ".join(str(row[c]) for c in ("source_publisher", "source_document",
                                              "source_table", "source_url") if row.get(c))
    kind = row.get("uncertainty_type") or "undefined"
    return Factor(
        id=str(row["id"]),
        name=str(row["name"]),
        category=str(row["category"]),
        unit=str(row["unit"]),
        gases=MappingProxyType(gases),
        is_aircraft=bool(_parse_bool(row.get("is_aircraft") or False)),
        geography=str(row["geography"]),
        reference_year=int(float(row["reference_year"])),
        uncertainty=Uncertainty(kind, _number(row.get("uncertainty_sigma")),
                                _number(row.get("uncertainty_min")),
                                _number(row.get("uncertainty_max"))),
        dqr_pedigree=str(row["dqr_pedigree"]) if row.get("dqr_pedigree") else None,
        source=source,
        factor_set=factor_set,
    )
