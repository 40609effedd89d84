"""CBAM installations and reports over the API: stored, computed, downloaded, kept within
the organisation. Numbers are checked against lca_models and by hand (factor rows as in
tests/lca_models/test_cbam.py)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import openpyxl
import pytest
import yaml

from lca_models.cbam import compute_report, load_report_input
from lca_models.cbam_report import to_json
from tests.app.api.test_documents import pdf_text
from tests.app.flows import calculate, create_product, steel_model, upload
from tests.lca_models.test_cbam import EXPECTED_PRODUCT_HEADER

API = "/api/v1/cbam"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cbam"
NAMES = ("steel-eaf-guangzhou", "aluminium-extrusion-foshan", "cement-jiangmen")


def example(name: str) -> dict:
    """An example input as a JSON client sends it (dates as ISO text)."""
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    return json.loads(json.dumps(data, default=str))


def create(actor, data: dict):
    return actor.post(f"{API}/installations", json={"input": data})


def installed(actor, name: str = "cement-jiangmen") -> dict:
    response = create(actor, example(name))
    assert response.status_code == 201, response.json
    return response.json


def computed(actor, installation_id: str) -> dict:
    response = actor.post(f"{API}/installations/{installation_id}/reports")
    assert response.status_code == 201, response.json
    return response.json


def audit_actions(world) -> list[str]:
    entries = world["admin"].get("/api/v1/audit?page_size=200").json["items"]
    return [e["action"] for e in entries]


@pytest.mark.parametrize("name", NAMES)
def test_example_installation_computes_like_the_engine(world, name, tmp_path):
    exporter = world["exporter_a"]
    created = create(exporter, example(name))
    assert created.status_code == 201, created.json
    assert created.headers["ETag"] == f'"{created.json["id"]}.1"'
    inst = created.json
    assert inst["organisation_id"] == world["ids"]["exp_a"] and inst["version"] == 1
    assert inst["input"]["installation"]["unlocode"] == example(name)["installation"]["unlocode"]

    report = computed(exporter, inst["id"])
    expected = to_json(compute_report(load_report_input(EXAMPLES / f"{name}.yaml")))
    assert report["result"]["goods"] == json.loads(json.dumps(expected["goods"]))
    assert report["installation_id"] == inst["id"] and report["installation_version"] == 1
    assert report["inputs_sha256"] == inst["content_sha256"]
    assert report["factor_release_version"] == "2026.2"
    assert report["computed_at"]

    xlsx = exporter.get(f"{API}/reports/{report['id']}/download?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.mimetype == ("application/vnd.openxmlformats-officedocument."
                             "spreadsheetml.sheet")
    assert xlsx.headers["Content-Disposition"] == (
        f'attachment; filename="cbam-report-{report["id"]}.xlsx"')
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.data))["Summary_Communication"]
                .iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == EXPECTED_PRODUCT_HEADER[0])
    assert list(rows[at][:45]) == EXPECTED_PRODUCT_HEADER
    assert rows[at + 1][2] == expected["goods"][0]["cn_code"]
    assert rows[at + 1][5] == expected["goods"][0]["see_direct"]


def test_cement_report_by_hand_in_every_format(world, tmp_path):
    exporter = world["exporter_a"]
    report = computed(exporter, installed(exporter)["id"])
    clinker = report["result"]["goods"][0]
    # coal 120000 t × 23 GJ/t × 94.6 t/TJ = 261096 t; waste fuel 300 TJ × 100 t/TJ × 0.6 =
    # 18000 t; raw meal 1180000 t × 0.44 = 519200 t; over 1e6 t of clinker
    direct = (261096 + 18000 + 519200) / 1e6  # 0.798296
    indirect = 55000 * 0.3869 / 1e6  # 0.0212795
    assert clinker["see_direct"] == round(direct, 5) == 0.7983
    assert clinker["see_indirect"] == 0.02128
    assert clinker["see_total"] == 0.81958  # 0.8195755 rounded once, at the end
    # ETS: 95 CNY × (0.9 covered − 0.88 free allocation) × 0.8195755 t = 1.5571935 CNY/t
    assert clinker["carbon_price"]["effective_per_unit"] == pytest.approx(
        95 * (0.9 - 0.88) * (direct + indirect))

    as_json = exporter.get(f"{API}/reports/{report['id']}/download?format=json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert as_json.headers["Content-Disposition"].endswith('.json"')
    assert json.loads(as_json.data) == report["result"]
    assert json.loads(as_json.data)["format"] == "carbonlabel-cbam-report/1"

    pdf = exporter.get(f"{API}/reports/{report['id']}/download?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == (
        f'attachment; filename="cbam-report-{report["id"]}.pdf"')
    text = pdf_text(pdf.data, tmp_path)
    assert "CBAM 隐含排放通报" in text and "0.79830 0.02128 0.81958" in text

    bad = exporter.get(f"{API}/reports/{report['id']}/download?format=docx")
    assert bad.status_code == 422
    listed = exporter.get(f"{API}/installations/{report['installation_id']}/reports").json
    assert len(listed["items"]) == 1 and listed["items"][0]["id"] == report["id"]
    assert listed["next"] is None
    assert "result" not in listed["items"][0]
    actions = audit_actions(world)
    assert "cbam_installation.created" in actions and "cbam_report.computed" in actions


def _cn_outside(data):
    data["goods"][0]["cn_code"] = "01012100"  # live horses: not a CBAM good


def _negative_activity(data):
    data["processes"][0]["activity_level"]["amount"] = -5


def _latitude(data):
    data["installation"]["coordinates"]["latitude"] = 95


def _workbook(data):
    data["default_values"] = {"workbook": "/etc/passwd"}


@pytest.mark.parametrize(("change", "field"), [
    (_cn_outside, "input.goods[0].cn_code"),
    (_negative_activity, "input.processes[0].activity_level.amount"),
    (_latitude, "input.installation.coordinates.latitude"),
    (_workbook, "input.default_values.workbook"),
])
def test_bad_input_names_the_field_and_writes_nothing(world, change, field):
    exporter = world["exporter_a"]
    data = example("cement-jiangmen")
    change(data)
    response = create(exporter, data)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.json["errors"]]
    assert exporter.get(f"{API}/installations").json["items"] == []
    assert "cbam_installation.created" not in audit_actions(world)


def test_update_needs_the_current_etag_and_a_valid_input(world):
    exporter = world["exporter_a"]
    inst = installed(exporter)
    first = computed(exporter, inst["id"])
    data = example("cement-jiangmen")
    data["processes"][0]["electricity_consumed_mwh"] = 66000
    url = f"{API}/installations/{inst['id']}"
    assert exporter.put(url, json={"input": data}).status_code == 428
    etag = exporter.get(url).headers["ETag"]
    bad = copy.deepcopy(data)
    _negative_activity(bad)
    refused = exporter.put(url, json={"input": bad}, headers={"If-Match": etag})
    assert refused.status_code == 422
    assert exporter.get(url).json["version"] == 1  # nothing written
    updated = exporter.put(url, json={"input": data}, headers={"If-Match": etag})
    assert updated.status_code == 200, updated.json
    assert updated.json["version"] == 2 and updated.headers["ETag"] == f'"{inst["id"]}.2"'
    stale = exporter.put(url, json={"input": data}, headers={"If-Match": etag})
    assert stale.status_code == 412
    second = computed(exporter, inst["id"])
    assert second["installation_version"] == 2
    assert second["result"]["goods"][0]["see_indirect"] == 0.02554  # 66000 × 0.3869 / 1e6
    again = exporter.get(f"{API}/reports/{first['id']}").json  # the stored one is kept
    assert again["result"]["goods"][0]["see_indirect"] == 0.02128
    assert "cbam_installation.updated" in audit_actions(world)


def test_another_organisation_sees_nothing(world):
    owner, other = world["exporter_a"], world["exporter_b"]
    inst = installed(owner)
    report = computed(owner, inst["id"])
    for url in (f"{API}/installations/{inst['id']}", f"{API}/installations/{inst['id']}/reports",
                f"{API}/reports/{report['id']}",
                f"{API}/reports/{report['id']}/download?format=json"):
        assert other.get(url).status_code == 404, url
        assert world["admin"].get(url).status_code == 200, url
        assert world["certifier_c"].get(url).status_code == 403, url
    assert other.post(f"{API}/installations/{inst['id']}/reports").status_code == 404
    assert other.get(f"{API}/installations").json["items"] == []
    assert owner.get(f"{API}/installations").json["items"][0]["id"] == inst["id"]


def test_product_footprint_from_a_stored_calculation(world):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    data = example("steel-eaf-guangzhou")
    data["goods"][0]["product_footprint"] = {"calculation_id": calc["id"]}
    inst = create(exporter, data)
    assert inst.status_code == 201, inst.json
    stored = inst.json["input"]["goods"][0]["product_footprint"]
    assert stored["boundary"] == calc["result"]["boundary"]
    good = computed(exporter, inst.json["id"])["result"]["goods"][0]
    fp = good["product_footprint"]
    unit = calc["result"]["declared_unit"]
    assert unit == {"amount": 1, "unit": "t"}  # eaf_rebar.yaml: per tonne of rebar
    per_tonne = calc["kg_co2e_per_declared_unit"] / 1000  # kg per t -> t per t
    assert fp["footprint_t_per_unit"] == pytest.approx(per_tonne)
    assert fp["difference_t_per_unit"] == pytest.approx(per_tonne - good["see_total"])
    assert any("Annex II" in note for note in fp["boundary_notes"])  # steel: direct only

    foreign = world["exporter_b"]
    refused = create(foreign, data)  # B cannot borrow A's calculation
    assert refused.status_code == 422
    assert "input.goods[0].product_footprint.calculation_id" in [
        e["field"] for e in refused.json["errors"]]


def test_openapi_lists_the_cbam_endpoints(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"/api/v1/cbam/installations", "/api/v1/cbam/installations/{installation_id}",
            "/api/v1/cbam/installations/{installation_id}/reports",
            "/api/v1/cbam/reports/{report_id}",
            "/api/v1/cbam/reports/{report_id}/download"} <= set(paths)
