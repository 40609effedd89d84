"""Bad input: each is a clear 4xx problem naming the field, and nothing is written."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.persistence import AuditEntry, LabelRequest, ModelVersion, Product
from tests.app.flows import act, create_product, steel_model, submitted_request, upload


def counts(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(t))
                     for t in (Product, ModelVersion, LabelRequest, AuditEntry))


def test_malformed_json(world, app):
    before = counts(app)
    response = world["exporter_a"].post("/api/v1/products", data="{'name': x",
                                        content_type="application/json")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert counts(app) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"name": 42}, "name"),
    ({"name": "x", "hs_code": "72-08"}, "hs_code"),
    ({"name": "x", "colour": "red"}, "colour"),
    ({}, "name"),
])
def test_wrong_types_and_unknown_fields(world, app, body, field):
    before = counts(app)
    response = world["exporter_a"].post("/api/v1/products", json=body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json["errors"]}
    assert counts(app) == before


def test_invalid_model_names_the_path_and_writes_nothing(world, app):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    model = steel_model()
    model["stages"][0]["processes"][0]["inputs"][0]["unit"] = "kwh/kg"
    before = counts(app)
    response = exporter.post(f"/api/v1/products/{product['id']}/model-versions",
                             json={"model": model})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "model.stages[0].processes[0].inputs[0].unit"
    assert counts(app) == before


def test_unknown_factor_is_caught_at_upload(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    model = steel_model()
    model["stages"][0]["processes"][0]["inputs"][0]["factor"] = "electricity.nowhere"
    response = exporter.post(f"/api/v1/products/{product['id']}/model-versions",
                             json={"model": model})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"].endswith(".factor")


def test_oversize_upload_is_refused(world, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    exporter = world["exporter_a"]
    product = create_product(exporter)
    before = counts(app)
    response = exporter.post(f"/api/v1/products/{product['id']}/model-versions",
                             data={"file": (io.BytesIO(b"x" * 4096), "model.yaml")},
                             content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert counts(app) == before


def test_file_upload_of_a_bom(world):
    exporter = world["exporter_a"]
    product = create_product(exporter, name="LED lamp", hs_code="853952")
    from tests.app.flows import EXAMPLES

    bom = (EXAMPLES.parent / "bom" / "led_lamp_bom.xlsx").read_bytes()
    response = exporter.post(f"/api/v1/products/{product['id']}/model-versions",
                             data={"file": (io.BytesIO(bom), "led_lamp_bom.xlsx")},
                             content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert response.json["source_format"] == "xlsx"


def test_unsupported_file_type(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    response = exporter.post(f"/api/v1/products/{product['id']}/model-versions",
                             data={"file": (io.BytesIO(b"%PDF"), "model.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "file"


def test_invalid_transition_is_409_with_current_state(world, app):
    request_id, etag = submitted_request(world)
    before = counts(app)
    response = act(world["certifier_c"], request_id, "approve", etag)
    assert response.status_code == 409
    assert response.json["current_state"] == "submitted"
    assert counts(app) == before


def test_stale_etag_is_412(world, app):
    request_id, etag = submitted_request(world)
    certifier = world["certifier_c"]
    fresh = act(certifier, request_id, "start_review", etag)
    assert fresh.status_code == 200
    before = counts(app)
    stale = act(certifier, request_id, "request_changes", etag, reason="x")
    assert stale.status_code == 412
    assert counts(app) == before
    with app.app_context():
        assert db.session.get(LabelRequest, request_id).state == "in_review"


def test_missing_if_match_is_428(world):
    request_id, _ = submitted_request(world)
    response = world["certifier_c"].post(f"/api/v1/label-requests/{request_id}/transitions",
                                         json={"action": "start_review"})
    assert response.status_code == 428


def test_unknown_action_is_422(world):
    request_id, etag = submitted_request(world)
    response = act(world["certifier_c"], request_id, "fast_track", etag)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "action"


def test_certifier_cannot_review_own_organisation(world, app):
    """A body that also exports (or a user moved between roles) never reviews itself."""
    from app.services import accounts, transaction

    request_id, etag = submitted_request(world)
    with app.app_context(), transaction() as session:
        body_exporter = accounts.create_user(
            session, None, email="moved@test.example", name="moved",
            password="correct horse battery", role="certifier",
            organisation_id=world["ids"]["cb_c"])
        req = session.get(LabelRequest, request_id)
        req.organisation_id = world["ids"]["cb_c"]  # as if body C had requested it
        etag = f'"{req.id}.{req.version + 1}"'
        _, secret = accounts.create_token(session, body_exporter, name="t",
                                          scopes=["read", "review"], days=1)
    response = world["certifier_c"].client.post(
        f"/api/v1/label-requests/{request_id}/transitions", json={"action": "start_review"},
        headers={"Authorization": f"Bearer {secret}", "If-Match": etag})
    assert response.status_code == 403
    assert "own organisation" in response.json["detail"]


def test_comment_path_must_be_a_model_path(world):
    request_id, etag = submitted_request(world)
    act(world["certifier_c"], request_id, "start_review", etag)
    response = world["certifier_c"].post(f"/api/v1/label-requests/{request_id}/comments",
                                         json={"body": "x", "path": "stages[0]..x"})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "path"


def test_versions_number_up(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    first = upload(exporter, product["id"], steel_model())
    second = upload(exporter, product["id"], steel_model())
    assert (first["number"], second["number"]) == (1, 2)
