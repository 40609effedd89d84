"""Recognition metadata travels in the credential; partners evaluate it against schemes."""

from __future__ import annotations

import json

from app.cli import main
from tests.app.flows import act, calculate, create_product, steel_model, upload

DECLARED = {
    "standards": [{"name": "ISO 14067", "version": "2018"}],
    "electricity": {"approach": "location-based", "certificates_used": False},
    "uncertainty_statement": "Monte Carlo not run; factor uncertainty per pedigree ratings",
}


def issue_with(world, declared: dict | None) -> tuple[str, dict]:
    exporter, certifier = world["exporter_a"], world["certifier_c"]
    product = create_product(exporter)
    calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    body = {"calculation_id": calc["id"], "certification_body_id": world["ids"]["cb_c"],
            "label_type": "footprint_disclosure", "home_scheme": "gba-home"}
    if declared is not None:
        body["declared"] = declared
    created = exporter.post("/api/v1/label-requests", json=body)
    assert created.status_code == 201, created.json
    assert created.json["declared_metadata"] == (declared and {
        **{"product_rules": None, "exemptions": []}, **declared})
    etag = act(exporter, created.json["id"], "submit", created.headers["ETag"]).headers["ETag"]
    etag = act(certifier, created.json["id"], "start_review", etag).headers["ETag"]
    approved = act(certifier, created.json["id"], "approve", etag, valid_until="2028-06-30")
    assert approved.status_code == 200, approved.json
    label = next(lb for lb in exporter.get("/api/v1/labels").json["items"]
                 if lb["request_id"] == created.json["id"])
    credential = exporter.client.get(f"/api/v1/labels/{label['id']}/credential").json
    return label["id"], credential


def test_credential_carries_derived_and_declared_metadata(world):
    _, credential = issue_with(world, DECLARED)
    meta = credential["credentialSubject"]["recognitionMetadata"]
    assert meta["standards"] == [{"name": "ISO 14067", "version": "2018"}]
    assert meta["boundary"] == "cradle-to-gate"
    assert meta["gwp_set"] == "AR6" and meta["lcia_method"] == "IPCC-AR6-GWP100"
    assert meta["reference_period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert meta["assurance"]["type"] == "third_party"
    assert meta["assurance"]["verification_body"] == "Body C"
    assert meta["validity"]["valid_until"] == "2028-06-30"
    assert meta["secondary_databases"][0]["version"] == "2026.2"
    assert 0 <= meta["primary_data_share"] <= 1


def test_the_old_id_spelling_of_a_standard_is_accepted_and_stored_as_name(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    body = {"calculation_id": calc["id"], "certification_body_id": world["ids"]["cb_c"],
            "label_type": "footprint_disclosure", "home_scheme": "gba-home"}
    old = exporter.post("/api/v1/label-requests", json={
        **body, "declared": {"standards": [{"id": "GB/T 24067", "version": "2024"}]}})
    assert old.status_code == 201, old.json
    assert old.json["declared_metadata"]["standards"] == [{"name": "GB/T 24067",
                                                           "version": "2024"}]
    for standard in ({"id": "ISO 14067", "name": "ISO 14067"}, {"version": "2018"}):
        refused = exporter.post("/api/v1/label-requests", json={
            **body, "declared": {"standards": [standard]}})
        assert refused.status_code == 422, refused.json
        assert "name" in json.dumps(refused.json["errors"])


def test_recognition_endpoint_evaluates_every_scheme(world, client):
    label_id, _ = issue_with(world, DECLARED)
    results = client.get(f"/api/v1/labels/{label_id}/recognition").json
    by_scheme = {r["scheme_id"]: r for r in results}
    assert {"gba-home", "carbon-trust-pcf", "eu-battery-cfd"} <= set(by_scheme)
    assert all(r["outcome"] in ("recognised", "recognised_with_conditions", "not_recognised")
               for r in results)
    assert by_scheme["gba-home"]["home_scheme"] is True
    trust = by_scheme["carbon-trust-pcf"]
    # A cradle-to-gate footprint under a consumer-label boundary rule is a condition there.
    assert any(r["code"] and r["field"] for r in trust["reasons"])
    one = client.get(f"/api/v1/labels/{label_id}/recognition?scheme=carbon-trust-pcf").json
    assert [r["scheme_id"] for r in one] == ["carbon-trust-pcf"]
    unknown = client.get(f"/api/v1/labels/{label_id}/recognition?scheme=nope")
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "scheme"


def test_undeclared_standards_are_a_reason_not_a_crash(world, client):
    label_id, credential = issue_with(world, None)
    assert credential["credentialSubject"]["recognitionMetadata"]["standards"] == []
    results = client.get(f"/api/v1/labels/{label_id}/recognition?scheme=carbon-trust-pcf").json
    codes = {r["code"] for r in results[0]["reasons"]}
    assert results[0]["outcome"] == "not_recognised"
    assert any("STANDARD" in code for code in codes), codes


def test_recognition_on_the_page_and_in_the_cli(world, client, tmp_path, runner):
    label_id, credential = issue_with(world, DECLARED)
    page = client.get(f"/verify/{label_id}?lang=en")
    assert "published rules" in page.text and "Carbon Trust" in page.text
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    result = runner.invoke(main, ["recognition", str(path), "--scheme", "carbon-trust-pcf"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("carbon-trust-pcf")
