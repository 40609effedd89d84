"""Where a factor row's number was read: the publisher's own publication, or a copy.

A row is *primary* when its URL is on a host its publisher publishes on itself, and
*secondary (stated)* when its notes say it was read from a reprint, mirror or other copy.
The footprint of a result splits into the part from primary rows, from secondary rows, and
from the model's own direct emissions (no factor row), which the coverage table reports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lca_models.factors import FactorRelease
from lca_models.results import FootprintResult

#: publisher (a word of `source_publisher`) -> the hosts it publishes on itself
PRIMARY_HOSTS: Mapping[str, tuple[str, ...]] = {
    "DESNZ": ("www.gov.uk",),
    "IPCC": ("www.ipcc-nggip.iges.or.jp",),
    "SDES": ("www.statistiques.developpement-durable.gouv.fr",),
    "worldsteel": ("worldsteel.org",),
    "WBCSD": ("wbcsdcement.org",),
    "Tsinghua": ("www.mdpi.com",),  # the peer-reviewed article is the study's publication
    "MEE": ("www.mee.gov.cn",),
    "CLP": ("www.clpgroup.com",),
    "HK Electric": ("www.hkelectric.com",),
    "IAI": ("international-aluminium.org",),
    "FEFCO": ("www.fefco.org",),
    "PlasticsEurope": ("plasticseurope.org",),
}
_SECONDARY = re.compile(r"secondary|reprint|mirror|as reported|as republished|as summarised|"
                        r"as extracted|as tabulated", re.IGNORECASE)


def on_publisher_host(row: Mapping[str, Any]) -> bool:
    host = urlparse(str(row.get("source_url") or "")).netloc
    publisher = str(row.get("source_publisher") or "")
    return any(word in publisher and host in hosts for word, hosts in PRIMARY_HOSTS.items())


def states_secondary(row: Mapping[str, Any]) -> bool:
    text = " ".join(str(row.get(c) or "") for c in ("source_publisher", "source_document",
                                                     "notes"))
    return bool(_SECONDARY.search(text))


def is_primary(row: Mapping[str, Any]) -> bool:
    """On the publisher's own host and not read from a copy (a row can cite the official
    page while its number came from a mirror of the official file: that is secondary)."""
    return on_publisher_host(row) and not states_secondary(row)


def footprint_shares(result: FootprintResult, release: FactorRelease) -> dict[str, float]:
    """Shares of the footprint (kg CO2e) from primary rows, secondary rows and direct
    emissions; shares of the absolute contributions, so credits cannot push one over 1."""
    rows = {r["id"]: r for r in release.rows}
    kg = {"primary": 0.0, "secondary": 0.0, "direct": 0.0}
    for item in result.by_input:
        if item.kind == "emission":
            kg["direct"] += abs(item.kg_co2e)
        else:
            kg["primary" if is_primary(rows[item.reference]) else "secondary"] += abs(
                item.kg_co2e)
    total = sum(kg.values())
    return {k: v / total for k, v in kg.items()} if total else kg


#: example model -> the GBA export group it stands for (docs/coverage.md)
EXPORT_GROUPS: Mapping[str, str] = {
    "hot_rolled_steel_coil_bf_bof.yaml": "steel, BF-BOF route",
    "eaf_rebar.yaml": "steel, scrap EAF route",
    "aluminium_extrusion.yaml": "aluminium products",
    "portland_cement.yaml": "cement",
    "cotton_tshirt.yaml": "cotton garments",
    "led_lamp.yaml": "electrical goods (lighting)",
    "li_ion_battery_pack.yaml": "LFP battery packs",
}


def coverage_table(examples: Path, release: FactorRelease, brightway_dir: Path) -> str:
    """The coverage table as Markdown: each example model computed with `release`, its total
    and the shares of its footprint by provenance (see `footprint_shares`)."""
    from lca_models.calculation import compute_footprint
    from lca_models.inventory_schema import load_model_file

    lines = [f"| export group | example model | kg CO2e per declared unit (AR6, release "
             f"{release.version}) | primary rows | secondary-copy rows | direct emissions |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, group in EXPORT_GROUPS.items():
        model = load_model_file(examples / name)
        result = compute_footprint(model, release, brightway_dir=brightway_dir)
        shares = footprint_shares(result, release)
        unit = f"{model.declared_unit.amount:g} {model.declared_unit.unit}"
        lines.append(f"| {group} | `{name}` | {result.kg_co2e_per_declared_unit:,.4g} per "
                     f"{unit} | {shares['primary']:.1%} | {shares['secondary']:.1%} | "
                     f"{shares['direct']:.1%} |")
    return "\n".join(lines) + "\n"
