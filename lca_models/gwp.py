"""GWP100 characterisation (IPCC AR6 by default, AR5 selectable) for the elementary flows the
engine writes into Brightway.

The values live in `data/gwp100.csv` so a reviewer can read them next to their sources.
Factors that a source publishes only as aggregated CO2e cannot be re-characterised; they enter
as a `co2e_<set>` flow with a factor of 1 under every method, and results say so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

GwpSet = Literal["AR6", "AR5"]
GWP_SETS: tuple[GwpSet, ...] = ("AR6", "AR5")
DEFAULT_GWP_SET: GwpSet = "AR6"

SOURCES = MappingProxyType({
    "AR6": (
        "IPCC AR6 WG1 (2021), Chapter 7, Table 7.15 and Supplementary Material Table 7.SM.7, "
        "GWP-100; https://www.ipcc.ch/report/ar6/wg1/"
    ),
    "AR5": (
        "IPCC AR5 WG1 (2013), Chapter 8, Appendix 8.A, Table 8.A.1, GWP-100 without "
        "climate-carbon feedbacks; https://www.ipcc.ch/report/ar5/wg1/"
    ),
})

#: GWP sets a source may have used for an aggregated CO2e value.
REPORTED_CO2E_SETS = ("AR4", "AR5", "AR6", "unstated")

ISO14067_GROUPS = ("fossil", "biogenic_emissions", "biogenic_removals", "dluc")


@dataclass(frozen=True)
class Flow:
    code: str
    name: str
    formula: str
    iso14067_group: str
    gwp100: MappingProxyType[str, float]  # gwp set -> kg CO2e per kg


def reported_co2e_flow(gwp_set: str) -> str:
    return f"co2e_{gwp_set.lower()}"


@lru_cache(maxsize=1)
def flows() -> MappingProxyType[str, Flow]:
    """Every elementary flow the engine knows, by code, in a stable order."""
    table: dict[str, Flow] = {}
    text = resources.files("lca_models").joinpath("data/gwp100.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        table[row["flow"]] = Flow(
            code=row["flow"],
            name=row["name"],
            formula=row["formula"],
            iso14067_group=row["iso14067_group"],
            gwp100=MappingProxyType({"AR5": float(row["ar5_gwp100"]),
                                     "AR6": float(row["ar6_gwp100"])}),
        )
    for reported in REPORTED_CO2E_SETS:
        code = reported_co2e_flow(reported)
        table[code] = Flow(
            code=code,
            name=f"GHG emissions as CO2e, aggregated by the source ({reported})",
            formula="CO2e",
            iso14067_group="fossil",
            gwp100=MappingProxyType({"AR5": 1.0, "AR6": 1.0}),
        )
    return MappingProxyType(table)


def characterisation_factors(gwp_set: str) -> dict[str, float]:
    if gwp_set not in GWP_SETS:
        raise ValueError(f"GWP set must be one of {', '.join(GWP_SETS)}, not '{gwp_set}'")
    return {code: flow.gwp100[gwp_set] for code, flow in flows().items()}


def method_id(gwp_set: str) -> str:
    """Identifier recorded with every result, e.g. 'IPCC-AR6-GWP100'."""
    return f"IPCC-{gwp_set}-GWP100"
