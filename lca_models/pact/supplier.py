"""The inbound half of the PACT exchange: a supplier's ProductFootprint as a user factor row,
and a footprint's validity period as the spec determines it. Kept apart from the label mapping
because it answers to our factor-row format (factor_rows), not to what a label states.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lca_models.factor_rows import COLUMNS, is_valid_geography
from lca_models.gwp import REPORTED_CO2E_SETS

if TYPE_CHECKING:
    pass

from lca_models.pact.common import (
    _DECIMAL,
    _UUID,
    PACT_UNITS,
    _plus_3_years,
    _require,
    _ts,
    _when,
    decimal_string,
)

#: Supplier data kept in an imported row's notes, since the row itself holds one number.
_NOTED = ("specVersion", "created", "companyIds", "productIds", "validityPeriodEnd",
          "precedingPfIds", "productMassPerDeclaredUnit", "referencePeriodStart",
          "referencePeriodEnd", "geographyRegionOrSubregion", "pcfIncludingBiogenicUptake",
          "biogenicCO2Uptake", "fossilGhgEmissions", "landUseChangeGhgEmissions",
          "aircraftGhgEmissions", "ipccCharacterizationFactors", "crossSectoralStandards",
          "primaryDataShare", "dqi", "exemptedEmissionsPercent", "verification",
          "secondaryEmissionFactorSources")


def footprint_to_factor_row(pf: Mapping[str, Any], *, as_of: datetime | None = None,
                            source_url: str | None = None) -> dict[str, Any]:
    """A supplier's footprint as a user factor row (all COLUMNS) per unit of the declared measure;
    validate it first. `as_of` refuses expired ones. co2e_kg is pcfExcludingBiogenicUptake: rows
    hold no negative amounts, and gas columns are gas masses that PACT does not give."""
    pcf: Any = pf.get("pcf")  # checked to be a mapping just below
    pf_id = str(pf.get("id", ""))
    _require(isinstance(pcf, Mapping) and _UUID.match(pf_id),
             "not a ProductFootprint: a UUID 'id' and a 'pcf' are required")
    _require(pf.get("status") == "Active", f"footprint {pf_id} is {pf.get('status')}: PACT "
             "says only Active footprints should be used")
    unit_name = pcf.get("declaredUnitOfMeasurement")
    _require(unit_name in PACT_UNITS, f"declared unit '{unit_name}' has no unit in our factor "
             f"format (supported: {', '.join(PACT_UNITS)})")
    texts = [pcf.get(k) for k in ("declaredUnitAmount", "pcfExcludingBiogenicUptake")]
    _require(all(isinstance(t, str) and _DECIMAL.match(t) for t in texts),
             f"declaredUnitAmount and pcfExcludingBiogenicUptake must be decimal strings: {texts}")
    amount, excluding = (Decimal(t) for t in texts)
    _require(amount > 0, f"declaredUnitAmount must be positive, not {amount}")
    _require(excluding >= 0, "pcfExcludingBiogenicUptake is negative; a factor row cannot hold "
                             "net removals")
    ref_end = _when(pcf, "referencePeriodEnd")
    valid_end = (_when(pf, "validityPeriodEnd") if pf.get("validityPeriodEnd")
                 else _plus_3_years(ref_end))
    _require(as_of is None or valid_end > as_of.astimezone(UTC),
             f"footprint {pf_id} was valid until {_ts(valid_end)} only")
    code = pcf.get("geographyCountrySubdivision") or pcf.get("geographyCountry")
    _require(not code or is_valid_geography(str(code)), f"geography '{code}' is not ISO 3166")
    ar = [str(x) for x in pcf.get("ipccCharacterizationFactors") or []]
    slug = re.sub(r"[^a-z0-9]+", "-", str(pf.get("productNameCompany", "")).lower()).strip("-")
    noted = {k: v for src in (pf, pcf) for k, v in src.items() if k in _NOTED}
    notes = (f"Imported from PACT ProductFootprint {pf_id} of {pf.get('companyName')}. co2e_kg = "
             f"pcfExcludingBiogenicUptake / declaredUnitAmount ({amount} {unit_name}); biogenic "
             "CO2 uptake is not in this row, and CO2e rows count as fossil in the ISO 14067 split"
             + (". GLO stands for a UN region" if "geographyRegionOrSubregion" in pcf else "")
             + f". Supplier data: {json.dumps(noted, ensure_ascii=False)}")
    return dict.fromkeys(COLUMNS) | dict(
        id=f"pact.{slug[:40].strip('-') + '.' if slug else ''}{pf_id.lower()}",
        name=f"{pf.get('productNameCompany') or pf_id} ({pf.get('companyName')}, PACT PCF)",
        category="material", unit=PACT_UNITS[unit_name],
        co2e_kg=decimal_string(float(excluding / amount)),
        co2e_gwp_set=ar[0] if len(ar) == 1 and ar[0] in REPORTED_CO2E_SETS else "unstated",
        is_aircraft="false", geography=str(code or "GLO"),
        reference_year=(ref_end - timedelta(microseconds=1)).year, uncertainty_type="undefined",
        source_publisher=pf.get("companyName"), source_document=f"PACT ProductFootprint {pf_id}",
        source_table=f"pcf.pcfExcludingBiogenicUptake per {pcf['declaredUnitAmount']} {unit_name}",
        source_url=source_url, licence="supplier-provided primary data", notes=notes)


def validity_period(pf: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """A footprint's validity period as the specification determines it: explicit, else from
    creation to three years after the reference period's end."""
    start = _when(pf, "validityPeriodStart") if pf.get("validityPeriodStart") else _when(
        pf, "created")
    if pf.get("validityPeriodEnd"):
        return start, _when(pf, "validityPeriodEnd")
    return start, _plus_3_years(_when(pf["pcf"], "referencePeriodEnd"))
