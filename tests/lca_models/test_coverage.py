"""docs/coverage.md is the coverage table as the shipped release computes it today."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lca_models.factors import load_release
from lca_models.provenance import (
    EXPORT_GROUPS,
    coverage_table,
    footprint_shares,
    is_primary,
    on_publisher_host,
    states_secondary,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_coverage_table_in_the_docs_is_current(brightway_dir):
    doc = (ROOT / "docs" / "coverage.md").read_text("utf-8")
    shown = re.search(r"<!-- coverage-table:start -->\n(.*)<!-- coverage-table:end -->", doc,
                      re.S).group(1)
    assert shown == coverage_table(ROOT / "examples" / "models", load_release(), brightway_dir)
    assert set(EXPORT_GROUPS) == {p.name for p in (ROOT / "examples" / "models").glob("*.yaml")}


def test_shares_split_the_footprint_by_provenance(brightway_dir):
    """The EAF rebar by hand: its direct emissions are the lime calcination CO2 and the
    electrode CO2 (parameters of the model), the rest comes from factor rows."""
    from lca_models.calculation import compute_footprint
    from lca_models.inventory_schema import load_model_file

    release = load_release()
    result = compute_footprint(load_model_file(ROOT / "examples" / "models" / "eaf_rebar.yaml"),
                               release, brightway_dir=brightway_dir)
    shares = footprint_shares(result, release)
    assert abs(sum(shares.values()) - 1) < 1e-12
    direct = sum(abs(i.kg_co2e) for i in result.by_input if i.kind == "emission")
    total = sum(abs(i.kg_co2e) for i in result.by_input)
    assert shares["direct"] == pytest.approx(direct / total, rel=1e-12)
    rows = {r["id"]: r for r in release.rows}
    primary = sum(abs(i.kg_co2e) for i in result.by_input
                  if i.kind != "emission" and is_primary(rows[i.reference]))
    assert shares["primary"] == pytest.approx(primary / total, rel=1e-12)
    south = rows["electricity.cn-south-grid.co2.2022"]  # a news reprint, stated as such
    assert not on_publisher_host(south) and states_secondary(south) and not is_primary(south)
