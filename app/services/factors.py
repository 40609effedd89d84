"""Reading the shipped factor release for the API."""

from __future__ import annotations

from typing import Any

from lca_models.factors import FactorRelease, load_release


def current_release() -> FactorRelease:
    return load_release()


def factor_rows(category: str | None = None, geography: str | None = None) -> list[dict]:
    release = current_release()
    rows = []
    for row in release.rows:
        if category and row["category"] != category:
            continue
        if geography and geography not in str(row["geography"]).split(";"):
            continue
        rows.append(factor_view(release, row["id"]))
    return rows


def factor_view(release: FactorRelease, factor_id: str) -> dict[str, Any]:
    factor = release.get(factor_id)
    row = next(r for r in release.rows if r["id"] == factor_id)
    return {**row, "gases_kg": dict(factor.gases)}
