"""Factor-release diff and impact run through the API (tasks run eagerly here; the worker
tests run them on real workers). Expected numbers come from the stored breakdown by hand:
the rebar model's only use of the scaled grid factor contributes E kg, so multiplying that
factor by 1.2 must move the footprint by exactly 0.2 E."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.services.releases import write_illustrative_release
from lca_models.factors import load_release
from tests.app.api.test_labels import issue
from tests.app.web.test_pages import count

GRID = "electricity.cn-south-grid.co2.2022"
SHIPPED = load_release().version


@pytest.fixture
def release_dir(app, tmp_path):
    folder = tmp_path / "factor-releases"
    app.config["FACTOR_RELEASES_DIR"] = folder
    return write_illustrative_release(folder, GRID, 1.2)


def _calc(world, label) -> dict:
    request = world["exporter_a"].get(f"/api/v1/label-requests/{label['request_id']}").json
    return world["exporter_a"].get(f"/api/v1/calculations/{request['calculation_id']}").json


def test_diff_names_the_changed_factor_its_relative_change_and_source(world, release_dir):
    certifier = world["certifier_c"]
    response = certifier.get(f"/api/v1/factor-releases/{SHIPPED}/diff/{release_dir.name}")
    assert response.status_code == 200, response.json
    diff = response.json
    assert diff["added"] == [] and diff["removed"] == []
    assert [c["id"] for c in diff["changed"]] == [GRID]
    change = diff["changed"][0]["changes"]["co2_fossil"]
    assert change["new"] == pytest.approx(change["old"] * 1.2, rel=1e-12)
    assert change["relative_change"] == pytest.approx(0.2, rel=1e-9)
    assert diff["changed"][0]["source_changed"] is True
    assert world["exporter_a"].get(
        f"/api/v1/factor-releases/{SHIPPED}/diff/{release_dir.name}").status_code == 403
    missing = certifier.get(f"/api/v1/factor-releases/{SHIPPED}/diff/1999.9")
    assert missing.status_code == 404 and "1999.9" in missing.json["detail"]


def test_impact_run_flags_the_label_and_changes_nothing_signed(app, world, release_dir):
    label, credential = issue(world)
    stored = _calc(world, label)
    grid = sum(i["kg_co2e"] for i in stored["result"]["by_input"] if i["reference"] == GRID)
    old = stored["kg_co2e_per_declared_unit"]
    assert grid > 0
    certifier = world["certifier_c"]
    response = certifier.post("/api/v1/impact-runs", json={"release": release_dir.name})
    assert response.status_code == 202, response.json
    job = certifier.get(response.headers["Location"]).json
    assert job["kind"] == "impact" and job["state"] == "done", job
    assert job["progress"] == {"done": 1, "total": 1}
    report = certifier.get(job["links"]["report"]).json
    (entry,) = report["entries"]
    assert entry["error"] is None, entry
    assert entry["label_id"] == label["id"] and entry["old_kg"] == old
    assert entry["new_kg"] == pytest.approx(old + 0.2 * grid, rel=1e-9)
    assert entry["change_percent"] == pytest.approx(100 * 0.2 * grid / old, rel=1e-9)
    assert entry["flagged"] is (100 * 0.2 * grid / old > 5)
    assert entry["drivers"][0]["factor_id"] == GRID
    assert entry["drivers"][0]["delta_kg"] == pytest.approx(0.2 * grid, rel=1e-9)
    # the exporter sees the recommendation, another exporter cannot see the label's flags
    flags = world["exporter_a"].get(f"/api/v1/labels/{label['id']}/impact-flags")
    assert flags.status_code == 200 and len(flags.json) == int(entry["flagged"])
    assert world["exporter_b"].get(
        f"/api/v1/labels/{label['id']}/impact-flags").status_code == 404
    # another body's certifier cannot read the run
    assert world["certifier_d"].get(response.headers["Location"]).status_code == 404
    assert world["certifier_d"].get(job["links"]["report"]).status_code == 404
    # signed labels never change
    again = world["exporter_a"].client.get(f"/api/v1/labels/{label['id']}/credential").json
    assert again == credential
    assert _calc(world, label)["kg_co2e_per_declared_unit"] == old
    # downloads, and the audit trail
    csv_text = certifier.get(job["links"]["report"] + "/report.csv").get_data(as_text=True)
    assert label["id"] in csv_text and csv_text.splitlines()[0].startswith("label_id,")
    book = load_workbook(io.BytesIO(certifier.get(job["links"]["report"]
                                                  + "/report.xlsx").data))
    assert book.active.cell(row=3, column=1).value == label["id"]
    assert book.active.cell(row=3, column=4).value == pytest.approx(entry["new_kg"])
    audit = json.dumps(world["admin"].get("/api/v1/audit?limit=200").json)
    assert "job.impact.finished" in audit


def test_a_higher_threshold_flags_nothing(world, release_dir):
    label, _ = issue(world)
    response = world["certifier_c"].post("/api/v1/impact-runs", json={
        "release": release_dir.name, "threshold_percent": 1000})
    report = world["certifier_c"].get(response.json["links"]["report"]).json
    assert [e["flagged"] for e in report["entries"]] == [False]
    assert world["exporter_a"].get(f"/api/v1/labels/{label['id']}/impact-flags").json == []


def test_a_second_delivery_of_a_batch_writes_nothing_twice(app, world, release_dir):
    from app.services import impact

    label, _ = issue(world)
    response = world["certifier_c"].post("/api/v1/impact-runs", json={
        "release": release_dir.name})
    assert count(app, "impact_entries") == 1
    from app.extensions import db
    from app.persistence import Job

    with app.app_context():
        db.session.get(Job, response.json["id"]).state = "running"  # as if not yet finished
        db.session.commit()
        impact.run_batch(db.session, response.json["id"], [label["id"]],
                         Path(app.config["BRIGHTWAY_DIR"]))
    assert count(app, "impact_entries") == 1


def test_bad_releases_are_refused_and_nothing_is_started(app, world, release_dir):
    issue(world)
    certifier = world["certifier_c"]
    unknown = certifier.post("/api/v1/impact-runs", json={"release": "2030.9"})
    assert unknown.status_code == 404 and "2030.9" in unknown.json["detail"]
    path_like = certifier.post("/api/v1/impact-runs", json={"release": "../../etc"})
    assert path_like.status_code == 404
    csv_file = release_dir / "electricity.csv"
    csv_file.write_text(csv_file.read_text("utf-8").replace("0.5366", "0.5367", 1), "utf-8")
    tampered = certifier.post("/api/v1/impact-runs", json={"release": release_dir.name})
    assert tampered.status_code == 422 and "checksum" in tampered.json["detail"]
    assert world["exporter_a"].post("/api/v1/impact-runs", json={
        "release": SHIPPED}).status_code == 403
    assert count(app, "jobs") == 0


def test_cli_diff_and_test_release(runner, tmp_path):
    from app.cli import main

    made = runner.invoke(main, ["factors", "make-test-release", str(tmp_path / "r"),
                                "--factor", GRID, "--multiply", "1.5"])
    assert made.exit_code == 0, made.output
    folder = made.output.split("wrote ", 1)[1].strip()
    assert "TEST" in folder
    result = runner.invoke(main, ["factors", "diff", SHIPPED, folder])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 removed, 1 changed" in result.output
    assert f"~ {GRID}" in result.output and "(+50.00 %)" in result.output
    bad = runner.invoke(main, ["factors", "diff", SHIPPED, "nope"])
    assert bad.exit_code == 2 and "no factor release 'nope'" in bad.output


def test_pages_diff_run_progress_report_and_flag(app, world, release_dir):
    from tests.app.web.test_pages import sign_in

    label, _ = issue(world)
    certifier = sign_in(app, "certifier_c")
    page = certifier.get(f"/app/factor-releases?old={SHIPPED}&new={release_dir.name}").text
    assert GRID in page and "+20.00 %" in page
    response = certifier.post("/app/impact-runs", data={
        "release": release_dir.name, "threshold_percent": "0.001",
        "csrf_token": certifier.csrf})
    assert response.status_code == 302
    report = certifier.get(response.headers["Location"]).text
    assert label["id"] in report and "Re-certification recommended" in report
    assert certifier.get(response.headers["Location"] + "/report.csv").status_code == 200
    exporter = sign_in(app, "exporter_a")
    request_page = exporter.get(f"/app/requests/{label['request_id']}").text
    assert "Re-certification recommended" in request_page
    other = sign_in(app, "certifier_d")
    assert other.get(response.headers["Location"]).status_code == 404
    bad = certifier.get(f"/app/factor-releases?old={SHIPPED}&new=nope")
    assert bad.status_code == 404 and "nope" in bad.text


def test_the_old_shipped_release_is_reachable_and_a_2026_1_label_recomputes_bit_for_bit(
        app, world, monkeypatch, runner):
    """2026.1 (kept in lca_models/data/factors) is found by version from the API, the CLI and
    the page; a label whose calculation used it recomputes to the stored number exactly
    under 2026.1, and under 2026.2 too (2026.2 changed notes only: CHANGELOG.md)."""
    from app.cli import main
    from lca_models import factors
    from tests.app.web.test_pages import sign_in
    from tests.lca_models.test_factor_releases import CHANGED_IN_2026_2, HASH_2026_1

    with monkeypatch.context() as patch:
        patch.setattr(factors, "CURRENT_RELEASE", "2026.1")  # as it was before 2026.2
        label, _ = issue(world)
    stored = _calc(world, label)
    assert stored["result"]["factor_release"] == {"version": "2026.1", "sha256": HASH_2026_1}
    certifier = world["certifier_c"]
    assert {"2026.1", "2026.2"} <= set(certifier.get("/api/v1/factor-releases").json[
        "releases"])
    diff = certifier.get("/api/v1/factor-releases/2026.1/diff/2026.2").json
    assert diff["old"] == {"version": "2026.1", "sha256": HASH_2026_1}
    assert diff["added"] == diff["removed"] == []
    # 2026.2 rewrote only the notes of these rows, which the diff does not compare
    assert diff["changed"] == [] and len(CHANGED_IN_2026_2) == 8
    for version in ("2026.1", "2026.2"):
        response = certifier.post("/api/v1/impact-runs", json={"release": version})
        assert response.status_code == 202, response.json
        report = certifier.get(response.json["links"]["report"]).json
        assert report["release"]["version"] == version
        (entry,) = report["entries"]
        assert entry["error"] is None, entry
        assert entry["new_kg"] == entry["old_kg"] == stored["kg_co2e_per_declared_unit"]
        assert (entry["change_percent"], entry["flagged"], entry["drivers"]) == (0.0, False, [])
    listed = runner.invoke(main, ["factors", "diff", "2026.1", "2026.2"])
    assert listed.exit_code == 0, listed.output
    assert "2026.1 -> 2026.2: 0 added, 0 removed, 0 changed" in listed.output
    page = sign_in(app, "certifier_c").get("/app/factor-releases?old=2026.1&new=2026.2")
    assert page.status_code == 200 and "2026.1 → 2026.2" in page.text
    assert "<option selected>2026.1</option>" in page.text


def test_a_damaged_shipped_release_is_refused_and_nothing_is_started(app, world, monkeypatch):
    from app.services import releases
    from lca_models.errors import ReleaseIntegrityError

    issue(world)

    def damaged(directory=None, *, verify=True, version=None):
        raise ReleaseIntegrityError("factor release 2026.1 content hash is 00")

    monkeypatch.setattr(releases, "load_release", damaged)
    response = world["certifier_c"].post("/api/v1/impact-runs", json={"release": "2026.1"})
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "2026.1 fails its checksum" in response.json["detail"]
    assert count(app, "jobs") == 0


def test_another_organisations_job_is_not_found_and_not_published(app, world, release_dir):
    issue(world)
    response = world["certifier_c"].post("/api/v1/impact-runs", json={
        "release": release_dir.name})
    job_id = response.json["id"]
    for other in ("certifier_d", "exporter_b"):
        answer = world[other].get(f"/api/v1/jobs/{job_id}")
        assert answer.status_code == 404, answer.json
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert answer.json["status"] == 404
    assert count(app, "jobs") == 1 and count(app, "impact_entries") == 1
