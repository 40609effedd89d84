"""The whole certification flow through the API, on every database backend."""

from __future__ import annotations

import pytest

from tests.app.flows import (
    act,
    calculate,
    create_product,
    draft_request,
    revised,
    steel_model,
    upload,
)


def test_exporter_to_approval(world, app):
    exporter, certifier = world["exporter_a"], world["certifier_c"]
    product = create_product(exporter)
    v1 = upload(exporter, product["id"], steel_model())
    calc1 = calculate(exporter, v1["id"], monte_carlo=50, seed=3)
    assert calc1["result"]["monte_carlo"]["iterations"] == 50
    req, etag = draft_request(exporter, calc1["id"], world["ids"]["cb_c"])
    assert req["state"] == "draft"
    # certifiers do not see drafts
    assert certifier.get(f"/api/v1/label-requests/{req['id']}").status_code == 404

    response = act(exporter, req["id"], "submit", etag)
    assert response.json["state"] == "submitted"
    # the submitted version is frozen
    frozen = exporter.put(f"/api/v1/model-versions/{v1['id']}", json={"model": steel_model()})
    assert frozen.status_code == 409

    queue = certifier.get("/api/v1/label-requests?state=submitted").json
    assert [r["id"] for r in queue["items"]] == [req["id"]]
    etag = certifier.get(f"/api/v1/label-requests/{req['id']}").headers["ETag"]
    response = act(certifier, req["id"], "start_review", etag)
    assert response.json["state"] == "in_review"

    review = certifier.get(f"/api/v1/label-requests/{req['id']}/review").json
    assert review["calculation"]["inputs_sha256"] == calc1["inputs_sha256"]
    assert review["allowed_actions"] == ["request_changes", "approve", "reject"]
    grid = next(f for f in review["factors"] if f["id"] == "electricity.cn-south-grid.co2.2022")
    assert grid["source_url"].startswith("http") and grid["licence"]
    assert review["comparison"] is None

    path = "stages[0].processes[0].inputs[0]"
    comment = certifier.post(f"/api/v1/label-requests/{req['id']}/comments",
                             json={"body": "Source of this amount?", "path": path})
    assert comment.status_code == 201
    response = act(certifier, req["id"], "request_changes", response.headers["ETag"],
                   reason="see comments")
    assert response.json["state"] == "changes_requested"
    etag = response.headers["ETag"]

    answer = exporter.post(f"/api/v1/label-requests/{req['id']}/comments",
                           json={"body": "Metered; revised down 10 %",
                                 "parent_id": comment.json["id"]})
    assert answer.status_code == 201 and answer.json["path"] == path
    v2 = upload(exporter, product["id"], revised(steel_model()))
    calc2 = calculate(exporter, v2["id"])
    response = act(exporter, req["id"], "resubmit", etag, calculation_id=calc2["id"])
    assert response.json["state"] == "in_review"
    assert response.json["calculation_id"] == calc2["id"]

    review = certifier.get(f"/api/v1/label-requests/{req['id']}/review").json
    changes = review["comparison"]["model_changes"]
    assert any(c["path"].startswith("stages[0].processes[0].inputs[0]") for c in changes)
    delta = review["comparison"]["result"]["total"]
    assert delta["new"] < delta["old"]
    assert [c["body"] for c in review["comments"]] == ["Source of this amount?",
                                                       "Metered; revised down 10 %"]

    response = act(certifier, req["id"], "approve", review["etag"], valid_until="2029-12-31")
    assert response.status_code == 200, response.json
    decided = response.json
    assert decided["state"] == "approved"
    assert decided["reviewer_id"] == certifier.user_id
    assert decided["reviewed_inputs_sha256"] == calc2["inputs_sha256"]
    assert decided["reviewed_result_sha256"] == calc2["result_sha256"]

    # the trail holds every step, chained
    trail = world["admin"].get("/api/v1/audit?page_size=200").json["items"]
    actions = [e["action"] for e in trail if e["target_id"] == req["id"]]
    assert actions == ["label_request.created", "label_request.submit",
                       "label_request.start_review", "comment.added",
                       "label_request.request_changes", "comment.added",
                       "label_request.resubmit", "label_request.approve"]
    assert world["admin"].get("/api/v1/audit/verify").json["ok"] is True


def test_recalculation_reproduces_exactly(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    version = upload(exporter, product["id"], steel_model())
    calc = calculate(exporter, version["id"], monte_carlo=30, seed=5)
    again = exporter.post(f"/api/v1/calculations/{calc['id']}/recompute")
    assert again.json == {"calculation_id": calc["id"], "reproduced": True}
    stored = exporter.get(f"/api/v1/calculations/{calc['id']}").json
    assert stored["result"] == calc["result"]
    assert stored["factor_release_sha256"] == calc["result"]["factor_release"]["sha256"]


def test_withdraw_and_reject(world):
    exporter, certifier = world["exporter_a"], world["certifier_c"]
    product = create_product(exporter)
    calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    assert act(exporter, req["id"], "withdraw", etag).json["state"] == "withdrawn"

    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    etag = act(exporter, req["id"], "submit", etag).headers["ETag"]
    etag = act(certifier, req["id"], "start_review", etag).headers["ETag"]
    missing_reason = act(certifier, req["id"], "reject", etag)
    assert missing_reason.status_code == 422
    rejected = act(certifier, req["id"], "reject", etag, reason="boundary incomplete")
    assert rejected.json["state"] == "rejected"
    assert rejected.json["decision_reason"] == "boundary incomplete"


@pytest.mark.parametrize("label_type", ["rating", "reduction"])
def test_label_types_need_their_basis(world, label_type):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    response = exporter.post("/api/v1/label-requests", json={
        "calculation_id": calc["id"], "certification_body_id": world["ids"]["cb_c"],
        "label_type": label_type, "home_scheme": "gba-home"})
    assert response.status_code == 422
    field = {"rating": "model.pcr", "reduction": "baseline_request_id"}[label_type]
    assert response.json["errors"][0]["field"] == field


def test_body_must_be_accredited_for_the_product(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    response = exporter.post("/api/v1/label-requests", json={
        "calculation_id": calc["id"], "certification_body_id": world["ids"]["cb_d"],
        "label_type": "footprint_disclosure", "home_scheme": "gba-home"})
    assert response.status_code == 422
    assert "not accredited for HS chapter 72" in response.json["detail"]


def test_certifier_cannot_act_after_the_accreditation_expired(world, app):
    from datetime import date

    from app.extensions import db
    from app.persistence import Organisation
    from tests.app.flows import submitted_request

    request_id, etag = submitted_request(world)
    with app.app_context():
        body = db.session.get(Organisation, world["ids"]["cb_c"])
        body.accredited_to = date(2020, 12, 31)
        db.session.commit()
    response = act(world["certifier_c"], request_id, "start_review", etag)
    assert response.status_code == 422
    assert "not accredited" in response.json["detail"]
