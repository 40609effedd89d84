"""Hostile input through the API (issue 19, findings 1, 2 and 7): every bomb is a 413/422
problem naming the limit, quickly, and nothing is stored; no input gives a 500."""

from __future__ import annotations

import io
import json
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.persistence import AuditEntry, CbamInstallation, ModelVersion, Product
from tests.app.flows import create_product, steel_model
from tests.bombs import billion_laughs, cell_bomb

DEEP = "[" * 1000 + "]" * 1000


def counts(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(t))
                     for t in (Product, ModelVersion, CbamInstallation, AuditEntry))


def _problem(response, status: int, limit: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.content_type == "application/problem+json"
    body = response.json
    if limit:
        assert body["limit"]["name"] == limit
        assert body["limit"]["setting"] == f"CARBONLABEL_{limit.upper()}"
        assert limit in body["detail"] or body["limit"]["maximum"] > 0
    return body


def _upload(actor, product_id: str, name: str, data: bytes):
    return actor.post(f"/api/v1/products/{product_id}/model-versions",
                      data={"file": (io.BytesIO(data), name)},
                      content_type="multipart/form-data")


def test_billion_laughs_model_upload_is_refused_quickly(world, app):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    before = counts(app)
    started = time.perf_counter()
    response = _upload(exporter, product["id"], "model.yaml", billion_laughs().encode())
    assert time.perf_counter() - started < 2
    body = _problem(response, 422, "max_yaml_nodes")
    assert body["limit"]["maximum"] == 500_000
    assert counts(app) == before


def test_six_million_cell_bom_is_refused_before_opening(world, app):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    before = counts(app)
    started = time.perf_counter()
    response = _upload(exporter, product["id"], "bom.xlsx", cell_bomb())
    assert time.perf_counter() - started < 3
    assert response.status_code == 413, response.text
    assert response.json["limit"]["name"] in ("max_xlsx_expanded_bytes", "max_xlsx_ratio")
    assert counts(app) == before


def test_a_configured_limit_is_the_one_enforced(world, app):
    from lca_models.safe_load import InputLimits

    app.config["INPUT_LIMITS"] = InputLimits(max_rows=3)
    exporter = world["exporter_a"]
    product = create_product(exporter)
    csv_text = "stage,process\n" + "a,b\n" * 5
    body = _problem(_upload(exporter, product["id"], "bom.csv", csv_text.encode()), 422,
                    "max_rows")
    assert body["limit"]["maximum"] == 3


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/cbam/installations",
                                  "/api/v1/footprints/calculate", "/api/v1/session"])
def test_json_nested_1000_deep_is_422_everywhere(world, app, client, path):
    """Also without a token: the body is refused before anyone is asked who they are."""
    before = counts(app)
    for send in (world["exporter_a"].post, client.post):
        response = send(path, data='{"a": ' + DEEP + "}", content_type="application/json")
        _problem(response, 422, "max_depth")
    assert counts(app) == before


def test_duplicate_member_names_are_refused(world, app):
    before = counts(app)
    response = world["exporter_a"].post(
        "/api/v1/products", data='{"name": "shown", "name": "stored"}',
        content_type="application/json")
    body = _problem(response, 400)
    assert "duplicate member name 'name'" in body["detail"]
    assert counts(app) == before


def test_a_cbam_input_with_a_huge_string_names_the_path(world, app):
    from lca_models.safe_load import InputLimits

    app.config["INPUT_LIMITS"] = InputLimits(max_string_chars=1000)
    before = counts(app)
    response = world["exporter_a"].post("/api/v1/cbam/installations", data=json.dumps(
        {"input": {"installation": {"name_en": "x" * 1001}}}), content_type="application/json")
    body = _problem(response, 422, "max_string_chars")
    assert body["errors"][0]["field"] == "input.installation.name_en"
    assert counts(app) == before


LISTS = [("exporter_a", "/api/v1/products"), ("exporter_a", "/api/v1/cbam/installations"),
         ("exporter_a", "/api/v1/labels"), ("exporter_a", "/api/v1/label-requests"),
         ("admin", "/api/v1/users"), ("admin", "/api/v1/organisations"),
         ("admin", "/api/v1/audit")]


@pytest.mark.parametrize(("who", "path"), LISTS)
def test_a_huge_page_is_a_4xx_and_page_one_is_the_first_page(world, who, path):
    """Lists page by keyset (`after=`); `page` survives only as page=1, so no page number
    reaches an OFFSET at all."""
    actor = world[who]
    for page in (2, 10**12, 10**30, 0, -1):
        response = actor.get(f"{path}?page={page}")
        assert response.status_code == 422, (page, response.text)
        assert "page" in {e["field"].rsplit(".", 1)[-1] for e in response.json["errors"]}
    first = actor.get(f"{path}?page=1&page_size=200")
    assert first.status_code == 200 and first.json["items"] == actor.get(
        f"{path}?page_size=200").json["items"]


def test_the_model_versions_list_caps_page_too(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    url = f"/api/v1/products/{product['id']}/model-versions"
    assert exporter.get(url + "?page=99999999999999").status_code == 422


@pytest.mark.parametrize("seed", [-1, 2**31, 2**64, 10**40])
def test_an_out_of_range_seed_is_422(world, seed):
    exporter = world["exporter_a"]
    body = {"model": steel_model(), "monte_carlo": 10, "seed": seed}
    response = exporter.post("/api/v1/footprints/calculate", json=body)
    assert response.status_code == 422, response.text
    assert "seed" in {e["field"] for e in response.json["errors"]}
    product = create_product(exporter)
    version = exporter.post(f"/api/v1/products/{product['id']}/model-versions",
                            json={"model": steel_model()}).json
    response = exporter.post(f"/api/v1/model-versions/{version['id']}/calculations",
                             json={"seed": seed})
    assert response.status_code == 422, response.text


def test_pact_events_answer_the_specs_error_body(client):
    response = client.post("/3/events", data='{"type": ' + DEEP + "}",
                           content_type="application/cloudevents+json")
    assert response.status_code == 400
    assert response.json["code"] == "BadRequest"
    assert "nested more than 64 levels" in response.json["message"]
