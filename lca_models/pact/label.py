"""An issued label as a PACT v3 ProductFootprint (plus our extension data). A footprint states
only what the label backs: unknown optional fields stay undefined, and what PACT cannot express
raises PactMappingError rather than being bent into shape (see docs/pact-mapping.md). This is the
outbound half of the exchange, the larger one, so it has a module of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from lca_models.units import conversion_factor, is_known_unit, parse_unit

if TYPE_CHECKING:
    pass

from lca_models.pact.common import (
    EXTENSION_SPEC_VERSION,
    FACTOR_RELEASE_NAME,
    PACT_UNITS,
    SPEC_VERSION,
    _day,
    _drop_null_fields,
    _nonneg,
    _plus_3_years,
    _require,
    _ts,
    decimal_string,
    footprint_id,
)

_MASSLESS = ("kilowatt hour", "megajoule", "ton kilometer", "hour")  # mass SHALL then be 0
#: Our standard names -> crossSectoralStandards; the rest (GB/T 24067, ...) go in the extension.
_STANDARDS = {"ISO 14067": "ISO14067", "ISO 14083": "ISO14083", "ISO 14040": "ISO14040-44",
              "ISO 14044": "ISO14040-44", "GHG Protocol Product Standard": "GHGP-Product",
              "PEF": "PEF", "PACT": "PACT-3.0", "PAS 2050": "PAS2050"}
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")  # GB 32100-2015

@dataclass(frozen=True)
class LabelFacts:
    """What a ProductFootprint states about one issued label. Mappings are shaped as in the
    label's credential subject; periods are inclusive days as the label shows them."""

    label_id: str
    created: datetime  # issuance, which is also when the certifier's verification completed
    product: Mapping[str, str]  # name, nameZh, gtin, hsCode, cnCode (+ description, cpcCode)
    producer: Mapping[str, str]  # name, identifier (USCC or HK BR number), country, subdivision
    declared_unit: Mapping[str, Any]  # amount, unit
    boundary: str
    footprint: Mapping[str, Any]  # kgCO2ePerDeclaredUnit, iso14067 {...}, gwpSet, method
    factor_release: Mapping[str, str]  # version, sha256
    certifier: Mapping[str, str]  # name, accreditationBody, accreditationNumber, ...Standard
    reference_period: tuple[date, date]
    label_validity: tuple[date, date]  # validFrom, validUntil
    exclusions_percent: float
    primary_data_share: float  # fraction, as in FootprintResult
    verification_url: str
    credential_url: str
    extension_schema_url: str  # where the service publishes pact-extension-v1.schema.json
    biogenic_non_co2: float | None = None  # kg CO2e of biogenic CH4 etc. (result by_gas)
    aggregated_co2e_sets: tuple[str, ...] = ()  # GWP sets of factors published only as CO2e
    organisation_id: str | None = None  # our id for the producer
    product_id: str | None = None  # our id for the product
    product_mass_kg: float | None = None  # per declared unit, excluding packaging
    fossil_carbon_content_kg: float | None = None  # per declared unit
    biogenic_carbon_content_kg: float | None = None
    revoked_at: datetime | None = None
    superseded_by: str | None = None
    supersedes: tuple[str, ...] = ()  # earlier labels of this product, newest first
    exclusions_description: str | None = None
    dqi: tuple[float, float, float] | None = None  # technological, geographical, temporal
    dqr: float | None = None  # the result's aggregate pedigree DQR; extension only
    standards: tuple[tuple[str, str], ...] = (("ISO 14067", "2018"),)
    user_factor_sets: tuple[tuple[str, str], ...] = ()  # (name, sha256)
    calculation: Mapping[str, str] | None = None  # inputsSha256, resultSha256
    issuer_did: str | None = None
    label_type: str | None = None
    home_scheme: str | None = None
    recognitions: tuple[Mapping[str, Any], ...] = ()  # shaped as the extension schema says



def pact_declared_unit(amount: float, unit: str) -> tuple[str, float]:
    """Our declared unit as PACT's (unit, amount): 1 t -> 1000 kilogram; within a dimension an
    exact or power-of-ten match wins (GJ -> megajoule, MWh -> kilowatt hour)."""
    _require(is_known_unit(unit), f"declared unit '{unit}' is not a known unit")
    dim = parse_unit(unit).dimensionality
    found = [(p, conversion_factor(unit, o)) for p, o in PACT_UNITS.items()
             if parse_unit(o).dimensionality == dim]
    _require(found, f"declared unit '{unit}' has no PACT declaredUnitOfMeasurement "
                    f"(allowed: {', '.join(PACT_UNITS)})")
    _require(amount > 0, f"declared unit amount must be positive, not {amount}")
    pact, factor = min(found, key=lambda c: (c[1] != 1, not f"{c[1]:.6e}".startswith("1.0000")))
    return pact, amount * factor


def product_footprint(label: LabelFacts) -> dict[str, Any]:
    """Map one issued label to a PACT v3 ProductFootprint. All but `status` follows from facts
    fixed at issuance, so revoking or superseding only flips status to Deprecated, as the v3
    lifecycle demands (statusComment is obsolete; the reason is at verification_url)."""
    _require(label.boundary == "cradle-to-gate", f"boundary '{label.boundary}' cannot be "
             "exchanged: PACT footprints are cradle-to-gate, and the label's ISO 14067 split "
             "cannot be cut at the gate")
    ref_end = _day(label.reference_period[1] + timedelta(days=1))  # PACT ends are exclusive
    start = max(_day(label.label_validity[0]), ref_end)
    end = min(_day(label.label_validity[1] + timedelta(days=1)), _plus_3_years(ref_end))
    _require(start < end, "the label is valid at no time PACT allows (from the end of the "
                          "reference period to three years after it)")
    product, host = label.product, urlparse(label.verification_url).hostname
    _require(host, f"verification URL '{label.verification_url}' has no host")
    ident = str(label.producer.get("identifier") or "").strip().upper()
    company_ids = [f"urn:pact:samr.gov.cn:uscc:{ident}"] if _USCC.match(ident) else [
        f"urn:pact:ird.gov.hk:br-number:{ident}"] if re.fullmatch(r"\d{8}", ident) else []
    company_ids += [f"urn:pact:{host}:company-id:{label.organisation_id}"] * bool(
        label.organisation_id)
    product_ids = [f"urn:gtin:{product['gtin']}"] if product.get("gtin") else []
    product_ids += [f"urn:pact:{host}:product-id:{label.product_id}"] * bool(label.product_id)
    _require(company_ids, "no company id: give a USCC or BR number or the organisation id")
    _require(product_ids, "no product id: give a GTIN or our product id")
    classes = [f"urn:{ns}:{product[key]}" for key, ns in (
        ("cpcCode", "cpc"), ("hsCode", "pact:wcoomd.org:hs-code"),
        ("cnCode", "pact:ec.europa.eu:cn-code")) if product.get(key)]
    name_zh = f" ({product['nameZh']})" if product.get("nameZh") else ""
    return _drop_null_fields({
        "id": footprint_id(label.label_id), "specVersion": SPEC_VERSION,
        "precedingPfIds": list(dict.fromkeys(map(footprint_id, label.supersedes))) or None,
        "created": _ts(label.created),
        "status": "Deprecated" if label.revoked_at or label.superseded_by else "Active",
        "validityPeriodStart": _ts(start), "validityPeriodEnd": _ts(end),
        "companyName": label.producer["name"], "companyIds": company_ids,
        "productDescription": (product.get("description") or product["name"]) + name_zh,
        "productIds": product_ids, "productClassifications": classes or None,
        "productNameCompany": product["name"], "comment": _comment(label),
        "pcf": _carbon_footprint(label, ref_end),
        "extensions": [{"specVersion": EXTENSION_SPEC_VERSION, "dataSchema":
                        label.extension_schema_url, "data": extension_data(label)}]})


def _comment(label: LabelFacts) -> str:
    fp, iso, sets = label.footprint, label.footprint["iso14067"], label.aggregated_co2e_sets
    notes = [f"Certified carbon label {label.label_id}, verifiable at {label.verification_url}. "
             f"Calculated per {', '.join(' '.join(s) for s in label.standards)} "
             f"({fp.get('method') or fp['gwpSet']}), emission-factor release "
             f"{label.factor_release['version']}; boundary cradle-to-gate.",
             iso["biogenic_emissions"] and "Biogenic emissions are in pcfExcludingBiogenicUptake"
             ", not split by land-management origin.",
             iso["biogenic_removals"] and "All biogenic removals are in biogenicCO2Uptake.",
             sets and f"Factors published only as CO2e ({', '.join(sets)}) count 1:1 under "
             "fossilGhgEmissions."]
    return " ".join(n for n in notes if n)


def _carbon_footprint(label: LabelFacts, ref_end: datetime) -> dict[str, Any]:
    fp, iso, body = label.footprint, label.footprint["iso14067"], label.certifier
    unit, amount = pact_declared_unit(label.declared_unit["amount"], label.declared_unit["unit"])
    mass = label.product_mass_kg
    if mass is None and (unit == "kilogram" or unit in _MASSLESS):
        mass = amount if unit == "kilogram" else 0.0
    _require(mass is not None, f"productMassPerDeclaredUnit is required for '{unit}' and the "
                               "label records no product mass")
    _require(label.fossil_carbon_content_kg is not None, "fossilCarbonContent is required by "
             "PACT v3 and the label records no fossil carbon content of the product")
    cross = list(dict.fromkeys(_STANDARDS[n] for n, _ in label.standards if n in _STANDARDS))
    _require(cross, "none of the label's standards is a PACT cross-sectoral standard")
    _require(label.dqi is None or all(1 <= x <= 5 for x in label.dqi),
             f"DQR values must lie between 1 and 5, not {label.dqi}")
    uptake = _nonneg("biogenic removals (negated)", -iso["biogenic_removals"])
    country, subdivision = label.producer.get("country"), label.producer.get("subdivision")
    secondary = [{"name": FACTOR_RELEASE_NAME, "version": label.factor_release["version"]},
                 *({"name": f"user factor set {n}", "version": f"sha256:{s[:16]}"}
                   for n, s in label.user_factor_sets)]
    sets = {fp["gwpSet"], *(s for s in label.aggregated_co2e_sets if s.startswith("AR"))}
    return _drop_null_fields({
        "declaredUnitOfMeasurement": unit, "declaredUnitAmount": decimal_string(amount),
        "productMassPerDeclaredUnit": _nonneg("product mass", mass),
        "referencePeriodStart": _ts(_day(label.reference_period[0])),
        "referencePeriodEnd": _ts(ref_end),
        "geographyCountrySubdivision": subdivision or None,
        "geographyCountry": None if subdivision or country in (None, "", "GLO") else country,
        "pcfExcludingBiogenicUptake": decimal_string(
            fp["kgCO2ePerDeclaredUnit"] - iso["biogenic_removals"]),
        "pcfIncludingBiogenicUptake": decimal_string(fp["kgCO2ePerDeclaredUnit"]),
        "fossilCarbonContent": _nonneg("fossil carbon", label.fossil_carbon_content_kg),
        "biogenicCarbonContent": _nonneg("biogenic carbon", label.biogenic_carbon_content_kg),
        "fossilGhgEmissions": _nonneg("fossil emissions", iso["fossil"]),
        "landUseChangeGhgEmissions": _nonneg("dLUC emissions", iso["dluc"]),
        "biogenicCO2Uptake": "0" if uptake == "0" else f"-{uptake}",
        "biogenicNonCO2Emissions": _nonneg("biogenic non-CO2", label.biogenic_non_co2),
        "aircraftGhgEmissions": _nonneg("aircraft emissions", iso.get("aircraft", 0.0)),
        "ipccCharacterizationFactors": sorted(sets, key=lambda s: int(s[2:])),
        "crossSectoralStandards": cross,
        "exemptedEmissionsPercent": _nonneg("exclusions", label.exclusions_percent),
        "exemptedEmissionsDescription": label.exclusions_description,
        # MUST be undefined when no secondary data was used
        "secondaryEmissionFactorSources": secondary if label.primary_data_share < 1 else None,
        "primaryDataShare": _nonneg("primary data share", 100 * label.primary_data_share),
        "dqi": None if label.dqi is None else dict(zip(
            ("technologicalDQR", "geographicalDQR", "temporalDQR"),
            map(decimal_string, label.dqi), strict=True)),
        "verification": {"coverage": "product level", "providerName": body["name"],
                         "completedAt": _ts(label.created), "comments": "Third-party "
                         f"verification before issuing carbon label {label.label_id}."}})


def extension_data(label: LabelFacts) -> dict[str, Any]:
    """What a scheme owner needs to judge recognition (data/pact-extension-v1.schema.json)."""
    fp = label.footprint
    return _drop_null_fields({
        "labelId": label.label_id, "verificationUrl": label.verification_url,
        "credentialUrl": label.credential_url, "issuer": label.issuer_did,
        "labelType": label.label_type, "homeScheme": label.home_scheme,
        "labelValidFrom": label.label_validity[0].isoformat(),
        "labelValidUntil": label.label_validity[1].isoformat(),
        "supersedes": list(label.supersedes) or None, "boundary": label.boundary,
        "declaredUnit": {"amount": decimal_string(label.declared_unit["amount"]),
                         "unit": label.declared_unit["unit"]},
        "gwpSet": fp["gwpSet"], "lciaMethod": fp.get("method"),
        "standards": [{"name": n, "version": v} for n, v in label.standards],
        "factorRelease": dict(label.factor_release),
        "userFactorSets": [{"name": n, "sha256": s} for n, s in label.user_factor_sets] or None,
        "calculation": dict(label.calculation) if label.calculation else None,
        "dataQualityRating": None if label.dqr is None else decimal_string(label.dqr),
        "assurance": {"type": "third-party verification", **label.certifier,
                      "completedAt": _ts(label.created)},
        "recognitions": [dict(r) for r in label.recognitions] or None})
