"""Frozen results of a footprint calculation, and their plain-data form.

Every figure is per declared unit in kg CO2e under the recorded GWP set, and carries what is
needed to recompute it: factor release version and hash, user factor set hashes, method,
engine versions and the SHA-256 of the canonical inputs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lca_models.inventory import Quantity


@dataclass(frozen=True)
class InputContribution:
    """One exchange of one process: an input from a factor, a transport leg or an emission."""

    process: str
    stage: str
    path: str  # field path in the model, e.g. stages[0].processes[1].inputs[2]
    kind: str  # "factor", "transport" or "emission"
    reference: str  # factor id, or gas code for emissions
    amount: float  # per unit of process output, after allocation, in `unit`
    unit: str
    kg_co2e: float  # per declared unit
    primary: bool
    source: str


@dataclass(frozen=True)
class ProcessContribution:
    process: str
    name: str
    stage: str
    kg_co2e: float
    activity: float  # how many output units per declared unit (the solved scaling)
    allocation_method: str | None
    allocation_factor: float


@dataclass(frozen=True)
class MonteCarloResult:
    iterations: int
    seed: int
    mean: float
    std: float
    p2_5: float
    p50: float
    p97_5: float
    rejected: int = 0  # infeasible draws left out of the statistics (see monte_carlo)
    #: the accepted draws in equal-width bins: (lower edge, upper edge, count), for a chart
    histogram: tuple[tuple[float, float, int], ...] = ()


@dataclass(frozen=True)
class FootprintResult:
    product: str
    declared_unit: Quantity
    boundary: str
    kg_co2e_per_declared_unit: float
    gwp_set: str
    method: str
    by_stage: dict[str, float]
    by_process: tuple[ProcessContribution, ...]
    by_input: tuple[InputContribution, ...]
    by_gas: dict[str, float]  # kg CO2e per flow
    gas_mass_kg: dict[str, float]  # kg of each flow emitted (removals positive)
    iso14067: dict[str, float]
    primary_data_share: float
    data_quality: dict[str, float | None]
    exclusions_percent: float
    factor_release: dict[str, str]
    user_factor_sets: dict[str, str]
    engine: dict[str, str]
    inputs_sha256: str
    warnings: tuple[str, ...] = ()
    monte_carlo: MonteCarloResult | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["declared_unit"] = {"amount": self.declared_unit.amount,
                                 "unit": self.declared_unit.unit}
        data["by_process"] = [asdict(p) for p in self.by_process]
        data["by_input"] = [asdict(i) for i in self.by_input]
        data["warnings"] = list(self.warnings)
        if self.monte_carlo is None:
            data.pop("monte_carlo")
        return data

    def top_contributors(self, n: int = 5) -> list[InputContribution]:
        return sorted(self.by_input, key=lambda c: -abs(c.kg_co2e))[:n]
