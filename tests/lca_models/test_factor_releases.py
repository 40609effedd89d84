"""Shipped factor releases side by side: 2026.1 stays loadable bit for bit (its recorded
hash), 2026.2 is current and differs from it only where its changelog says; the loader
refuses a release whose checksum or rows are wrong; a model computes to the same number
under both, each result naming its own release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lca_models.calculation import compute_footprint
from lca_models.errors import FactorFileError, ReleaseIntegrityError, UnknownReleaseError
from lca_models.factors import CURRENT_RELEASE, load_release, shipped_versions
from lca_models.inventory_schema import load_model_file

DATA = Path(__file__).resolve().parents[2] / "lca_models" / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
HASH_2026_1 = "0838e6830df53227b7be5a7521abd0aa771cb5e2d2c7878fef90252023873fe3"
CHANGED_IN_2026_2 = {
    "electricity.cn.carbon-footprint.2023", "electricity.cn.carbon-footprint.2024",
    "electricity.cn.biomass.carbon-footprint.2023", "electricity.cn.solar-pv.carbon-footprint.2023",
    "electricity.cn.wind.carbon-footprint.2023",
    "electricity.cn.transmission-distribution-excl-losses.carbon-footprint.2023",
    "electricity.cn.transmission-distribution-excl-losses.carbon-footprint.2024",
    "electricity.cn.transmission-distribution-incl-losses.carbon-footprint.2024",
}


def test_both_releases_are_shipped_and_2026_1_is_unchanged():
    assert shipped_versions() == ("2026.1", "2026.2") and CURRENT_RELEASE == "2026.2"
    old = load_release(version="2026.1")
    assert (old.version, old.sha256) == ("2026.1", HASH_2026_1)
    assert json.loads((DATA / "factors" / "release.json").read_text())["sha256"] == HASH_2026_1
    assert load_release().version == "2026.2"
    with pytest.raises(UnknownReleaseError, match=r"2026\.1, 2026\.2"):
        load_release(version="2025.9")


def test_2026_2_changes_only_the_notes_of_the_rows_its_changelog_names():
    old = {r["id"]: dict(r) for r in load_release(version="2026.1").rows}
    new = {r["id"]: dict(r) for r in load_release().rows}
    assert set(old) == set(new) and len(new) == 153
    changed = {i for i in old if old[i] != new[i]}
    assert changed == CHANGED_IN_2026_2
    for i in changed:
        assert {k: v for k, v in old[i].items() if k != "notes"} == {
            k: v for k, v in new[i].items() if k != "notes"}
        assert new[i]["notes"].startswith(old[i]["notes"].rstrip())
        assert "Secondary copy" in new[i]["notes"]
    changelog = (DATA / "factors-2026.2" / "CHANGELOG.md").read_text("utf-8")
    assert "electricity.cn.carbon-footprint.2023" in changelog


def test_the_loader_refuses_a_wrong_checksum_and_a_wrong_row(tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(DATA / "factors-2026.2", copy)
    meta = json.loads((copy / "release.json").read_text("utf-8"))
    (copy / "release.json").write_text(json.dumps({**meta, "sha256": "0" * 64}), "utf-8")
    with pytest.raises(ReleaseIntegrityError, match="0000"):
        load_release(copy)
    (copy / "release.json").write_text(json.dumps(meta), "utf-8")
    fuels = copy / "fuels.csv"
    lines = fuels.read_text("utf-8").split("\n")
    lines[1] = lines[1].replace(",TJ,", ",zorkmid,", 1)  # a unit pint cannot read
    fuels.write_text("\n".join(lines), "utf-8")
    with pytest.raises(FactorFileError) as caught:
        load_release(copy)
    assert any(row == 2 and column == "unit" for row, column, _ in caught.value.errors), \
        caught.value.errors


def test_a_model_computes_the_same_under_both_releases(brightway_dir):
    model = load_model_file(EXAMPLES / "eaf_rebar.yaml")
    old = compute_footprint(model, load_release(version="2026.1"), brightway_dir=brightway_dir)
    new = compute_footprint(model, load_release(), brightway_dir=brightway_dir)
    assert new.kg_co2e_per_declared_unit == old.kg_co2e_per_declared_unit
    assert old.factor_release == {"version": "2026.1", "sha256": HASH_2026_1}
    assert new.factor_release["version"] == "2026.2"
