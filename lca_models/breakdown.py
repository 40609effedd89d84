"""Where the emissions come from: stage, process, input and gas, and the ISO 14067 split.

Brightway gives the scaling of every process (the supply vector) and the total score; each
exchange's contribution is its amount x the scaling of its process x the characterised
emissions per unit of what it draws on. Emissions are attributed where they occur, so the
parts add up to bw2calc's total, which `summarise` checks.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lca_models.conditioning import conditioning_warnings
from lca_models.factors import FactorRelease, FactorTable
from lca_models.gwp import ISO14067_GROUPS, characterisation_factors, flows, method_id
from lca_models.inventory import STAGES
from lca_models.messages import fill
from lca_models.monte_carlo import rejection_warning
from lca_models.result_warnings import FIXED_CO2E, FIXED_CO2E_UNSTATED, UNUSED_PROCESS
from lca_models.results import (
    FootprintResult,
    InputContribution,
    MonteCarloResult,
    ProcessContribution,
)
from lca_models.system import CompiledModel, Exchange

#: Relative disagreement between the breakdown and bw2calc's score that signals a bug.
CONSISTENCY_TOLERANCE = 1e-9


def summarise(compiled: CompiledModel, release: FactorRelease,
              user_sets: Mapping[str, FactorTable], gwp_set: str, supply: np.ndarray,
              score: float, inputs_sha256: str, engine: dict[str, str],
              monte_carlo: MonteCarloResult | None) -> FootprintResult:
    model = compiled.model
    codes = list(flows())
    factors = characterisation_factors(gwp_set)
    cf = np.array([factors[c] for c in codes])
    row = {c: i for i, c in enumerate(codes)}
    emitting = [ex for ex in compiled.exchanges if ex.kind != "process"]
    mass = np.zeros((len(codes), len(emitting)))  # kg of each flow per exchange
    for j, ex in enumerate(emitting):
        scale = ex.amount * supply[ex.process_index]
        if ex.kind == "emission":
            mass[row[ex.target], j] = scale
        else:
            for gas, kg in compiled.factors[ex.target].gases.items():
                mass[row[gas], j] += kg * scale
    co2e = mass * cf[:, None]
    per_exchange = co2e.sum(axis=0)
    total = float(score)
    parts = float(per_exchange.sum())
    if abs(parts - total) > CONSISTENCY_TOLERANCE * max(abs(total), 1e-12):
        raise ArithmeticError(f"breakdown {parts!r} disagrees with bw2calc score {total!r}")

    inputs = tuple(_input_contribution(compiled, ex, float(per_exchange[j]))
                   for j, ex in enumerate(emitting))
    processes = _process_contributions(compiled, supply, inputs)
    by_stage = {s: 0.0 for s in STAGES if any(p.stage == s for p in model.processes)}
    for p in processes:
        by_stage[p.stage] += p.kg_co2e
    by_gas = {c: float(v) for c, v in zip(codes, co2e.sum(axis=1), strict=True) if v != 0}
    gas_mass = {c: float(v) for c, v in zip(codes, mass.sum(axis=1), strict=True) if v != 0}
    iso = {g: 0.0 for g in ISO14067_GROUPS}
    for code, value in by_gas.items():
        iso[flows()[code].iso14067_group] += value
    iso["aircraft"] = float(sum(c.kg_co2e for c in inputs
                          if c.kind in ("factor", "transport")
                          and compiled.factors[c.reference].is_aircraft))
    weights = np.abs(per_exchange)
    weight_sum = float(weights.sum()) or 1.0
    primary = sum(w for w, ex in zip(weights, emitting, strict=True) if ex.primary)
    rated = [(w, ex.dqr) for w, ex in zip(weights, emitting, strict=True) if ex.dqr is not None]
    rated_weight = sum(w for w, _ in rated)
    return FootprintResult(
        product=model.product.name,
        declared_unit=model.declared_unit,
        boundary=model.boundary,
        kg_co2e_per_declared_unit=total,
        gwp_set=gwp_set,
        method=method_id(gwp_set),
        by_stage=by_stage,
        by_process=processes,
        by_input=inputs,
        by_gas=by_gas,
        gas_mass_kg=gas_mass,
        iso14067=iso,
        primary_data_share=float(primary / weight_sum),
        data_quality={
            "dqr": float(sum(w * d for w, d in rated) / rated_weight) if rated_weight else None,
            "rated_share": float(rated_weight / weight_sum),
        },
        exclusions_percent=sum(e.share_percent for e in model.exclusions),
        factor_release={"version": release.version, "sha256": release.sha256},
        user_factor_sets={n: user_sets[n].sha256 for n in model.factor_sets},
        engine=engine,
        inputs_sha256=inputs_sha256,
        # plain English in the (hashed) result; app/messages.py translates it when shown
        warnings=tuple(str(w) for w in (*_warnings(compiled, supply, gwp_set),
                                        *conditioning_warnings(compiled),
                                        *rejection_warning(monte_carlo))),
        monte_carlo=monte_carlo,
    )


def _input_contribution(compiled: CompiledModel, ex: Exchange, kg_co2e: float
                        ) -> InputContribution:
    proc = compiled.model.processes[ex.process_index]
    source = compiled.factors[ex.target].source if ex.kind != "emission" else "primary data"
    return InputContribution(process=proc.id, stage=proc.stage, path=ex.path, kind=ex.kind,
                             reference=ex.target, amount=ex.amount, unit=ex.unit,
                             kg_co2e=kg_co2e, primary=ex.primary, source=source)


def _process_contributions(compiled: CompiledModel, supply: np.ndarray,
                           inputs: tuple[InputContribution, ...]
                           ) -> tuple[ProcessContribution, ...]:
    totals: dict[str, float] = {p.id: 0.0 for p in compiled.model.processes}
    for c in inputs:
        totals[c.process] += c.kg_co2e
    return tuple(
        ProcessContribution(process=p.id, name=p.name, stage=p.stage, kg_co2e=totals[p.id],
                            activity=float(supply[i]), allocation_method=p.allocation,
                            allocation_factor=compiled.allocation_factors[i])
        for i, p in enumerate(compiled.model.processes))



def _warnings(compiled: CompiledModel, supply: np.ndarray, gwp_set: str) -> list[str]:
    out: list[str] = []
    for i, proc in enumerate(compiled.model.processes):
        if supply[i] == 0:
            out.append(fill(UNUSED_PROCESS, process=proc.id, path=proc.path))
    for factor in sorted(compiled.factors.values(), key=lambda f: f.id):
        fixed = [g for g in factor.gases if g.startswith("co2e_")]
        if fixed and fixed[0] != f"co2e_{gwp_set.lower()}":
            stated = fixed[0].removeprefix("co2e_").upper()
            out.append(fill(FIXED_CO2E_UNSTATED, factor=factor.id, gwp_set=gwp_set)
                       if stated == "UNSTATED" else
                       fill(FIXED_CO2E, factor=factor.id, stated=stated, gwp_set=gwp_set))
    return out
