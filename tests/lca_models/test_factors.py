"""The shipped release and user factor imports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lca_models.errors import FactorFileError, ReleaseIntegrityError
from lca_models.factor_rows import COLUMNS
from lca_models.factors import export_rows, import_factor_set, load_release

RELEASE_DIR = Path(__file__).resolve().parents[2] / "lca_models" / "data" / "factors-2026.2"
HEADER = ",".join(COLUMNS)


def user_row(**overrides: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(id="acme.steam.2025", name="Site steam", category="fuel", unit="t",
               co2_fossil_kg="210.5", geography="CN-GD", reference_year="2025",
               source_publisher="ACME Ltd metering", is_aircraft="false")
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = [HEADER] + [",".join(r[c] for c in COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_shipped_release_matches_its_recorded_hash(release):
    meta = json.loads((RELEASE_DIR / "release.json").read_text("utf-8"))
    assert release.version == meta["version"]
    assert release.sha256 == meta["sha256"]
    assert len(release) > 100


def test_every_shipped_row_cites_source_and_licence(release):
    for row in release.rows:
        assert row["source_publisher"] and row["source_document"], row["id"]
        assert str(row["source_url"]).startswith("http"), row["id"]
        assert row["licence"], row["id"]


def test_shipped_release_covers_the_gba_grids(release):
    south = release.get("electricity.cn-south-grid.co2.2022")
    assert south.gases["co2_fossil"] == 0.3869  # MEE/NBS 2022 South China grid
    assert "CN-GD" in south.geography.split(";")
    assert release.get("electricity.cn.grid-average.co2.2022").gases["co2_fossil"] == 0.5366
    assert any(f.geography == "HK" for f in release.factors.values())


def test_table_changes_do_not_reach_the_release(release):
    table = release.table
    table.loc[table.index[0], "co2_fossil_kg"] = 999.0
    assert release.table.iloc[0]["co2_fossil_kg"] != 999.0


def test_changed_number_without_new_version_is_refused(tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(RELEASE_DIR, copy)
    csv = copy / "electricity.csv"
    csv.write_text(csv.read_text("utf-8").replace(",0.3869,", ",0.3870,", 1), "utf-8")
    with pytest.raises(ReleaseIntegrityError, match="new version"):
        load_release(copy)
    assert load_release(copy, verify=False).sha256 != load_release().sha256


def test_hash_ignores_formatting_but_not_content(tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(RELEASE_DIR, copy)
    csv = copy / "electricity.csv"
    csv.write_text(csv.read_text("utf-8").replace(",0.3869,", ",0.38690,", 1), "utf-8")
    assert load_release(copy).sha256 == load_release().sha256


def test_user_csv_imports_and_round_trips(tmp_path, release):
    path = write_csv(tmp_path / "acme.csv", [user_row(), user_row(id="acme.power.ppa",
                                                                  unit="kWh",
                                                                  co2_fossil_kg="0.02")])
    table = import_factor_set(path, "acme", release)
    assert len(table) == 2 and table.get("acme.steam.2025").gases["co2_fossil"] == 210.5
    exported = tmp_path / "exported.csv"
    exported.write_text(export_rows(table), "utf-8")
    assert import_factor_set(exported, "acme", release).sha256 == table.sha256


def test_user_xlsx_imports(tmp_path, release):
    path = tmp_path / "acme.xlsx"
    pd.DataFrame([user_row()]).to_excel(path, index=False)
    table = import_factor_set(path, "acme", release)
    assert table.get("acme.steam.2025").unit == "t"


@pytest.mark.parametrize(("overrides", "column", "fragment"), [
    ({"unit": "kwh"}, "unit", "not a known unit"),
    ({"co2_fossil_kg": "-1"}, "co2_fossil_kg", "negative"),
    ({"co2_fossil_kg": "nan"}, "co2_fossil_kg", "finite"),
    ({"co2_fossil_kg": "abc"}, "co2_fossil_kg", "finite"),
    ({"co2_fossil_kg": "5e9"}, "co2_fossil_kg", "out of range"),
    ({"geography": "CN-XX"}, "geography", "ISO 3166"),
    ({"reference_year": "1890"}, "reference_year", "year"),
    ({"category": "food"}, "category", "not one of"),
    ({"co2_fossil_kg": ""}, "co2e_kg", "no gas amount"),
    ({"co2e_kg": "3", "co2e_gwp_set": "SAR"}, "co2e_gwp_set", "must be one of"),
    ({"uncertainty_type": "lognormal"}, "uncertainty_sigma", "sigma"),
    ({"dqr_pedigree": "1236"}, "dqr_pedigree", "five digits"),
    ({"id": "Bad Id!"}, "id", "must be"),
])
def test_bad_user_rows_are_rejected_with_row_and_column(tmp_path, release, overrides, column,
                                                        fragment):
    path = write_csv(tmp_path / "bad.csv", [user_row(id="acme.ok"), user_row(**overrides)])
    with pytest.raises(FactorFileError) as info:
        import_factor_set(path, "acme", release)
    assert any(row == 3 and col == column and fragment in msg
               for row, col, msg in info.value.errors), info.value.errors


def test_duplicate_ids_in_a_file_are_rejected(tmp_path, release):
    path = write_csv(tmp_path / "dup.csv", [user_row(), user_row()])
    with pytest.raises(FactorFileError, match=r"duplicate id 'acme\.steam\.2025'.*row 2"):
        import_factor_set(path, "acme", release)


def test_user_factor_may_not_shadow_a_shipped_one(tmp_path, release):
    path = write_csv(tmp_path / "shadow.csv",
                     [user_row(id="electricity.cn-south-grid.co2.2022", unit="kWh")])
    with pytest.raises(FactorFileError, match="may not shadow"):
        import_factor_set(path, "acme", release)


def test_missing_required_column_is_named(tmp_path, release):
    path = tmp_path / "cols.csv"
    path.write_text("id,name,unit\nx.y,Thing,kg\n", "utf-8")
    with pytest.raises(FactorFileError) as info:
        import_factor_set(path, "acme", release)
    assert (1, "geography", "required column is missing") in info.value.errors
