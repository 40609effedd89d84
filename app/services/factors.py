"""Reading the shipped factor release for the API."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from lca_models.factors import FactorRelease, load_release


def current_release() -> FactorRelease:
    return load_release()


def factor_rows(category: str | None = None, geography: str | None = None
                ) -> list[dict[str, Any]]:
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


def search(q: str = "", category: str = "", region: str = "", year: str = ""
           ) -> list[MappingProxyType[str, Any]]:
    """Factors whose id, name or source contain every word of `q`, filtered by category,
    region and reference year. The release has English names only (no Chinese column)."""
    words = q.lower().split()
    out = []
    for row in current_release().rows:
        text = " ".join(str(row.get(k) or "") for k in
                        ("id", "name", "source_publisher", "source_document")).lower()
        if any(w not in text for w in words):
            continue
        if category and row["category"] != category:
            continue
        if region and region not in str(row["geography"]).split(";"):
            continue
        if year and str(row["reference_year"]) != year:
            continue
        out.append(row)
    return out


def choices() -> dict[str, list[str]]:
    """The values the browser's filters offer."""
    rows = current_release().rows
    return {
        "category": sorted({str(r["category"]) for r in rows}),
        "region": sorted({g for r in rows for g in str(r["geography"]).split(";")}),
        "year": sorted({str(r["reference_year"]) for r in rows}, reverse=True),
    }
