"""Results of a CBAM report: per source stream, process, precursor and good.

Plain frozen dataclasses, so `cbam_report` can write them as JSON and XLSX without knowing
how they were computed, and a verifier can see every intermediate value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lca_models.cbam_data import Markup


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
class FootprintComparison:
    """The good's cradle-to-gate footprint beside its reported SEE, per tonne (MWh) of good.

    Both are in tCO2e per unit but count different things, so the difference is shown with
    the reasons (`boundary_notes`) rather than used to correct either value."""

    kg_co2e_per_declared_unit: float
    declared_unit: str
    boundary: str
    method: str | None
    reference: str | None
    footprint_t_per_unit: float
    see_total: float
    difference_t_per_unit: float  # footprint − SEE
    boundary_notes: tuple[str, ...]


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
    product_footprint: FootprintComparison | None = None


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


def round_see(value: float | Decimal) -> float:
    """Half-up at five decimals. The calculation passes its exact decimal SEE (see
    `cbam._Calc._exact_see`); a float is taken as the digits it prints as, so 0.123455 gives
    0.12346 as a person would."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return float(exact.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))
