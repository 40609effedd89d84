"""Many footprints against one release at once, through bw2calc, bit for bit.

(Impact runs use lca_models/vectorised.py, which is far faster and agrees to rounding; this
path stays for callers that need bw2calc's own numbers exactly.)

`compute_footprint` solves one model per call. Recomputing thousands of stored calculations
pays, per call, for opening the background, hashing the foreground's structure, taking the
solver's lock, swapping matrices and factorising. Here the models are grouped by matrix
structure (one bw2calc object per structure, as the one-at-a-time path keeps), and inside a
structure by identical technosphere values: such a group is factorised once with bw2calc's
own `lu_solver` (the factorisation `LCA.decompose_technosphere` and MultiLCA reuse), and
every demand of the group is solved against it. Models whose values differ still get their
own solve: a matrix with other numbers needs its own factorisation.

The numbers are the one-at-a-time path's, bit for bit: the matrices are assembled by the
same code, bw2calc's `lu_solver` factorises the same CSC arrays that scipy's `spsolve`
factorises for bw2calc's CSR technosphere (the transposed system), and the inventory and
score go through bw2calc's own `lci_calculation`/`lcia_calculation`
(tests/lca_models/test_batch.py compares both paths exactly).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lca_models.background import open_background
from lca_models.calculation import (
    Foreground,
    _check_supply,
    _singular_message,
    _solver,
    build_foreground,
    engine_versions,
    inputs_sha256,
)
from lca_models.errors import LcaModelError, SingularSystemError
from lca_models.factors import FactorRelease
from lca_models.gwp import DEFAULT_GWP_SET, GWP_SETS
from lca_models.results import FootprintResult
from lca_models.system import CompiledModel

if TYPE_CHECKING:
    import numpy as np

    from lca_models.calculation import _Solver

Outcome = FootprintResult | LcaModelError


def compute_footprints(models: Sequence[CompiledModel], release: FactorRelease, *,
                       gwp_set: str = DEFAULT_GWP_SET, brightway_dir: Path | None = None,
                       with_inputs_hash: bool = True) -> list[Outcome]:
    """Each compiled model's footprint under `release` (deterministic, no Monte Carlo), in
    order; a model that cannot be computed gets its error instead of a result, the others
    are not held back. `with_inputs_hash=False` leaves `inputs_sha256` empty (an impact run
    compares numbers and needs no hash); every number is as `compute_footprint` gives."""
    if gwp_set not in GWP_SETS:
        raise ValueError(f"GWP set must be one of {', '.join(GWP_SETS)}, not '{gwp_set}'")
    background = open_background(release, brightway_dir)
    engine = engine_versions(background)
    outcomes: list[Outcome | None] = [None] * len(models)
    groups: dict[str, list[tuple[int, Foreground]]] = {}
    for index, compiled in enumerate(models):
        try:
            fg = build_foreground(compiled, background)
        except LcaModelError as exc:
            outcomes[index] = exc
            continue
        groups.setdefault(fg.structure_key(), []).append((index, fg))
    from lca_models.breakdown import summarise

    for key, members in groups.items():
        solver = _solver(background, gwp_set, key, members[0][1])
        solved = _solve_group(solver, [fg for _, fg in members])
        for (index, _), answer in zip(members, solved, strict=True):
            compiled = models[index]
            try:
                if isinstance(answer, LcaModelError):
                    raise answer
                supply, score = answer
                _check_supply(compiled, supply)
                digest = (inputs_sha256(compiled, release, {}, gwp_set)
                          if with_inputs_hash else "")
                outcomes[index] = summarise(compiled, release, {}, gwp_set, supply, score,
                                            digest, engine, None)
            except LcaModelError as exc:
                outcomes[index] = exc
    return [o for o in outcomes if o is not None]


def _solve_group(solver: _Solver, fgs: list[Foreground]) -> list[
        tuple[np.ndarray, float] | LcaModelError]:
    """Supply and score of each foreground of one structure: one factorisation per distinct
    technosphere, then one solve and one inventory per foreground."""
    import numpy as np
    from bw2calc.utils import lu_solver

    answers: list[tuple[np.ndarray, float] | LcaModelError] = []
    by_tech: dict[bytes, list[int]] = {}
    for k, fg in enumerate(fgs):
        by_tech.setdefault(fg.tech_values.tobytes(), []).append(k)
    out: dict[int, tuple[np.ndarray, float] | LcaModelError] = {}
    with solver._lock, warnings.catch_warnings():
        warnings.simplefilter("error")
        lca = solver.lca
        for members in by_tech.values():
            lca.technosphere_matrix = solver.base_tech + solver._tech(fgs[members[0]].tech_values)
            try:
                # one member: spsolve, exactly as the one-at-a-time path; several: factorise
                # once, the same transposed factorisation spsolve makes
                if len(members) > 1:
                    lca.solver = lu_solver(lca.technosphere_matrix)
                for k in members:
                    fg = fgs[k]
                    lca.biosphere_matrix = solver.base_bio + solver._bio(fg.bio_values)
                    lca.demand_array = np.zeros(lca.technosphere_matrix.shape[0])
                    lca.demand_array[solver.demand_index] = fg.demand_amount
                    lca.lci_calculation()
                    lca.lcia_calculation()
                    out[k] = (lca.supply_array[solver.process_cols].copy(), float(lca.score))
            except (RuntimeError, Warning) as exc:
                error = SingularSystemError(_singular_message(exc))
                for k in members:
                    out.setdefault(k, error)
            finally:
                if hasattr(lca, "solver"):
                    del lca.solver
    answers.extend(out[k] for k in range(len(fgs)))
    return answers
