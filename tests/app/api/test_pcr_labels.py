"""Product-category rules through the service: a model naming an unknown PCR is refused and
nothing stored; the certifier's review (API and page) shows the model's PCR gaps; a rating
label is graded against the PCR's sourced benchmark and a reduction label states its
reduction, both end to end (request, review, issue, verify: credential, artwork, page).

The PCR with a benchmark used here is written by the test into its own directory, with a
benchmark derived from the test's own footprint: it exercises the grading, it is no
programme's rule and is never shipped."""

from __future__ import annotations

import copy

import pytest
import yaml

from app.services.recognition import evaluate_credential
from tests.app.api.test_credential_jsonld import OURS, _values, expand_safely
from tests.app.api.test_labels import approve
from tests.app.flows import act, calculate, create_product, revised, steel_model, upload
from tests.app.web.test_pages import count, sign_in

FIXTURE_SOURCE = {"publisher": "carbonlabel test suite", "document": "test fixture, not a rule",
                  "section": "n/a", "url": "https://example.invalid/test-fixture",
                  "licence": "test data", "year": 2026}


def _write_pcr(directory, benchmark_value: float | None) -> dict:
    doc = {"id": "test-rebar", "version": "1", "name": "Rebar (test fixture)",
           "publisher": "carbonlabel test suite", "source_type": "pcr_programme",
           "product_group": "steel bars", "hs_codes": {"codes": ["7214"], "source": FIXTURE_SOURCE},
           "declared_unit": {"amount": 1, "unit": "t", "description": "one tonne",
                             "source": FIXTURE_SOURCE},
           "boundary": {"allowed": ["cradle-to-gate"], "required_stages": ["raw_materials",
                                                                          "production"],
                        "source": FIXTURE_SOURCE},
           "cut_off": {"max_exclusions_percent": 0.5, "source": FIXTURE_SOURCE}}
    if benchmark_value is not None:
        doc["benchmark"] = {"value": benchmark_value, "unit": "kg CO2e per t", "year": 2026,
                            "source": FIXTURE_SOURCE,
                            "grades": [{"grade": "A", "max_ratio": 0.8},
                                       {"grade": "B", "max_ratio": 1.0}, {"grade": "C"}]}
    directory.mkdir(exist_ok=True)
    (directory / "test-rebar.yaml").write_text(yaml.safe_dump(doc), "utf-8")
    return doc


def _with_pcr(model: dict, pcr_id: str = "test-rebar", version: str = "1") -> dict:
    data = copy.deepcopy(model)
    data["pcr"] = {"id": pcr_id, "version": version}
    return data


def _request(actor, calc_id: str, body_id: str, label_type: str, **extra):
    return actor.post("/api/v1/label-requests", json={
        "calculation_id": calc_id, "certification_body_id": body_id, "label_type": label_type,
        "home_scheme": "gba-home",
        "declared": {"standards": [{"name": "ISO 14067", "version": "2018"}]}, **extra})


def _submit(world, response) -> tuple[str, str]:
    assert response.status_code == 201, response.json
    submitted = act(world["exporter_a"], response.json["id"], "submit",
                    response.headers["ETag"])
    assert submitted.status_code == 200, submitted.json
    return response.json["id"], submitted.headers["ETag"]


def test_a_model_naming_an_unknown_pcr_is_refused_and_nothing_stored(app, world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    before = count(app, "model_versions")
    for ref, field in ((("no-such-pcr", "1")), "model.pcr.id"), \
                      ((("eu-battery-cfb", "1999")), "model.pcr.version"):
        response = exporter.post(f"/api/v1/products/{product['id']}/model-versions",
                                 json={"model": _with_pcr(steel_model(), *ref)})
        assert response.status_code == 422, response.json
        assert field in {e["field"] for e in response.json["errors"]}, response.json
    assert count(app, "model_versions") == before


def test_a_rating_needs_a_pcr_with_a_sourced_benchmark(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    plain = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    response = _request(exporter, plain["id"], world["ids"]["cb_c"], "rating")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "model.pcr"
    # the shipped EU battery rules publish no benchmark
    battery = calculate(exporter, upload(exporter, product["id"], _with_pcr(
        steel_model(), "eu-battery-cfb", "2023/1542"))["id"])
    response = _request(exporter, battery["id"], world["ids"]["cb_c"], "rating")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "pcr.benchmark"
    assert "no benchmark" in response.json["errors"][0]["message"]


@pytest.mark.timezone
def test_a_rating_label_end_to_end(app, world, client, tmp_path):
    exporter, certifier = world["exporter_a"], world["certifier_c"]
    product = create_product(exporter)
    probe = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    footprint = probe["result"]["kg_co2e_per_declared_unit"]
    benchmark = footprint / 0.9  # footprint / benchmark = 0.9: grade B (0.8 < 0.9 <= 1.0)
    _write_pcr(tmp_path / "pcrs", benchmark)
    app.config["PCR_DIR"] = tmp_path / "pcrs"

    version = upload(exporter, product["id"], _with_pcr(steel_model()))
    calc = calculate(exporter, version["id"])
    assert calc["result"]["kg_co2e_per_declared_unit"] == footprint
    request_id, etag = _submit(world, _request(exporter, calc["id"], world["ids"]["cb_c"],
                                               "rating"))
    review = certifier.get(f"/api/v1/label-requests/{request_id}/review").json
    check = review["pcr_check"]
    assert (check["id"], check["version"], check["gaps"]) == ("test-rebar", "1", [])
    assert check["checked_rules"] == ["benchmark", "boundary", "cut_off", "declared_unit",
                                      "hs_codes"]
    reviewer = sign_in(app, "certifier_c")
    page = reviewer.get(f"/app/requests/{request_id}").text
    assert "Product-category rule check" in page and "test-rebar 1" in page
    assert "The model meets every rule of it that was checked." in page

    approve(world, request_id, etag)
    label = next(lb for lb in exporter.get("/api/v1/labels").json["items"]
                 if lb["request_id"] == request_id)
    credential = exporter.client.get(f"/api/v1/labels/{label['id']}/credential").json
    subject = credential["credentialSubject"]
    assert subject["productCategoryRules"]["pcrId"] == "test-rebar"
    rating = subject["rating"]
    assert rating["grade"] == "B"
    assert rating["ratioToBenchmark"] == pytest.approx(0.9, abs=1e-6)
    assert rating["benchmark"]["kgCO2ePerDeclaredUnit"] == pytest.approx(benchmark)
    assert rating["benchmark"]["sourceUrl"] == FIXTURE_SOURCE["url"]
    expanded = expand_safely(credential, client)  # every new term is defined in context v2
    assert _values(expanded, OURS + "grade") == ["B"]
    assert _values(expanded, OURS + "pcrId") == ["test-rebar"]
    # the recognition engine uses the PCR: no PCR_MISSING under the home scheme
    rules = subject["recognitionMetadata"]["product_rules"]
    assert rules["source_type"] == "pcr_programme" and rules["version"] == "1"
    home = evaluate_credential(credential, "gba-home")[0]
    assert not [r for r in home.reasons if r.code.startswith("PCR_")]

    verification = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert verification["status"] == "valid"
    assert verification["details"]["rating"]["grade"] == "B"
    svg = client.get(f"/api/v1/labels/{label['id']}/artwork.svg").text
    assert "Grade B (benchmark" in svg and "等级 B（基准" in svg
    page = client.get(f"/verify/{label['id']}?lang=en").text
    assert "test-rebar 1" in page and "Rating" in page and FIXTURE_SOURCE["url"] in page
    hant = client.get(f"/verify/{label['id']}?lang=zh-Hant").text
    assert "評級" in hant and "產品類別規則" in hant and "基準" in hant


def test_a_reduction_label_states_its_reduction(app, world, client, tmp_path):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    base_calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    base_id, etag = _submit(world, _request(exporter, base_calc["id"], world["ids"]["cb_c"],
                                            "footprint_disclosure"))
    approve(world, base_id, etag)
    base_label = next(lb for lb in exporter.get("/api/v1/labels").json["items"]
                      if lb["request_id"] == base_id)

    worse = copy.deepcopy(steel_model())
    worse["stages"][0]["processes"][0]["inputs"][0]["amount"] *= 2
    worse_calc = calculate(exporter, upload(exporter, product["id"], worse)["id"])
    refused = _request(exporter, worse_calc["id"], world["ids"]["cb_c"], "reduction",
                       baseline_request_id=base_id)
    assert refused.status_code == 422
    assert refused.json["errors"][0]["field"] == "baseline_request_id"
    assert "no reduction" in refused.json["errors"][0]["message"]

    _write_pcr(tmp_path / "pcrs", None)
    app.config["PCR_DIR"] = tmp_path / "pcrs"
    other_rules = calculate(exporter, upload(exporter, product["id"],
                                             _with_pcr(revised(steel_model())))["id"])
    refused = _request(exporter, other_rules["id"], world["ids"]["cb_c"], "reduction",
                       baseline_request_id=base_id)
    assert refused.status_code == 422
    assert refused.json["errors"][0]["field"] == "baseline_request_id"
    assert "another product-category rule" in refused.json["errors"][0]["message"]

    better = calculate(exporter, upload(exporter, product["id"], revised(steel_model()))["id"])
    request_id, etag = _submit(world, _request(exporter, better["id"], world["ids"]["cb_c"],
                                               "reduction", baseline_request_id=base_id))
    approve(world, request_id, etag)
    label = next(lb for lb in exporter.get("/api/v1/labels").json["items"]
                 if lb["request_id"] == request_id)
    credential = exporter.client.get(f"/api/v1/labels/{label['id']}/credential").json
    before = base_calc["result"]["kg_co2e_per_declared_unit"]
    after = better["result"]["kg_co2e_per_declared_unit"]
    reduction = credential["credentialSubject"]["reduction"]
    assert reduction["baselineLabelId"] == base_label["id"]
    assert reduction["baselineKgCO2ePerDeclaredUnit"] == before
    assert reduction["reductionPercent"] == pytest.approx((before - after) / before * 100,
                                                          abs=1e-4)
    assert 0 < reduction["reductionPercent"] < 100
    expand_safely(credential, client)
    svg = client.get(f"/api/v1/labels/{label['id']}/artwork.svg").text
    assert f"below baseline {base_label['id']}" in svg
    page = client.get(f"/verify/{label['id']}?lang=en").text
    assert "Reduction" in page and f'href="/verify/{base_label["id"]}"' in page


def test_rating_through_the_pages_refused_then_requested(app, world, tmp_path):
    from tests.app.api.test_documents import pdf_text

    exporter = world["exporter_a"]
    product = create_product(exporter)
    plain = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    page_user = sign_in(app, "exporter_a")
    form = {"certification_body_id": world["ids"]["cb_c"], "label_type": "rating",
            "home_scheme": "gba-home", "standard": "ISO 14067:2018",
            "electricity": "location-based", "csrf_token": page_user.csrf, "submit_now": "1"}
    assert 'value="rating"' in page_user.get(f"/app/calculations/{plain['id']}").text
    before = count(app, "label_requests")
    refused = page_user.post(f"/app/calculations/{plain['id']}/requests", data=form,
                             follow_redirects=True)
    assert refused.status_code == 200
    assert "product-category rule" in refused.text and "model.pcr" in refused.text
    assert count(app, "label_requests") == before  # nothing stored

    _write_pcr(tmp_path / "pcrs", plain["result"]["kg_co2e_per_declared_unit"] / 0.7)
    app.config["PCR_DIR"] = tmp_path / "pcrs"
    calc = calculate(exporter, upload(exporter, product["id"], _with_pcr(steel_model()))["id"])
    made = page_user.post(f"/app/calculations/{calc['id']}/requests", data=form)
    assert made.status_code == 302, made.text
    request_id = made.headers["Location"].rsplit("/", 1)[1]
    certifier = sign_in(app, "certifier_c")
    etag = exporter.get(f"/api/v1/label-requests/{request_id}").headers["ETag"]
    approve(world, request_id, etag)
    label = next(lb for lb in exporter.get("/api/v1/labels").json["items"]
                 if lb["request_id"] == request_id)
    assert label["id"] in certifier.get(f"/app/requests/{request_id}").text
    pdf = exporter.client.get(f"/api/v1/labels/{label['id']}/certificate.pdf")
    text = " ".join(pdf_text(pdf.data, tmp_path).split())
    assert "Grade A (benchmark" in text and "test-rebar 1" in text  # 0.7 <= 0.8: grade A


def test_the_registry_is_public_with_its_sources(client):
    listed = client.get("/api/v1/pcrs").json["pcrs"]
    battery = next(p for p in listed if p["id"] == "eu-battery-cfb")
    assert battery["rating_possible"] is False  # no benchmark
    assert battery["rules"]["declared_unit"]["source"]["url"] == (
        "https://eur-lex.europa.eu/eli/reg/2023/1542/oj")
    assert battery["rules"]["hs_codes"]["illustrative"] is True
    assert client.get("/api/v1/pcrs/eu-battery-cfb").json["version"] == "2023/1542"
    missing = client.get("/api/v1/pcrs/nope")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
