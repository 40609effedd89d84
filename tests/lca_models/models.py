"""Small models built in Python for the engine tests, with factor values spelled out so the
tests can hand-calculate them."""

from __future__ import annotations

import copy
from typing import Any

SOUTH_GRID = "electricity.cn-south-grid.co2.2022"  # 0.3869 kg CO2/kWh
NATURAL_GAS_TJ = "fuel.natural-gas.ipcc2006-energy-industries.tj"  # 56100 CO2, 1 CH4, 0.1 N2O
HGV = "freight.road.hgv-diesel-all-hgvs-average-laden.tkm.desnz2025"  # 0.10163 kg CO2e/tkm
PP = "material.plastic.pp.primary.desnz.2025"  # 2.57757172 kg CO2e/kg
AIR = "freight.air.long-haul-with-rf.tkm.desnz2025"  # 0.89939 kg CO2e/tkm

BASE: dict[str, Any] = {
    "product": {"name": "Injection-moulded housing", "name_zh": "注塑外壳"},
    "declared_unit": {"amount": 1, "unit": "item"},
    "boundary": "cradle-to-gate",
    "reference_process": "moulding",
    "stages": [
        {"stage": "raw_materials", "processes": [
            {"id": "resin", "output": {"amount": 1, "unit": "kg"},
             "inputs": [{"factor": PP, "amount": 1.0, "unit": "kg"}],
             "transport": [{"factor": HGV, "mass": {"amount": 1, "unit": "kg"},
                            "distance": {"amount": 150, "unit": "km"}}]},
        ]},
        {"stage": "production", "processes": [
            {"id": "moulding", "output": {"amount": 1, "unit": "item"},
             "inputs": [
                 {"factor": SOUTH_GRID, "amount": 1.2, "unit": "kWh", "primary": True},
                 {"process": "resin", "amount": 250, "unit": "g"},
                 {"factor": NATURAL_GAS_TJ, "amount": 10, "unit": "MJ"},
             ]},
        ]},
    ],
}

# Hand calculation of BASE (AR6): CH4 fossil 29.8, N2O 273.
RESIN_PER_KG = 1.0 * 2.57757172 + (1 / 1000) * 150 * 0.10163
GAS_PER_TJ_AR6 = 56100 + 1 * 29.8 + 0.1 * 273
BASE_EXPECTED = 1.2 * 0.3869 + 0.25 * RESIN_PER_KG + 10e-6 * GAS_PER_TJ_AR6


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)
