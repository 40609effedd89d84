"""Compiling an inventory model into the exchanges of a linear system.

This is where the model meets the factor database: every input is resolved to a factor (or
another process), every amount is converted into the unit of what it points to, and
allocation to co-products is applied. Errors name the model's field path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lca_models.errors import ModelValidationError, UnknownFactorError
from lca_models.factor_rows import Factor
from lca_models.factors import FactorRelease, FactorTable, resolve
from lca_models.inventory import InventoryModel, Output, Process
from lca_models.messages import N_, message_of
from lca_models.units import UnitProblem, conversion_factor


@dataclass(frozen=True)
class Exchange:
    """One matrix entry contributed by a process, per unit of its reference output."""

    process_index: int
    kind: str  # "factor", "transport", "process" or "emission"
    target: str  # factor id, process id or gas code
    amount: float  # in `unit`, after allocation
    unit: str  # unit of the factor / process output / kg for emissions
    path: str
    primary: bool
    dqr: float | None
    sigma: float | None  # lognormal sigma on the amount (primary data uncertainty)


@dataclass(frozen=True)
class CompiledModel:
    model: InventoryModel
    exchanges: tuple[Exchange, ...]
    allocation_factors: tuple[float, ...]  # per process, share given to the reference output
    factors: Mapping[str, Factor]  # every factor used, by id
    user_factors: tuple[Factor, ...]  # the subset from user factor sets, in a stable order
    reference_index: int
    demand_amount: float  # reference output units per declared unit


def compile_model(model: InventoryModel, release: FactorRelease,
                  user_sets: Mapping[str, FactorTable] | None = None) -> CompiledModel:
    user_sets = dict(user_sets or {})
    errors: dict[str, list[str]] = {}
    missing = [n for n in model.factor_sets if n not in user_sets]
    for name in missing:
        errors.setdefault("factor_sets", []).append(
            N_("user factor set '%(name)s' is not loaded", name=name))
    named_sets = {n: user_sets[n] for n in model.factor_sets if n in user_sets}
    index = {p.id: i for i, p in enumerate(model.processes)}
    exchanges: list[Exchange] = []
    used: dict[str, Factor] = {}
    allocations = []
    for i, proc in enumerate(model.processes):
        share = allocation_share(proc)
        allocations.append(share)
        exchanges.extend(_process_exchanges(i, proc, share, model, index, release, named_sets,
                                            used, errors))
    ref = model.process(model.reference_process)
    try:
        demand = model.declared_unit.amount * conversion_factor(model.declared_unit.unit,
                                                                ref.output.unit)
    except UnitProblem as exc:
        errors.setdefault("declared_unit.unit", []).append(
            N_("%(problem)s (the output unit of reference process '%(process)s')",
               problem=message_of(exc), process=ref.id))
        demand = 0.0
    if errors:
        raise ModelValidationError(errors)
    user_factors = tuple(sorted((f for f in used.values() if f.factor_set != release.version),
                                key=lambda f: f.id))
    return CompiledModel(model=model, exchanges=tuple(exchanges),
                         allocation_factors=tuple(allocations), factors=used,
                         user_factors=user_factors, reference_index=index[ref.id],
                         demand_amount=demand)


def allocation_share(proc: Process) -> float:
    """Share of the process burden borne by its reference output (1 without co-products)."""
    if not proc.co_products:
        return 1.0
    outputs = (proc.output, *proc.co_products)
    basis = [_allocation_basis(o, proc.allocation) for o in outputs]
    total = sum(basis)
    if total <= 0:
        raise ModelValidationError({f"{proc.path}.allocation":
                                    N_("allocation basis of all outputs adds up to zero")})
    return basis[0] / total


def _allocation_basis(out: Output, method: str | None) -> float:
    if method == "mass":
        return out.amount * conversion_factor(out.unit, "kg")
    if method == "economic":
        return out.amount * (out.price or 0.0)
    return out.amount * (out.allocation_value or 0.0)


def _process_exchanges(i: int, proc: Process, share: float, model: InventoryModel,
                       index: Mapping[str, int], release: FactorRelease,
                       user_sets: Mapping[str, FactorTable], used: dict[str, Factor],
                       errors: dict[str, list[str]]) -> list[Exchange]:
    out: list[Exchange] = []

    def fail(path: str, msg: str) -> None:
        errors.setdefault(path, []).append(msg)

    def factor(fid: str, path: str) -> Factor | None:
        try:
            found = resolve(fid, release, user_sets)
        except UnknownFactorError as exc:
            fail(path, message_of(exc))
            return None
        used[found.id] = found
        return found

    for n, inp in enumerate(proc.inputs):
        path = f"{proc.path}.inputs[{n}]"
        if inp.process is not None:
            target = model.processes[index[inp.process]]
            target_unit = target.output.unit
        else:
            found = factor(inp.factor or "", f"{path}.factor")
            if found is None:
                continue
            target_unit = found.unit
        try:
            amount = inp.amount * conversion_factor(inp.unit, target_unit) * share
        except UnitProblem as exc:
            fail(f"{path}.unit", N_("%(problem)s, the unit of %(reference)s",
                                    problem=message_of(exc),
                                    reference=inp.factor or inp.process))
            continue
        dqr = (sum(int(c) for c in inp.dqr_pedigree) / 5 if inp.dqr_pedigree
               else (used[inp.factor].dqr if inp.factor else None))
        out.append(Exchange(i, "process" if inp.process else "factor",
                            inp.process or inp.factor or "", amount, target_unit, path,
                            inp.primary, dqr, inp.uncertainty_sigma))
    for n, leg in enumerate(proc.transport):
        path = f"{proc.path}.transport[{n}]"
        found = factor(leg.factor, f"{path}.factor")
        if found is None:
            continue
        tkm = (leg.mass.amount * conversion_factor(leg.mass.unit, "t")
               * leg.distance.amount * conversion_factor(leg.distance.unit, "km"))
        try:
            amount = tkm * conversion_factor("tkm", found.unit) * share
        except UnitProblem as exc:
            fail(f"{path}.factor", N_("%(problem)s: a transport leg needs a factor per tonne-km",
                                      problem=message_of(exc)))
            continue
        out.append(Exchange(i, "transport", found.id, amount, found.unit, path, leg.primary,
                            found.dqr, None))
    for n, em in enumerate(proc.emissions):
        path = f"{proc.path}.emissions[{n}]"
        amount = em.amount * conversion_factor(em.unit, "kg") * share
        out.append(Exchange(i, "emission", em.gas, amount, "kg", path, em.primary, None, None))
    return out
