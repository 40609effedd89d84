"""Steps shared by the service tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"


def steel_model() -> dict[str, Any]:
    """The EAF rebar example as a JSON client would send it (dates as ISO strings)."""
    data = yaml.safe_load((EXAMPLES / "eaf_rebar.yaml").read_text("utf-8"))
    return json.loads(json.dumps(data, default=str))


def revised(model: dict[str, Any]) -> dict[str, Any]:
    """The same model with one input amount lowered (as a revision after review)."""
    data = copy.deepcopy(model)
    first = data["stages"][0]["processes"][0]
    for inp in first.get("inputs", []):
        if isinstance(inp["amount"], int | float):
            inp["amount"] = inp["amount"] * 0.9
            break
    return data


def create_product(actor, **overrides) -> dict:
    body = {"name": "Rebar B500B", "hs_code": "721420", **overrides}
    response = actor.post("/api/v1/products", json=body)
    assert response.status_code == 201, response.json
    return response.json


def upload(actor, product_id: str, model: dict) -> dict:
    response = actor.post(f"/api/v1/products/{product_id}/model-versions", json={"model": model})
    assert response.status_code == 201, response.json
    return response.json


def calculate(actor, version_id: str, **body) -> dict:
    """A stored calculation; with Monte Carlo, through the job the API answers 202 with (the
    test app runs tasks eagerly, so the job is done when the answer comes)."""
    response = actor.post(f"/api/v1/model-versions/{version_id}/calculations", json=body)
    if body.get("monte_carlo"):
        assert response.status_code == 202, response.json
        job = actor.get(response.headers["Location"]).json
        assert job["state"] == "done", job
        response = actor.get(job["links"]["result"])
        assert response.status_code == 200, response.json
        return response.json
    assert response.status_code == 201, response.json
    return response.json


def draft_request(actor, calculation_id: str, body_id: str) -> tuple[dict, str]:
    response = actor.post("/api/v1/label-requests", json={
        "calculation_id": calculation_id, "certification_body_id": body_id,
        "label_type": "footprint_disclosure", "home_scheme": "gba-home",
        "declared": {"standards": [{"name": "ISO 14067", "version": "2018"}]}})
    assert response.status_code == 201, response.json
    return response.json, response.headers["ETag"]


def act(actor, request_id: str, action: str, etag: str, **body):
    return actor.post(f"/api/v1/label-requests/{request_id}/transitions",
                      json={"action": action, **body}, headers={"If-Match": etag})


def submitted_request(world) -> tuple[str, str]:
    """A request of exporter A to body C, submitted; returns (id, etag)."""
    exporter = world["exporter_a"]
    product = create_product(exporter)
    version = upload(exporter, product["id"], steel_model())
    calc = calculate(exporter, version["id"])
    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    response = act(exporter, req["id"], "submit", etag)
    assert response.status_code == 200, response.json
    return req["id"], response.headers["ETag"]
