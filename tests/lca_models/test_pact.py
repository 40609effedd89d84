"""PACT v3 mapping: issued labels out, supplier footprints in, both held to the published
schema. Spec-dependent tests read ../shared/standards/pact-v3 and skip when it is absent."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from lca_models.factor_rows import COLUMNS, validate_rows
from lca_models.pact import (
    EXTENSION_SCHEMA_PATH,
    LabelFacts,
    PactMappingError,
    decimal_string,
    extension_data,
    footprint_id,
    footprint_to_factor_row,
    pact_declared_unit,
    product_footprint,
    validate_product_footprint,
)

SPEC_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "standards" / "pact-v3"
OPENAPI = SPEC_DIR / "openapi.yaml"
#: Footprints in the spec's examples: whole files, or where each response type nests them.
EXAMPLE_FILES = {"example-1.json": "pf", "example-2.json": "pf", "example-3.json": "pf",
                 "example-4.json": "pf", "get-footprint-response.json": "data",
                 "list-footprints-response.json": "data[]",
                 "pf-response-event.json": "data.pfs[]"}
needs_spec = pytest.mark.skipif(not OPENAPI.is_file(), reason=f"PACT spec not at {SPEC_DIR}")


def example_footprints() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, where in EXAMPLE_FILES.items():
        path = SPEC_DIR / "examples" / name
        if not path.is_file():
            continue
        doc = json.loads(path.read_text("utf-8"))
        if where == "pf":
            pfs = [doc]
        elif where == "data":
            pfs = [doc["data"]]
        else:
            pfs = doc["data"] if where == "data[]" else doc["data"]["pfs"]
        found.extend((f"{name}#{i}", pf) for i, pf in enumerate(pfs))
    return found


def facts(**changes: Any) -> LabelFacts:
    """A label as issued for EAF rebar from a Foshan mill: credential-subject shapes, 1 t."""
    base = LabelFacts(
        label_id="GBA-2026-7K3M-Q9TD-1",
        created=datetime(2026, 3, 2, 8, 15, 0, tzinfo=UTC),
        product={"name": "HRB400E rebar, 12 mm", "nameZh": "HRB400E 热轧带肋钢筋",
                 "gtin": "06901234567892", "hsCode": "721420", "cnCode": "72142000"},
        producer={"name": "Foshan Example Steel Co., Ltd.", "identifier": "91440606MA4W2K8N3R",
                  "country": "CN", "subdivision": "CN-GD"},
        declared_unit={"amount": 1, "unit": "t"},
        boundary="cradle-to-gate",
        footprint={"kgCO2ePerDeclaredUnit": 406.1, "gwpSet": "AR6", "method": "IPCC-AR6-GWP100",
                   "iso14067": {"fossil": 405.3, "biogenic_emissions": 1.2,
                                "biogenic_removals": -0.4, "dluc": 0.0, "aircraft": 0.0}},
        factor_release={"version": "2026.1", "sha256": "08" * 32},
        certifier={"name": "Example Verification Ltd", "accreditationBody": "CNAS",
                   "accreditationNumber": "CNAS C123-V", "accreditationStandard": "ISO 14065:2020"},
        reference_period=(date(2025, 1, 1), date(2025, 12, 31)),
        label_validity=(date(2026, 3, 2), date(2029, 3, 1)),
        exclusions_percent=0.8, primary_data_share=0.425,
        verification_url="https://labels.example.org/verify/GBA-2026-7K3M-Q9TD-1",
        credential_url="https://labels.example.org/api/v1/labels/GBA-2026-7K3M-Q9TD-1/credential",
        extension_schema_url="https://labels.example.org/pact/extensions/label/1.0.0/schema.json",
        biogenic_non_co2=0.05, organisation_id="org-17", product_id="prd-42",
        fossil_carbon_content_kg=2.1, exclusions_description="Site canteen (0.8 %).",
        dqr=2.4, user_factor_sets=(("foshan-steam", "ab" * 32),),
        calculation={"inputsSha256": "cd" * 32, "resultSha256": "ef" * 32},
        issuer_did="did:web:labels.example.org", label_type="footprint_disclosure",
        home_scheme="gba-home",
        recognitions=({"scheme": "hk-carbon-label", "outcome": "recognised_with_conditions",
                       "decidedOn": "2026-03-05", "conditions": ["re-verify annually"],
                       "adjustments": ["none"]},))
    return dataclasses.replace(base, **changes)


# --- issued label -> ProductFootprint ----------------------------------------------------

@needs_spec
def test_realistic_label_maps_to_a_valid_footprint():
    pf = product_footprint(facts())
    assert validate_product_footprint(pf, OPENAPI) == []
    assert pf["id"] == footprint_id("GBA-2026-7K3M-Q9TD-1") == product_footprint(facts())["id"]
    assert pf["status"] == "Active" and "precedingPfIds" not in pf
    assert pf["companyIds"] == ["urn:pact:samr.gov.cn:uscc:91440606MA4W2K8N3R",
                                "urn:pact:labels.example.org:company-id:org-17"]
    assert pf["productIds"] == ["urn:gtin:06901234567892",
                                "urn:pact:labels.example.org:product-id:prd-42"]
    assert pf["productClassifications"] == ["urn:pact:wcoomd.org:hs-code:721420",
                                            "urn:pact:ec.europa.eu:cn-code:72142000"]
    pcf = pf["pcf"]
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"],
            pcf["productMassPerDeclaredUnit"]) == ("kilogram", "1000", "1000")
    assert pcf["pcfIncludingBiogenicUptake"] == "406.1"
    assert pcf["pcfExcludingBiogenicUptake"] == "406.5"  # 405.3 + 1.2 + 0
    assert pcf["biogenicCO2Uptake"] == "-0.4" and pcf["biogenicNonCO2Emissions"] == "0.05"
    assert pcf["fossilGhgEmissions"] == "405.3" and pcf["landUseChangeGhgEmissions"] == "0"
    assert pcf["geographyCountrySubdivision"] == "CN-GD" and "geographyCountry" not in pcf
    assert pcf["referencePeriodStart"] == "2025-01-01T00:00:00Z"
    assert pcf["referencePeriodEnd"] == "2026-01-01T00:00:00Z"  # exclusive
    assert pcf["primaryDataShare"] == "42.5" and pcf["exemptedEmissionsPercent"] == "0.8"
    assert pcf["ipccCharacterizationFactors"] == ["AR6"]
    assert pcf["crossSectoralStandards"] == ["ISO14067"]
    assert pcf["secondaryEmissionFactorSources"][0]["version"] == "2026.1"
    assert pcf["verification"]["providerName"] == "Example Verification Ltd"
    for absent in ("dqi", "packagingEmissionsIncluded", "biogenicCarbonContent",
                   "landManagementBiogenicCO2Removals", "ccsTechnologicalCO2CaptureIncluded"):
        assert absent not in pcf  # nothing the label cannot back
    assert pf["validityPeriodStart"] == "2026-03-02T00:00:00Z"
    assert pf["validityPeriodEnd"] == "2029-01-01T00:00:00Z"  # reference end + 3 years


@needs_spec
@pytest.mark.parametrize("change", [{"revoked_at": datetime(2026, 6, 1, tzinfo=UTC)},
                                    {"superseded_by": "GBA-2026-BGDE-F42W-M"}])
def test_revoked_or_superseded_label_is_deprecated_and_otherwise_unchanged(change):
    active, deprecated = product_footprint(facts()), product_footprint(facts(**change))
    assert deprecated["status"] == "Deprecated"
    assert validate_product_footprint(deprecated, OPENAPI) == []
    assert {**deprecated, "status": "Active"} == active  # v3: only status may change


@needs_spec
def test_superseding_label_lists_preceding_footprint_ids():
    pf = product_footprint(facts(supersedes=("GBA-2025-NWER-3S76-6", "GBA-2024-7WF3-VPJJ-K")))
    assert pf["precedingPfIds"] == [footprint_id("GBA-2025-NWER-3S76-6"),
                                    footprint_id("GBA-2024-7WF3-VPJJ-K")]
    assert pf["id"] not in pf["precedingPfIds"]
    assert validate_product_footprint(pf, OPENAPI) == []
    assert pf["extensions"][0]["data"]["supersedes"] == ["GBA-2025-NWER-3S76-6",
                                                         "GBA-2024-7WF3-VPJJ-K"]


@needs_spec
def test_optional_facts_appear_only_when_given_and_still_validate():
    pf = product_footprint(facts(
        dqi=(1.5, 2.0, 1.2), biogenic_carbon_content_kg=0.0, primary_data_share=1.0,
        declared_unit={"amount": 1, "unit": "item"}, product_mass_kg=12.5,
        producer={"name": "HK Co", "identifier": "12345678", "country": "HK"}))
    assert validate_product_footprint(pf, OPENAPI) == []
    pcf = pf["pcf"]
    assert pcf["dqi"] == {"technologicalDQR": "1.5", "geographicalDQR": "2",
                          "temporalDQR": "1.2"}
    assert pcf["declaredUnitOfMeasurement"] == "piece"
    assert pcf["productMassPerDeclaredUnit"] == "12.5"
    assert "secondaryEmissionFactorSources" not in pcf  # MUST be undefined at 100 % primary
    assert pcf["geographyCountry"] == "HK"
    assert pf["companyIds"][0] == "urn:pact:ird.gov.hk:br-number:12345678"


def test_extension_validates_against_its_published_schema():
    schema = json.loads(EXTENSION_SCHEMA_PATH.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    data = product_footprint(facts())["extensions"][0]
    assert data["dataSchema"] == facts().extension_schema_url
    assert list(validator.iter_errors(data["data"])) == []
    minimal = extension_data(facts(recognitions=(), calculation=None, user_factor_sets=(),
                                   issuer_did=None, dqr=None))
    assert list(validator.iter_errors(minimal)) == []
    assert list(validator.iter_errors({**minimal, "labelId": "GBA-2026-XXXX"}))
    assert list(validator.iter_errors({**minimal, "surprise": 1}))


@pytest.mark.parametrize(("value", "text"), [
    (0.30000000000000004, "0.3"), (406.1, "406.1"), (1e-7, "0.0000001"), (-0.0, "0"),
    (0, "0"), (1000, "1000"), (12.50, "12.5"), (-14.22, "-14.22"), (2.5e6, "2500000"),
])
def test_decimal_strings_are_plain_and_short(value, text):
    assert decimal_string(value) == text


def test_non_finite_numbers_are_refused():
    with pytest.raises(PactMappingError):
        decimal_string(float("nan"))


@pytest.mark.parametrize(("amount", "unit", "expected"), [
    (1, "t", ("kilogram", 1000.0)), (2, "kg", ("kilogram", 2.0)), (1, "GJ", ("megajoule", 1000.0)),
    (1, "MWh", ("kilowatt hour", 1000.0)), (3, "kWh", ("kilowatt hour", 3.0)),
    (1, "item", ("piece", 1.0)), (6, "pcs", ("piece", 6.0)), (1, "m3", ("cubic meter", 1.0)),
    (12, "l", ("liter", 12.0)), (500, "ml", ("liter", 0.5)), (1, "m**2", ("square meter", 1.0)),
    (1, "tkm", ("ton kilometer", 1.0)), (2, "h", ("hour", 2.0)),
])
def test_declared_units_map_to_pact_units(amount, unit, expected):
    pact, converted = pact_declared_unit(amount, unit)
    assert pact == expected[0] and converted == pytest.approx(expected[1])


@pytest.mark.parametrize(("amount", "unit", "message"), [
    (1, "m", "no PACT declaredUnitOfMeasurement"), (1, "kg/m3", "no PACT"),
    (1, "furlongs per fortnight per widget", "not a known unit"), (0, "kg", "must be positive"),
])
def test_units_pact_cannot_express_are_errors(amount, unit, message):
    with pytest.raises(PactMappingError, match=message):
        pact_declared_unit(amount, unit)


@pytest.mark.parametrize(("change", "message"), [
    ({"boundary": "cradle-to-grave"}, "cradle-to-gate"),
    ({"declared_unit": {"amount": 1, "unit": "item"}}, "productMassPerDeclaredUnit"),
    ({"fossil_carbon_content_kg": None}, "fossilCarbonContent"),
    ({"declared_unit": {"amount": 1, "unit": "m"}}, "no PACT declaredUnitOfMeasurement"),
    ({"producer": {"name": "X"}, "organisation_id": None}, "no company id"),
    ({"product": {"name": "X"}, "product_id": None}, "no product id"),
    ({"dqi": (0.5, 2, 2)}, "between 1 and 5"),
    ({"standards": (("GB/T 24067", "2024"),)}, "cross-sectoral"),
    ({"label_validity": (date(2029, 6, 1), date(2030, 1, 1))}, "valid at no time"),
    ({"footprint": {"kgCO2ePerDeclaredUnit": -3.0, "gwpSet": "AR6", "iso14067": {
        "fossil": -3.0, "biogenic_emissions": 0, "biogenic_removals": 0, "dluc": 0}}},
     "fossil emissions cannot be negative"),
])
def test_labels_that_cannot_be_expressed_are_refused(change, message):
    with pytest.raises(PactMappingError, match=message):
        product_footprint(facts(**change))


# --- validator ---------------------------------------------------------------------------

@needs_spec
@pytest.mark.parametrize(("name", "pf"), example_footprints(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_spec_examples_validate_and_import(name, pf):
    assert validate_product_footprint(pf, OPENAPI) == [], name
    row = footprint_to_factor_row(pf, as_of=datetime.fromisoformat(pf["created"]))
    assert list(row) == list(COLUMNS)
    factors, errors = validate_rows([row], release=False, factor_set="pact-import")
    assert errors == [] and len(factors) == 1
    assert row["source_document"] == f"PACT ProductFootprint {pf['id']}"
    assert row["source_publisher"] == pf["companyName"]
    assert row["licence"] == "supplier-provided primary data"


@needs_spec
def test_example_footprints_were_found():
    assert len(example_footprints()) >= 7


@needs_spec
@pytest.mark.parametrize(("mutate", "where"), [
    (lambda pf: pf.pop("pcf"), "(root)"),
    (lambda pf: pf.update(companyIds=None), "(root)"),  # null is undefined, so missing
    (lambda pf: pf.update(id="not-a-uuid"), "id"),
    (lambda pf: pf.update(status="Retired"), "status"),
    (lambda pf: pf["pcf"].update(pcfIncludingBiogenicUptake=1.85),
     "pcf/pcfIncludingBiogenicUptake"),
    (lambda pf: pf["pcf"].update(fossilGhgEmissions="1.2e3"), "pcf/fossilGhgEmissions"),
    (lambda pf: pf["pcf"].update(declaredUnitOfMeasurement="tonne"),
     "pcf/declaredUnitOfMeasurement"),
    (lambda pf: pf["pcf"].update(geographyCountry="US"), "pcf"),  # with a subdivision too
    (lambda pf: pf.update(created="30/04/2025"), "created"),
    (lambda pf: pf.update(companyIds=["company1"]), "companyIds/0"),
])
def test_validator_reports_schema_violations(mutate, where):
    pf = json.loads((SPEC_DIR / "examples" / "example-1.json").read_text("utf-8"))
    mutate(pf)
    errors = validate_product_footprint(pf, OPENAPI)
    assert any(e.startswith(f"{where}: ") for e in errors), errors


# --- supplier ProductFootprint -> factor row ---------------------------------------------

def spec_example(name: str) -> dict[str, Any]:
    path = SPEC_DIR / "examples" / name
    if not path.is_file():
        pytest.skip(f"PACT spec not at {SPEC_DIR}")
    return json.loads(path.read_text("utf-8"))


def test_import_divides_by_the_declared_amount_and_keeps_provenance():
    pf = spec_example("example-2.json")  # 12 liter, AR6, US
    row = footprint_to_factor_row(pf, source_url="https://supplier.example/3/footprints/x")
    assert row["unit"] == "l" and float(row["co2e_kg"]) == pytest.approx(5.14 / 12)
    assert row["co2e_gwp_set"] == "AR6" and row["geography"] == "US"
    assert row["reference_year"] == 2024 and row["category"] == "material"
    assert row["id"] == "pact.product-2.f4b1225a-bd44-4c8e-861d-079e4e1dfd69"
    assert row["source_url"] == "https://supplier.example/3/footprints/x"
    for fact in ("-14.22", "-19.36", "biogenic CO2 uptake is not in this row", "Ecoinvent",
                 "079e425a-464f-528d-341d-4a944a1dfd70", "urn:gtin:4712345060507"):
        assert fact in row["notes"]


def test_import_of_mixed_gwp_sets_and_un_regions():
    assert footprint_to_factor_row(spec_example("example-3.json"))["co2e_gwp_set"] == "unstated"
    row = footprint_to_factor_row(spec_example("example-4.json"))
    assert row["geography"] == "GLO" and "Latin America and the Caribbean" in row["notes"]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda pf: pf.update(status="Deprecated"), "only Active"),
    (lambda pf: pf["pcf"].update(declaredUnitOfMeasurement="megabit second"), "megabit second"),
    (lambda pf: pf["pcf"].update(pcfExcludingBiogenicUptake="-0.5"), "negative"),
    (lambda pf: pf["pcf"].update(declaredUnitAmount="0"), "must be positive"),
    (lambda pf: pf["pcf"].update(pcfExcludingBiogenicUptake=0.384), "decimal strings"),
    (lambda pf: pf["pcf"].update(geographyCountrySubdivision="US-XX"), "ISO 3166"),
    (lambda pf: pf.pop("pcf"), "not a ProductFootprint"),
])
def test_import_refuses_what_cannot_be_mapped(mutate, message):
    pf = spec_example("example-1.json")
    mutate(pf)
    with pytest.raises(PactMappingError, match=message):
        footprint_to_factor_row(pf)


def test_import_refuses_expired_footprints_when_asked():
    pf = spec_example("example-1.json")  # valid until 2027-12-31
    footprint_to_factor_row(pf, as_of=datetime(2027, 12, 30, tzinfo=UTC))
    with pytest.raises(PactMappingError, match="valid until 2027-12-31"):
        footprint_to_factor_row(pf, as_of=datetime(2028, 1, 1, tzinfo=UTC))


def test_our_own_footprint_round_trips_into_a_factor_row():
    row = footprint_to_factor_row(product_footprint(facts()))
    assert row["unit"] == "kg" and float(row["co2e_kg"]) == pytest.approx(0.4065)
    assert row["geography"] == "CN-GD" and row["reference_year"] == 2025
    assert validate_rows([row], release=False, factor_set="pact-import")[1] == []


def test_import_rounds_the_per_unit_value_to_twelve_significant_digits():
    row = footprint_to_factor_row(spec_example("example-2.json"))
    assert row["co2e_kg"] == "0.428333333333"


def test_openapi_30_documents_get_nullable_and_formats_checked(tmp_path):
    schema = {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string", "format": "uuid"},
        "tags": {"type": "array", "items": {"type": "string", "nullable": True}},
        "codes": {"type": "array", "items": {"type": "string"}}}}
    path = tmp_path / "openapi.yaml"
    path.write_text(json.dumps({"openapi": "3.0.3",
                                "components": {"schemas": {"ProductFootprint": schema}}}))
    ok = {"id": "12345678-9abc-def0-1234-567812345678", "tags": ["a", None], "comment": None}
    assert validate_product_footprint(ok, path) == []
    assert validate_product_footprint({**ok, "codes": ["a", None]}, path)[0].startswith("codes/1")
    assert validate_product_footprint({**ok, "id": "12345678"}, path)[0].startswith("id: ")
    assert validate_product_footprint({"id": None}, path) == ["(root): 'id' is a required property"]
