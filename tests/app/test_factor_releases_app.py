"""Factor releases through the service and the CLI: `factors releases` and `factors list
--release` show both shipped releases; a calculation stored under 2026.1 recomputes bit for
bit after 2026.2 became current."""

from __future__ import annotations

from app.cli import main
from lca_models import factors
from tests.app.flows import calculate, create_product, steel_model, upload
from tests.lca_models.test_factor_releases import HASH_2026_1


def test_the_cli_lists_both_releases(runner):
    listed = runner.invoke(main, ["factors", "releases"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].startswith("2026.1") and HASH_2026_1 in lines[0]
    assert "kept for recomputation" in lines[0]
    assert lines[1].startswith("2026.2") and lines[1].endswith("current")
    old = runner.invoke(main, ["factors", "list", "--release", "2026.1"])
    assert old.output.splitlines()[0] == f"release 2026.1  sha256 {HASH_2026_1}"
    assert "electricity.cn-south-grid.co2.2022" in old.output
    new = runner.invoke(main, ["factors", "list"])
    assert new.output.startswith("release 2026.2")
    missing = runner.invoke(main, ["factors", "list", "--release", "1999.1"])
    assert missing.exit_code == 2 and "no shipped factor release 1999.1" in missing.output


def test_a_2026_1_calculation_recomputes_bit_for_bit(world, monkeypatch):
    exporter = world["exporter_a"]
    product = create_product(exporter)
    version = upload(exporter, product["id"], steel_model())
    monkeypatch.setattr(factors, "CURRENT_RELEASE", "2026.1")  # as it was before 2026.2
    old = calculate(exporter, version["id"])
    monkeypatch.undo()
    assert old["result"]["factor_release"] == {"version": "2026.1", "sha256": HASH_2026_1}
    new = calculate(exporter, version["id"])
    assert new["result"]["factor_release"]["version"] == "2026.2"
    assert new["kg_co2e_per_declared_unit"] == old["kg_co2e_per_declared_unit"]
    again = exporter.post(f"/api/v1/calculations/{old['id']}/recompute")
    assert again.status_code == 200, again.json
    assert again.json["reproduced"] is True
