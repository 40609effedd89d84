"""Recognition engine: every rule kind passes and fails on purpose, outcomes follow severity, and
the shipped scheme files load with a source (or an honest `illustrative` note) for every rule."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from lca_models.recognition import (
    RULE_KINDS,
    MetadataError,
    RecognitionMetadata,
    Scheme,
    SchemeFileError,
    evaluate,
    load_schemes,
    read_standards,
)

EVIDENCE_DIR = Path(__file__).resolve().parents[2] / "docs" / "scheme-evidence"
SOURCE = {"url": "https://example.org/scheme-rules", "section": "§1"}

BASE = {
    "standards": [{"name": "ISO 14067", "version": "2018"},
                  {"name": "GB/T 24067", "version": "2024"}],
    "product_rules": {"operator": "SAMR", "name": "Lithium-ion cells", "version": "1.0",
                      "source_type": "national"},
    "boundary": "cradle-to-gate",
    "declared_unit": "1 kWh of cell capacity",
    "gwp_set": "AR6",
    "lcia_method": "IPCC 2021 GWP100",
    "electricity": {"approach": "location-based", "certificates_used": False},
    "secondary_databases": [{"name": "ecoinvent", "version": "3.10"}],
    "reference_period": {"start": "2024-01-01", "end": "2024-12-31"},
    "primary_data_share": 0.6,
    "data_quality_rating": 2.1,
    "uncertainty_statement": "±12 % (95 % interval, Monte Carlo)",
    "exemptions": ["capital goods"],
    "exclusions_percent": 1.0,
    "allocation_methods": ["mass"],
    "assurance": {"type": "third_party", "level": "limited", "standard": "ISO 14064-3:2019",
                  "verification_body": "Example Verification Ltd", "accreditation_body": "CNAS",
                  "accreditation_number": "CNAS C000-X", "scope": "product carbon footprint"},
    "validity": {"valid_from": "2025-01-10", "valid_until": "2027-01-10"},
    "home_scheme_id": "gba-home",
    "label_type": "footprint_disclosure",
    "issue_date": "2025-01-10",
}


def metadata(**changes: object) -> RecognitionMetadata:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return RecognitionMetadata.from_dict(data)


def scheme(*rules: dict, agreements: tuple[dict, ...] = ()) -> Scheme:
    return Scheme.from_dict({
        "id": "partner", "name": "Partner scheme", "operator": "Partner", "jurisdiction": "XX",
        "source_urls": [SOURCE["url"]], "illustrative": False,
        "rules": [{"severity": "required", "source": SOURCE, **r} for r in rules],
        "agreements": list(agreements),
    })


def assurance(**changes: object) -> dict:
    return {**BASE["assurance"], **changes}


# kind, params, metadata change that passes, change that fails, expected code, expected field
CASES = [
    ("accepted_standards", {"standards": [{"id": "ISO 14067", "min_version": "2018"}]},
     {}, {"standards": [{"id": "PAS 2050", "version": "2011"}]},
     "STANDARD_NOT_ACCEPTED", "standards"),
    ("accepted_standards", {"standards": [{"id": "ISO 14067", "min_version": "2018"}]},
     {"standards": [{"id": "iso 14067", "version": "2018"}]},
     {"standards": [{"name": "ISO 14067", "version": "2013"}]},
     "STANDARD_VERSION_TOO_OLD", "standards"),
    ("gwp_sets", {"allowed": ["AR6"]}, {}, {"gwp_set": "AR5"}, "GWP_SET_NOT_ACCEPTED", "gwp_set"),
    ("boundary", {"allowed": ["cradle-to-grave"]}, {"boundary": "cradle-to-grave"}, {},
     "BOUNDARY_NOT_ACCEPTED", "boundary"),
    ("verification", {"third_party_required": True}, {},
     {"assurance": assurance(type="self")}, "THIRD_PARTY_VERIFICATION_MISSING", "assurance.type"),
    ("verification", {"third_party_required": True}, {}, {"assurance": None},
     "THIRD_PARTY_VERIFICATION_MISSING", "assurance.type"),
    ("verification", {"accepted_accreditation_bodies": ["UKAS", "HKAS"]},
     {"assurance": assurance(accreditation_body="hkas")}, {},
     "ACCREDITATION_BODY_NOT_ACCEPTED", "assurance.accreditation_body"),
    ("verification", {"min_level": "reasonable"}, {"assurance": assurance(level="reasonable")},
     {}, "ASSURANCE_LEVEL_TOO_LOW", "assurance.level"),
    ("max_validity_years", {"years": 2}, {},
     {"validity": {"valid_from": "2025-01-10", "valid_until": "2028-01-10"}},
     "VALIDITY_TOO_LONG", "validity.valid_until"),
    ("max_data_age_years", {"years": 2}, {},
     {"reference_period": {"start": "2021-01-01", "end": "2021-12-31"}},
     "DATA_TOO_OLD", "reference_period.end"),
    ("pcr_required", {}, {}, {"product_rules": None}, "PCR_MISSING", "product_rules"),
    ("pcr_required", {"accepted_source_types": ["national"]}, {},
     {"product_rules": {**BASE["product_rules"], "source_type": "group"}},
     "PCR_SOURCE_NOT_ACCEPTED", "product_rules.source_type"),
    ("electricity", {"certificates_accepted": False},
     {"electricity": {"approach": "market-based", "certificates_used": False}},
     {"electricity": {"approach": "market-based", "certificates_used": True}},
     "ELECTRICITY_CERTIFICATES_NOT_ACCEPTED", "electricity.certificates_used"),
    ("electricity", {"allowed_approaches": ["location-based"]}, {},
     {"electricity": {"approach": "market-based", "certificates_used": False}},
     "ELECTRICITY_APPROACH_NOT_ACCEPTED", "electricity.approach"),
    ("label_types", {"offered": ["footprint_disclosure"]}, {}, {"label_type": "reduction"},
     "LABEL_TYPE_NOT_OFFERED", "label_type"),
    ("min_primary_data_share", {"share": 0.5}, {}, {"primary_data_share": 0.2},
     "PRIMARY_DATA_SHARE_TOO_LOW", "primary_data_share"),
    ("min_primary_data_share", {"share": 0.5}, {}, {"primary_data_share": None},
     "PRIMARY_DATA_SHARE_TOO_LOW", "primary_data_share"),
    ("max_exclusions_percent", {"percent": 5}, {}, {"exclusions_percent": 8},
     "EXCLUSIONS_TOO_HIGH", "exclusions_percent"),
]


def test_every_rule_kind_has_a_passing_and_a_failing_case():
    assert {case[0] for case in CASES} == set(RULE_KINDS)


@pytest.mark.parametrize(("kind", "params", "passing", "failing", "code", "field"), CASES,
                         ids=[f"{c[0]}-{c[4]}" for c in CASES])
def test_rule_kind_passes_and_fails(kind, params, passing, failing, code, field):
    partner = scheme({"kind": kind, "params": params})

    ok = evaluate(metadata(**passing), partner)
    assert ok.outcome == "recognised", ok.reasons
    assert ok.reasons == ()

    bad = evaluate(metadata(**failing), partner)
    assert bad.outcome == "not_recognised"
    assert [(r.code, r.field, r.severity) for r in bad.reasons] == [(code, field, "required")]
    assert bad.reasons[0].source.url == SOURCE["url"]
    assert bad.adjustments


@pytest.mark.parametrize(("rule", "changes", "adjustment"), [
    ({"kind": "gwp_sets", "params": {"allowed": ["AR6"]}}, {"gwp_set": "AR5"},
     "recompute with AR6"),
    ({"kind": "boundary", "params": {"allowed": ["cradle-to-grave"]}}, {},
     "boundary gap: add distribution, use and end-of-life stages"),
    ({"kind": "boundary", "params": {"allowed": ["cradle-to-gate"]}},
     {"boundary": "gate-to-gate"}, "boundary gap: add raw material acquisition stages"),
    ({"kind": "verification", "params": {"third_party_required": True,
                                         "accepted_accreditation_bodies": ["UKAS"]}},
     {"assurance": assurance(type="self")},
     "third-party verification by a body accredited by UKAS needed"),
])
def test_failures_suggest_adjustments(rule, changes, adjustment):
    assert adjustment in evaluate(metadata(**changes), scheme(rule)).adjustments


def test_outcome_precedence_required_beats_condition_beats_pass():
    required = {"kind": "gwp_sets", "params": {"allowed": ["AR6"]}}
    condition = {"kind": "min_primary_data_share", "severity": "condition",
                 "params": {"share": 0.9}}
    both = scheme(required, condition)

    assert evaluate(metadata(), scheme(required)).outcome == "recognised"
    conditional = evaluate(metadata(), both)
    assert conditional.outcome == "recognised_with_conditions"
    assert [r.severity for r in conditional.reasons] == ["condition"]
    failed = evaluate(metadata(gwp_set="AR5"), both)
    assert failed.outcome == "not_recognised"
    assert {r.severity for r in failed.reasons} == {"required", "condition"}


def test_label_outside_its_validity_on_the_asked_date_is_not_recognised():
    partner = scheme({"kind": "gwp_sets", "params": {"allowed": ["AR6"]}})
    assert evaluate(metadata(), partner, on=date(2026, 6, 1)).outcome == "recognised"
    late = evaluate(metadata(), partner, on=date(2027, 2, 1))
    assert late.outcome == "not_recognised"
    assert late.reasons[0].code == "LABEL_NOT_VALID_ON_DATE"


def test_home_scheme_label_says_so():
    home = load_schemes()["gba-home"]
    result = evaluate(metadata(), home)
    assert result.outcome == "recognised", result.reasons
    assert result.home_scheme is True
    assert any("home scheme" in n for n in result.notes)
    assert result.illustrative is True  # operator-set rules are flagged, not passed off as external


def test_documented_agreement_is_reported_without_being_overstated():
    schemes = load_schemes()
    result = evaluate(metadata(home_scheme_id="guangdong-carbon-label"),
                      schemes["cma-hk-carbon-label"])
    assert result.home_scheme is False
    assert result.agreement is not None
    assert result.agreement.status == "memorandum_of_understanding"
    assert any("memorandum of understanding only" in n for n in result.notes)
    assert evaluate(metadata(), schemes["cma-hk-carbon-label"]).agreement is None


def test_agreement_with_partner_home_scheme_is_reported():
    agreement = {"with_scheme": "gba-home", "status": "mutual_recognition", "reference": "MRA-1",
                 "date": "2025-01-01", "conditions": ["AR6 only"], "source": SOURCE}
    result = evaluate(metadata(), scheme({"kind": "gwp_sets", "params": {"allowed": ["AR6"]}},
                                         agreements=(agreement,)))
    assert result.agreement.reference == "MRA-1"
    assert any("a mutual recognition agreement with gba-home" in n for n in result.notes)


def test_shipped_schemes_load_and_every_rule_is_sourced_or_marked():
    schemes = load_schemes()
    assert set(schemes) == {"gba-home", "guangdong-carbon-label", "cma-hk-carbon-label",
                            "cnca-cfp", "carbon-trust-pcf", "sumpo-cfp", "keiti-cfp", "tgo-cfp",
                            "eu-battery-cfd"}
    for s in schemes.values():
        assert (EVIDENCE_DIR / f"{s.id}.md").is_file(), s.id
        for rule in s.rules:
            assert rule.illustrative or rule.source.url.startswith("http"), (s.id, rule.kind)
            assert not rule.illustrative or rule.note, (s.id, rule.kind)
        for agreement in s.agreements:
            assert agreement.source.url.startswith("http")
            assert agreement.with_scheme in schemes
    assert all(r.illustrative and "set by the operator" in r.note
               for r in schemes["gba-home"].rules)


def test_only_the_sourced_guangdong_cma_memorandum_is_shipped_as_an_agreement():
    pairs = {(s.id, a.with_scheme, a.status) for s in load_schemes().values()
             for a in s.agreements}
    assert pairs == {
        ("guangdong-carbon-label", "cma-hk-carbon-label", "memorandum_of_understanding"),
        ("cma-hk-carbon-label", "guangdong-carbon-label", "memorandum_of_understanding"),
    }


def write_scheme(directory: Path, name: str, rules: str, extra: str = "") -> None:
    (directory / f"{name}.yaml").write_text(
        f"id: {name}\nname: Bad\noperator: X\njurisdiction: XX\nsource_urls: []\n"
        f"illustrative: false\nrules:\n{rules}{extra}", "utf-8")


GOOD_RULE = ("  - kind: gwp_sets\n    severity: required\n"
             "    source: {url: 'https://example.org', section: '1'}\n"
             "    params: {allowed: [AR6]}\n")


@pytest.mark.parametrize(("rules", "extra", "message"), [
    (GOOD_RULE + "  - kind: carbon_magic\n    severity: required\n    illustrative: true\n"
     "    note: n\n", "", "bad.yaml: rules[1].kind: unknown rule kind 'carbon_magic'"),
    ("  - kind: gwp_sets\n    severity: required\n    params: {allowed: [AR6]}\n", "",
     "bad.yaml: rules[0].source: missing for the gwp_sets rule"),
    ("  - kind: gwp_sets\n    severity: required\n    illustrative: true\n"
     "    params: {allowed: [AR6]}\n", "", "bad.yaml: rules[0].note"),
    ("  - kind: gwp_sets\n    severity: required\n    source: {url: 'https://example.org'}\n"
     "    params: {allowed: [AR6]}\n", "", "bad.yaml: rules[0].source.section: is required"),
    (GOOD_RULE.replace("[AR6]", "[AR7]"), "", "bad.yaml: rules[0].params.allowed: unknown values"),
    (GOOD_RULE.replace("allowed:", "permitted:"), "", "rules[0].params.permitted"),
    (GOOD_RULE.replace("required", "mandatory"), "", "bad.yaml: rules[0].severity"),
    (GOOD_RULE, "agreements:\n  - {with_scheme: x, status: mutual_recognition, reference: r,"
     " date: 2024-01-01, conditions: []}\n", "bad.yaml: agreements[0].source: is required"),
])
def test_invalid_scheme_files_are_rejected_naming_file_and_rule(tmp_path, rules, extra, message):
    write_scheme(tmp_path, "bad", rules, extra)
    with pytest.raises(SchemeFileError) as err:
        load_schemes(tmp_path)
    assert message in str(err.value)


def test_scheme_id_must_match_file_name(tmp_path):
    write_scheme(tmp_path, "good", GOOD_RULE)
    assert list(load_schemes(tmp_path)) == ["good"]
    (tmp_path / "good.yaml").rename(tmp_path / "other.yaml")
    with pytest.raises(SchemeFileError, match=r"other\.yaml: scheme id 'good'"):
        load_schemes(tmp_path)


def test_metadata_round_trips_through_snake_case_json():
    original = metadata()
    as_json = json.loads(json.dumps(original.to_dict()))
    assert as_json["reference_period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert "homeSchemeId" not in as_json and as_json["home_scheme_id"] == "gba-home"
    assert RecognitionMetadata.from_dict(as_json) == original


def test_standards_in_the_old_id_spelling_still_read_and_are_written_as_name():
    """Credentials issued before context v2 say {"id": "ISO 14067"}; they are signed, so they
    stay as they are and must still evaluate the same."""
    old = metadata(standards=[{"id": "ISO 14067", "version": "2018"},
                              {"id": "GB/T 24067", "version": "2024"}])
    assert old == metadata()
    assert old.to_dict()["standards"][0] == {"name": "ISO 14067", "version": "2018"}
    assert read_standards([{"id": "ISO 14067"}]) == read_standards([{"name": "ISO 14067"}])
    with pytest.raises(MetadataError, match=r"standards\[0\].id: give name only"):
        metadata(standards=[{"id": "ISO 14067", "name": "ISO 14067"}])


@pytest.mark.parametrize(("changes", "field"), [
    ({"gwp_set": "AR7"}, "gwp_set"),
    ({"assurance": assurance(level="high")}, "assurance.level"),
    ({"primary_data_share": 1.5}, "primary_data_share"),
    ({"data_quality_rating": 0}, "data_quality_rating"),
    ({"issue_date": "10/01/2025"}, "issue_date"),
    ({"standards": [{"name": "ISO 14067", "year": "2018"}]}, "standards[0].year"),
    ({"standards": [{"id": "ISO 14067", "year": "2018"}]}, "standards[0].year"),
    ({"validity": {"valid_from": "2025-01-10", "valid_until": "2024-01-10"}},
     "validity.valid_until"),
])
def test_malformed_metadata_names_the_field(changes, field):
    with pytest.raises(MetadataError) as err:
        metadata(**changes)
    assert err.value.field == field


def test_missing_required_metadata_field_is_named():
    data = copy.deepcopy(BASE)
    del data["boundary"]
    with pytest.raises(MetadataError, match="boundary: is required"):
        RecognitionMetadata.from_dict(data)


def test_evaluation_serialises_to_json():
    result = evaluate(metadata(gwp_set="AR5"), load_schemes()["carbon-trust-pcf"])
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["outcome"] == "recognised_with_conditions"  # cradle-to-gate is a condition
    assert payload["reasons"][0]["code"] == "BOUNDARY_NOT_ACCEPTED"
