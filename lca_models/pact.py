"""PACT v3 exchange: an issued label as a ProductFootprint, validation against the spec's
OpenAPI schema, and a supplier's ProductFootprint as a user factor row. A footprint states only
what the label backs: unknown optional fields stay undefined, and what PACT cannot express
raises PactMappingError rather than being bent into shape (see docs/pact-mapping.md).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from lca_models.factor_rows import COLUMNS, is_valid_geography
from lca_models.gwp import REPORTED_CO2E_SETS
from lca_models.safe_load import load_yaml
from lca_models.units import conversion_factor, is_known_unit, parse_unit

if TYPE_CHECKING:
    from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker

SPEC_VERSION = "3.0.3"
EXTENSION_SPEC_VERSION = "2.0.0"  # of the PACT Data Model Extensions specification
EXTENSION_SCHEMA_PATH = Path(__file__).parent / "data" / "pact-extension-v1.schema.json"
FACTOR_RELEASE_NAME = "GBA carbon label emission-factor release"
#: Fixed, so a label's footprint id is the same on every host, run and rebuild.
FOOTPRINT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:carbonlabel:pact:product-footprint")
#: PACT declaredUnitOfMeasurement -> pint unit of our models and factor rows. "megabit second"
#: is left out on purpose: it is ambiguous (Mbit x s or Mbit/s) and nothing here uses it.
PACT_UNITS = {"kilogram": "kg", "liter": "l", "cubic meter": "m3", "kilowatt hour": "kWh",
              "megajoule": "MJ", "ton kilometer": "tkm", "square meter": "m**2",
              "piece": "item", "hour": "h"}
_MASSLESS = ("kilowatt hour", "megajoule", "ton kilometer", "hour")  # mass SHALL then be 0
#: Our standard names -> crossSectoralStandards; the rest (GB/T 24067, ...) go in the extension.
_STANDARDS = {"ISO 14067": "ISO14067", "ISO 14083": "ISO14083", "ISO 14040": "ISO14040-44",
              "ISO 14044": "ISO14040-44", "GHG Protocol Product Standard": "GHGP-Product",
              "PEF": "PEF", "PACT": "PACT-3.0", "PAS 2050": "PAS2050"}
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")  # GB 32100-2015
_URN = re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", re.IGNORECASE)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")  # the prose also allows 1.2e+6
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")
#: Supplier data kept in an imported row's notes, since the row itself holds one number.
_NOTED = ("specVersion", "created", "companyIds", "productIds", "validityPeriodEnd",
          "precedingPfIds", "productMassPerDeclaredUnit", "referencePeriodStart",
          "referencePeriodEnd", "geographyRegionOrSubregion", "pcfIncludingBiogenicUptake",
          "biogenicCO2Uptake", "fossilGhgEmissions", "landUseChangeGhgEmissions",
          "aircraftGhgEmissions", "ipccCharacterizationFactors", "crossSectoralStandards",
          "primaryDataShare", "dqi", "exemptedEmissionsPercent", "verification",
          "secondaryEmissionFactorSources")


class PactMappingError(ValueError):
    """A label or footprint cannot be carried across without inventing or distorting data."""


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


def footprint_id(label_id: str) -> str:
    return str(uuid.uuid5(FOOTPRINT_NAMESPACE, label_id.strip().upper()))


def decimal_string(value: float | int | Decimal) -> str:
    """PACT Decimal in plain notation (its pattern has no exponent); floats keep 12 significant
    digits so binary noise such as 0.30000000000000004 does not travel."""
    number = Decimal(format(value, ".12g")) if isinstance(value, float) else Decimal(value)
    _require(number.is_finite(), f"{value} is not a finite number")
    text = "0" if number.is_zero() else format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


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
    return _drop_nulls({
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
    return _drop_nulls({
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
    return _drop_nulls({
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


def validate_product_footprint(pf: Mapping[str, Any], openapi_path: Path) -> list[str]:
    """Errors against the openapi.yaml's ProductFootprint schema as 'path: message'. Nulls are
    dropped first: the spec reads null as undefined, so a required one is reported missing."""
    errors = _validator(str(openapi_path)).iter_errors(_drop_nulls(pf))
    out = []
    for e in sorted(errors, key=lambda e: [str(p) for p in e.path]):
        # a oneOf/anyOf message dumps the whole instance; name the alternatives instead
        why = (f"matches none or several of {'/'.join(map(str, e.schema_path))}"
               if e.validator in ("oneOf", "anyOf") else e.message[:300])
        out.append(f"{'/'.join(map(str, e.path)) or '(root)'}: {why}")
    return out


@lru_cache(maxsize=4)
def _validator(openapi_path: str) -> Draft4Validator | Draft202012Validator:
    """The schema carries the file's components along, so '#/components/...' refs resolve
    inside it. OpenAPI 3.1 is JSON Schema 2020-12; 3.0's `nullable` becomes a null type.
    jsonschema is imported here, on first validation, so the web app starts without it."""
    from jsonschema import Draft4Validator, Draft202012Validator
    doc = load_yaml(Path(openapi_path).read_text("utf-8"))
    components = _nullable(doc["components"])
    schema = {**components["schemas"]["ProductFootprint"], "components": components}
    cls = Draft202012Validator if str(doc.get("openapi", "")).startswith("3.1") else Draft4Validator
    return cls(schema, format_checker=_formats())


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    return out | {"type": [out["type"], "null"]} if node.get("nullable") and "type" in out else out


def _formats() -> FormatChecker:
    """Own checkers, so results do not hang on optional jsonschema extras being installed."""
    from jsonschema import FormatChecker
    checker = FormatChecker(formats=())
    checks = {"date-time": _is_timestamp, "uri": lambda s: bool(urlparse(s).scheme),
              "urn": lambda s: bool(_URN.match(s)), "uuid": lambda s: bool(_UUID.match(s)),
              "decimal": lambda s: bool(_DECIMAL.match(s))}
    for name, check in checks.items():
        checker.checks(name)(lambda s, check=check: not isinstance(s, str) or check(s))
    return checker


def _drop_nulls(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _drop_nulls(v) for k, v in node.items() if v is not None}
    return [_drop_nulls(v) for v in node] if isinstance(node, list) else node


def footprint_to_factor_row(pf: Mapping[str, Any], *, as_of: datetime | None = None,
                            source_url: str | None = None) -> dict[str, Any]:
    """A supplier's footprint as a user factor row (all COLUMNS) per unit of the declared measure;
    validate it first. `as_of` refuses expired ones. co2e_kg is pcfExcludingBiogenicUptake: rows
    hold no negative amounts, and gas columns are gas masses that PACT does not give."""
    pcf, pf_id = pf.get("pcf"), str(pf.get("id", ""))
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


def _require(ok: object, message: str) -> None:
    if not ok:
        raise PactMappingError(message)


def _is_timestamp(text: Any) -> bool:
    try:
        return bool(_RFC3339.match(text)) and bool(datetime.fromisoformat(text.upper()))
    except (TypeError, ValueError):
        return False


def _when(src: Mapping[str, Any], key: str) -> datetime:
    text = src.get(key)
    _require(_is_timestamp(text), f"{key} is missing or not an RFC 3339 date-time: {text!r}")
    return datetime.fromisoformat(str(text).upper()).astimezone(UTC)


def _nonneg(what: str, value: float | None) -> str | None:
    """Float noise below zero is zero; a real negative is an error, never clipped."""
    if value is None or value >= 0:
        return None if value is None else decimal_string(value)
    _require(value > -1e-9, f"{what} cannot be negative ({value})")
    return "0"


def validity_period(pf: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """A footprint's validity period as the specification determines it: explicit, else from
    creation to three years after the reference period's end."""
    start = _when(pf, "validityPeriodStart") if pf.get("validityPeriodStart") else _when(
        pf, "created")
    if pf.get("validityPeriodEnd"):
        return start, _when(pf, "validityPeriodEnd")
    return start, _plus_3_years(_when(pf["pcf"], "referencePeriodEnd"))


def _plus_3_years(moment: datetime) -> datetime:
    leap_day = (moment.month, moment.day) == (2, 29)
    return moment.replace(year=moment.year + 3, day=28 if leap_day else moment.day)


def _day(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


def _ts(moment: datetime) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
