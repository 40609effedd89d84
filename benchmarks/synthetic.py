"""A synthetic N-process inventory model for benchmarks: a supply chain in which each
process draws electricity, a fuel, a material, a transport leg and two upstream processes
(so the matrix has real off-diagonal structure), with one loop."""

from __future__ import annotations

from typing import Any

FACTORS = (
    ("electricity.cn-south-grid.co2.2022", "kWh"),
    ("fuel.natural-gas.ipcc2006-energy-industries.tj", "GJ"),
    ("material.plastic.pp.primary.desnz.2025", "kg"),
    ("material.aluminium.primary.iai.glo.2022", "kg"),
    ("fuel.gas-diesel-oil.ipcc2006-energy-industries.t", "kg"),
)
HGV = "freight.road.hgv-diesel-all-hgvs-average-laden.tkm.desnz2025"


def synthetic_model(n: int = 100, scale: float = 1.0) -> dict[str, Any]:
    processes = []
    for i in range(n):
        factor, unit = FACTORS[i % len(FACTORS)]
        inputs: list[dict[str, Any]] = [
            {"factor": "electricity.cn-south-grid.co2.2022", "amount": 0.5 * scale + i * 0.01,
             "unit": "kWh", "primary": i % 2 == 0},
            {"factor": factor, "amount": 0.02 * (1 + i % 7), "unit": unit},
        ]
        for j in (i + 1, i + 2):
            if j < n:
                inputs.append({"process": f"p{j}", "amount": 0.3, "unit": "kg"})
        if i == n - 1 and n > 2:
            inputs.append({"process": "p0", "amount": 0.01, "unit": "kg"})  # a loop
        processes.append({
            "id": f"p{i}",
            "output": {"amount": 1, "unit": "kg"},
            "inputs": inputs,
            "transport": [{"factor": HGV, "mass": {"amount": 1, "unit": "kg"},
                           "distance": {"amount": 50 + i, "unit": "km"}}],
        })
    half = n // 2
    return {
        "product": {"name": f"Synthetic {n}-process product"},
        "declared_unit": {"amount": 1, "unit": "kg"},
        "boundary": "cradle-to-gate",
        "reference_process": "p0",
        "stages": [
            {"stage": "production", "processes": processes[:half]},
            {"stage": "raw_materials", "processes": processes[half:]},
        ],
    }
