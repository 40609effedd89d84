"""HTTP API: factors and stateless calculation, problem+json errors."""

from __future__ import annotations

import pytest

from tests.lca_models.models import BASE_EXPECTED, SOUTH_GRID, base


def test_health(client):
    assert client.get("/api/v1/health").json == {"status": "ok"}


def test_factor_list_filters_and_carries_the_release_hash(client, release):
    body = client.get("/api/v1/factors?geography=HK").json
    assert body["sha256"] == release.sha256
    assert body["factor_count"] == len(body["factors"]) > 0
    assert all("HK" in f["geography"].split(";") for f in body["factors"])


def test_one_factor_with_source(client):
    body = client.get(f"/api/v1/factors/{SOUTH_GRID}").json
    assert body["gases_kg"] == {"co2_fossil": 0.3869}
    assert body["source_url"].startswith("http")


def test_unknown_factor_is_a_404_problem(client):
    response = client.get("/api/v1/factors/nope")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.json["type"] == "/problems/unknown-factor"


def test_calculate(world):
    response = world["exporter_a"].post("/api/v1/footprints/calculate",
                           json={"model": base(), "monte_carlo": 20, "seed": 1})
    assert response.status_code == 200, response.json
    assert response.json["kg_co2e_per_declared_unit"] == pytest.approx(BASE_EXPECTED)
    assert response.json["monte_carlo"]["iterations"] == 20


def test_invalid_model_names_the_request_field(world):
    data = base()
    data["stages"][1]["processes"][0]["inputs"][0]["unit"] = "kwh/kg"
    response = world["exporter_a"].post("/api/v1/footprints/calculate", json={"model": data})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert {"field": "model.stages[1].processes[0].inputs[0].unit",
            "message": "'kwh/kg' is not a known unit"} in response.json["errors"]


def test_request_shape_errors_are_problems(world):
    response = world["exporter_a"].post("/api/v1/footprints/calculate", json={"gwp_set": "AR4"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json["errors"]}
    assert fields == {"model", "gwp_set"}


def test_monte_carlo_is_capped(world, app):
    app.config["MAX_MONTE_CARLO"] = 10
    response = world["exporter_a"].post("/api/v1/footprints/calculate",
                                        json={"model": base(), "monte_carlo": 11})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "monte_carlo"


def test_calculation_needs_an_account(client):
    response = client.post("/api/v1/footprints/calculate", json={"model": base()})
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


def test_the_request_calculator_has_its_own_smaller_iteration_cap(world, app):
    assert app.config["MAX_REQUEST_MONTE_CARLO"] == 100 < app.config["MAX_MONTE_CARLO"]
    app.config["MAX_REQUEST_MONTE_CARLO"] = 30
    calc = world["exporter_a"]
    over = calc.post("/api/v1/footprints/calculate", json={"model": base(), "monte_carlo": 31})
    assert over.status_code == 422 and "at most 30" in over.json["errors"][0]["message"]
    at = calc.post("/api/v1/footprints/calculate", json={"model": base(), "monte_carlo": 30})
    assert at.status_code == 200 and at.json["monte_carlo"]["iterations"] == 30


def test_model_size_is_capped_before_parsing(world, app):
    data = base()
    processes = sum(len(stage["processes"]) for stage in data["stages"])
    inputs = sum(len(p["inputs"]) for stage in data["stages"] for p in stage["processes"])
    app.config["MAX_MODEL_PROCESSES"] = processes - 1
    response = world["exporter_a"].post("/api/v1/footprints/calculate", json={"model": data})
    assert response.status_code == 422
    assert response.json["errors"] == [{
        "field": "model.stages",
        "message": f"at most {processes - 1} processes per model (this one has {processes})"}]
    app.config["MAX_MODEL_PROCESSES"] = processes
    app.config["MAX_MODEL_INPUTS"] = inputs - 1
    response = world["exporter_a"].post("/api/v1/footprints/calculate", json={"model": data})
    assert response.status_code == 422 and f"(this one has {inputs})" in response.text


def test_calculation_is_rate_limited_per_account(world, app):
    app.config["RATELIMIT_CALCULATE"] = "2 per minute"
    small = {"model": base()}
    a, b = world["exporter_a"], world["exporter_b"]
    assert [a.post("/api/v1/footprints/calculate", json=small).status_code
            for _ in range(3)] == [200, 200, 429]
    assert b.post("/api/v1/footprints/calculate", json=small).status_code == 200


def test_openapi_document_lists_the_endpoints(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"/api/v1/factors", "/api/v1/factors/{factor_id}",
            "/api/v1/footprints/calculate"} <= set(paths)
