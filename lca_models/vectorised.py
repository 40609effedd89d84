"""Many footprints of one structure at once, as array operations: what an impact run needs.

A compiled model splits into its *structure* (processes, stages, the kind and target of each
exchange and the unit it is expressed in: everything that fixes the sparsity of the
technosphere and biosphere) and its *values* (output amounts, exchange amounts, demand).
Product variants of one model template (other input amounts, other declared amount) share a
structure. For calculations of one structure the whole group is computed together:

- supply: the foreground technosphere of every member is stacked into an (m, k, k) array
  and solved with one batched `np.linalg.solve` (LAPACK LU per matrix, no Python per member);
  a member whose matrix is singular is found and reported alone, the group goes on;
- score and breakdown: each exchange's contribution is amount x activity of its process x
  the characterised emissions per unit of what it draws on (`unit_scores`: the factor's
  gases times the GWP set's factors, or the gas's own factor for a direct emission), an
  (m, E) array; the score is its row sum, the breakdown by stage and by factor are matrix
  products with 0/1 indicator matrices.

The background of a release is one activity per factor with nothing upstream, so the
foreground block alone fixes the activities; this is the system bw2calc solves in
`compute_footprint`, minus the factor rows that only carry emissions. The numbers agree with
the one-at-a-time path to rounding: other summation orders and another LU (dense LAPACK here,
SuperLU there) give differences of a few units in the last place, bounded in
tests/lca_models/test_vectorised.py by 1e-12 relative to the sum of the absolute
contributions (which is the score when no contribution is negative). They are not bit for
bit; see app/services/impact.py for how an impact run keeps its comparisons consistent.

A structure is tied to a release only through the units of the factors it uses (amounts are
converted into the factor's unit when compiling): `unit_scores` refuses a release in which a
used factor is missing or has another unit, and the caller compiles the model again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from lca_models.errors import LcaModelError, SingularSystemError
from lca_models.factors import FactorRelease
from lca_models.gwp import characterisation_factors
from lca_models.system import CompiledModel

#: Foreground size up to which the batched dense solve is used; larger ones are solved one
#: sparse factorisation per distinct technosphere.
DENSE_LIMIT = 150
#: A negative activity below this is a loop consuming more than it produces (as
#: calculation._check_supply).
NEGATIVE = -1e-12


class StructureMismatch(LcaModelError):
    """The structure's factors are not in the release with the same units: compile again."""


@dataclass(frozen=True)
class Structure:
    """What variants of one model share: no amounts."""

    process_ids: tuple[str, ...]
    stages: tuple[str, ...]
    reference_index: int
    ex_process: tuple[int, ...]
    ex_kind: tuple[str, ...]  # "factor", "transport", "process" or "emission"
    ex_target: tuple[str, ...]  # factor id, process index (as text) or gas code
    ex_unit: tuple[str, ...]  # unit of the factor the amount is expressed in ("" otherwise)

    def to_json(self) -> dict[str, Any]:
        return {"processes": [list(p) for p in zip(self.process_ids, self.stages,
                                                   strict=True)],
                "reference": self.reference_index,
                "exchanges": [list(e) for e in zip(self.ex_process, self.ex_kind,
                                                   self.ex_target, self.ex_unit, strict=True)]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Structure:
        ex = data["exchanges"]
        return cls(process_ids=tuple(p[0] for p in data["processes"]),
                   stages=tuple(p[1] for p in data["processes"]),
                   reference_index=int(data["reference"]),
                   ex_process=tuple(int(e[0]) for e in ex), ex_kind=tuple(e[1] for e in ex),
                   ex_target=tuple(e[2] for e in ex), ex_unit=tuple(e[3] for e in ex))

    @cached_property
    def sha256(self) -> str:
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def size(self) -> int:
        return len(self.process_ids)

    @property
    def value_count(self) -> int:
        return self.size + len(self.ex_kind) + 1

    @cached_property
    def emitting(self) -> np.ndarray:
        """Indices of the exchanges that emit (all but process links), in order."""
        return np.array([j for j, k in enumerate(self.ex_kind) if k != "process"],
                        dtype=np.int64)

    @cached_property
    def links(self) -> list[tuple[int, int, int]]:
        """(value column, row, column) of each process-to-process exchange."""
        n = self.size
        return [(n + j, int(self.ex_target[j]), self.ex_process[j])
                for j, k in enumerate(self.ex_kind) if k == "process"]

    @cached_property
    def emitting_references(self) -> tuple[str, ...]:
        return tuple(self.ex_target[j] for j in self.emitting)

    @cached_property
    def emitting_kinds(self) -> tuple[str, ...]:
        return tuple(self.ex_kind[j] for j in self.emitting)

    @cached_property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.stages))

    @cached_property
    def by_stage_matrix(self) -> np.ndarray:
        """(emitting exchanges, stages) 0/1: the stage of each exchange's process."""
        out = np.zeros((len(self.emitting), len(self.stage_names)))
        column = {s: i for i, s in enumerate(self.stage_names)}
        for row, j in enumerate(self.emitting):
            out[row, column[self.stages[self.ex_process[j]]]] = 1.0
        return out

    @cached_property
    def factor_ids(self) -> tuple[str, ...]:
        """Factors drawn on by factor and transport exchanges, in first-use order."""
        return tuple(dict.fromkeys(t for t, k in zip(self.emitting_references,
                                                     self.emitting_kinds, strict=True)
                                   if k in ("factor", "transport")))

    @cached_property
    def by_factor_matrix(self) -> np.ndarray:
        """(emitting exchanges, factors) 0/1: which factor each exchange draws on."""
        out = np.zeros((len(self.emitting), len(self.factor_ids)))
        column = {f: i for i, f in enumerate(self.factor_ids)}
        for row, (t, k) in enumerate(zip(self.emitting_references, self.emitting_kinds,
                                         strict=True)):
            if k in ("factor", "transport"):
                out[row, column[t]] = 1.0
        return out


def split(compiled: CompiledModel) -> tuple[Structure, np.ndarray]:
    """A compiled model's structure and values (outputs, exchange amounts, demand). Models
    with user factor sets are refused (LcaModelError): their factors are not the release's."""
    if compiled.user_factors:
        raise LcaModelError("models with user factor sets are computed one at a time")
    model = compiled.model
    index = {p.id: i for i, p in enumerate(model.processes)}
    kinds, targets, units = [], [], []
    for ex in compiled.exchanges:
        kinds.append(ex.kind)
        if ex.kind == "process":
            targets.append(str(index[ex.target]))
            units.append("")
        else:
            targets.append(ex.target)
            units.append(ex.unit if ex.kind != "emission" else "")
    structure = Structure(
        process_ids=tuple(p.id for p in model.processes),
        stages=tuple(p.stage for p in model.processes),
        reference_index=compiled.reference_index,
        ex_process=tuple(ex.process_index for ex in compiled.exchanges),
        ex_kind=tuple(kinds), ex_target=tuple(targets), ex_unit=tuple(units))
    values = np.array([*(p.output.amount for p in model.processes),
                       *(ex.amount for ex in compiled.exchanges), compiled.demand_amount],
                      dtype=np.float64)
    return structure, values


def unit_scores(structure: Structure, release: FactorRelease, gwp_set: str) -> np.ndarray:
    """kg CO2e per unit of what each emitting exchange draws on, under `release`; raises
    StructureMismatch if a factor is missing from the release or has another unit."""
    cf = characterisation_factors(gwp_set)
    out = np.empty(len(structure.emitting))
    for row, j in enumerate(structure.emitting):
        kind, target = structure.ex_kind[j], structure.ex_target[j]
        if kind == "emission":
            if target not in cf:
                raise StructureMismatch(f"unknown gas '{target}'")
            out[row] = cf[target]
            continue
        factor = release.factors.get(target)
        if factor is None or factor.unit != structure.ex_unit[j]:
            raise StructureMismatch(f"factor '{target}' is not in release {release.version} "
                                    "with the unit the model was compiled against")
        out[row] = sum(kg * cf[gas] for gas, kg in factor.gases.items())
    return out


@dataclass
class Solved:
    """Activities of a group: `supply` (m, k); `errors[i]` is set for a member that has no
    solution (its row of `supply` is then meaningless)."""

    supply: np.ndarray
    errors: list[LcaModelError | None]


def solve(structure: Structure, values: np.ndarray) -> Solved:
    """Activities of each foreground process per declared unit, for a stack of values
    (m, value_count) of one structure."""
    values = np.asarray(values, dtype=np.float64)
    m, n = values.shape[0], structure.size
    errors: list[LcaModelError | None] = [None] * m
    if m == 0:
        return Solved(np.zeros((0, n)), errors)
    demand = values[:, -1]
    if n > DENSE_LIMIT:
        supply = _solve_sparse(structure, values, errors)
    else:
        a = np.zeros((m, n, n))
        diag = np.arange(n)
        a[:, diag, diag] = values[:, :n]
        for col, row, proc in structure.links:
            a[:, row, proc] -= values[:, col]
        b = np.zeros((m, n, 1))
        b[:, structure.reference_index, 0] = demand
        try:
            supply = np.linalg.solve(a, b)[:, :, 0]
        except np.linalg.LinAlgError:  # some member is singular: find it, keep the others
            supply = np.zeros((m, n))
            for i in range(m):
                try:
                    supply[i] = np.linalg.solve(a[i], b[i])[:, 0]
                except np.linalg.LinAlgError as exc:
                    errors[i] = SingularSystemError(_singular(exc))
    finite = np.isfinite(supply).all(axis=1)
    negative = (supply < NEGATIVE) & finite[:, None]
    for bad in np.flatnonzero(~finite | negative.any(axis=1)):
        i = int(bad)
        if errors[i] is not None:
            continue
        if not finite[i]:
            errors[i] = SingularSystemError(_singular(ValueError("non-finite activity")))
        else:
            names = ", ".join(f"'{structure.process_ids[p]}'"
                              for p in np.flatnonzero(negative[i]))
            errors[i] = SingularSystemError(
                f"process(es) {names} would have to run a negative amount: a loop consumes "
                "more than it produces; check the amounts of inputs between these processes")
    return Solved(supply, errors)


def _solve_sparse(structure: Structure, values: np.ndarray,
                  errors: list[LcaModelError | None]) -> np.ndarray:
    """Large foregrounds: one sparse LU per distinct technosphere."""
    import warnings

    from scipy.sparse import csc_matrix
    from scipy.sparse.linalg import splu

    m, n = values.shape[0], structure.size
    rows = [*range(n), *(r for _, r, _ in structure.links)]
    cols = [*range(n), *(p for _, _, p in structure.links)]
    link_cols = [c for c, _, _ in structure.links]
    supply = np.zeros((m, n))
    groups: dict[bytes, list[int]] = {}
    for i in range(m):
        groups.setdefault(values[i, :-1].tobytes(), []).append(i)
    for members in groups.values():
        first = values[members[0]]
        data = np.concatenate([first[:n], -first[link_cols]])
        matrix = csc_matrix((data, (rows, cols)), shape=(n, n))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                lu = splu(matrix)
        except (RuntimeError, Warning) as exc:
            for i in members:
                errors[i] = SingularSystemError(_singular(exc))
            continue
        b = np.zeros((n, len(members)))
        b[structure.reference_index] = values[members, -1]
        supply[members] = lu.solve(b).T
    return supply


def _singular(exc: BaseException) -> str:
    from lca_models.calculation import _singular_message

    return _singular_message(exc)


def contributions(structure: Structure, values: np.ndarray, supply: np.ndarray,
                  scores: np.ndarray) -> np.ndarray:
    """kg CO2e of each emitting exchange (m, E): amount x activity of its process x
    `unit_scores`."""
    cols = structure.size + structure.emitting
    procs = np.array([structure.ex_process[j] for j in structure.emitting], dtype=np.int64)
    out: np.ndarray = values[:, cols] * supply[:, procs] * scores
    return out


@dataclass
class GroupResult:
    """Footprints of a group of one structure under one release (rows as given)."""

    structure: Structure
    score: np.ndarray  # (m,) kg CO2e per declared unit
    by_input: np.ndarray  # (m, E) per emitting exchange, in the engine's by_input order
    by_stage: np.ndarray  # (m, stages), columns `structure.stage_names`
    by_factor: np.ndarray  # (m, factors), columns `structure.factor_ids`
    scale: np.ndarray  # (m,) sum of the absolute contributions: the scale of rounding
    supply: np.ndarray
    errors: list[LcaModelError | None]


def evaluate(structure: Structure, values: np.ndarray, release: FactorRelease, gwp_set: str,
             solved: Solved | None = None) -> GroupResult:
    """Every footprint of the group under `release` (pass `solved` to reuse activities)."""
    values = np.asarray(values, dtype=np.float64)
    solved = solved or solve(structure, values)
    scores = unit_scores(structure, release, gwp_set)
    return result_of(structure, values, solved, scores)


def result_of(structure: Structure, values: np.ndarray, solved: Solved,
              scores: np.ndarray) -> GroupResult:
    supply = np.where(np.isfinite(solved.supply), solved.supply, 0.0)
    contrib = contributions(structure, values, supply, scores)
    return GroupResult(structure=structure, score=contrib.sum(axis=1), by_input=contrib,
                       by_stage=contrib @ structure.by_stage_matrix,
                       by_factor=contrib @ structure.by_factor_matrix,
                       scale=np.abs(contrib).sum(axis=1), supply=supply, errors=solved.errors)


def evaluate_models(models: Sequence[CompiledModel], release: FactorRelease,
                    gwp_set: str) -> list[tuple[GroupResult, int] | LcaModelError]:
    """Each model's (group result, row), grouped by structure; a model that cannot be
    computed this way gets its error."""
    out: list[tuple[GroupResult, int] | LcaModelError | None] = [None] * len(models)
    groups: dict[Structure, list[tuple[int, np.ndarray]]] = {}
    for index, compiled in enumerate(models):
        try:
            structure, values = split(compiled)
        except LcaModelError as exc:
            out[index] = exc
            continue
        groups.setdefault(structure, []).append((index, values))
    for structure, members in groups.items():
        result = evaluate(structure, np.stack([v for _, v in members]), release, gwp_set)
        for row, (index, _) in enumerate(members):
            error = result.errors[row]
            out[index] = error if error is not None else (result, row)
    return [o for o in out if o is not None]
