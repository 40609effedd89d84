"""How close the model's process loops are to having no solution.

A loop of processes that consumes almost everything it makes is solved without complaint but
amplifies every error in its amounts: with x = (D - M)^-1 f the activity grows as the loop's
net output shrinks. For each loop (a strongly connected group of processes, or a process that
uses its own output) this module estimates, in the 1-norm,

    kappa = max(||N||, ||I - N||) * ||(I - N)^-1||,   N = M D^-1,

where D holds the processes' output amounts and M what the loop's processes take from one
another. kappa bounds the relative change of the activities per relative change of the loop's
amounts (for a single self-using process it is a/(1 - a)); it is at least the ordinary
condition number of I - N. Above `ILL_CONDITIONED` the result carries a warning naming the
processes: at 1e8, eight of float64's sixteen digits can be lost, and a 1 % error in one of
the loop's amounts moves the result by far more than the footprint itself.
"""

from __future__ import annotations

import warnings

import numpy as np

from lca_models.errors import ModelValidationError
from lca_models.messages import N_, fill
from lca_models.result_warnings import NEARLY_SINGULAR
from lca_models.system import CompiledModel

#: kappa above which a loop is reported as ill-conditioned.
ILL_CONDITIONED = 1e8
#: Loops up to this many processes get exact dense 1-norms; larger ones an estimate.
DENSE_LIMIT = 24


def loop_conditions(compiled: CompiledModel) -> list[tuple[tuple[str, ...], float]]:
    """(process ids, kappa) for every loop of the model."""
    processes = compiled.model.processes
    index = {p.id: i for i, p in enumerate(processes)}
    outputs = [p.output.amount for p in processes]
    coeff: dict[tuple[int, int], float] = {}
    for ex in compiled.exchanges:
        if ex.kind == "process":
            key = (index[ex.target], ex.process_index)
            coeff[key] = coeff.get(key, 0.0) + ex.amount / outputs[ex.process_index]
    if not coeff:
        return []
    out = []
    for members in _strong_components(len(processes), coeff):
        if len(members) == 1 and (members[0], members[0]) not in coeff:
            continue
        out.append((tuple(processes[i].id for i in members), _kappa(members, coeff)))
    return out


def _strong_components(n: int, edges: dict[tuple[int, int], float]) -> list[list[int]]:
    """Tarjan's algorithm, iterative (a 5,000-process chain must not hit the recursion
    limit), in plain Python: for the few links of a model it beats building sparse graphs."""
    successors: dict[int, list[int]] = {}
    for row, col in edges:
        successors.setdefault(col, []).append(row)
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[list[int]] = []
    for root in successors:
        if root in order:
            continue
        work = [(root, iter(successors.get(root, ())))]
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in order:
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], order[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return sorted(found)


def _kappa(members: list[int], coeff: dict[tuple[int, int], float]) -> float:
    """Dense for small loops (exact 1-norms, microseconds); above `DENSE_LIMIT` processes a
    sparse LU (SuperLU) with Higham's 1-norm estimator, never a dense inverse."""
    position = {m: k for k, m in enumerate(members)}
    entries = [(position[r], position[c], v) for (r, c), v in coeff.items()
               if r in position and c in position]
    n = len(members)
    if n <= DENSE_LIMIT:
        block = np.zeros((n, n))
        for r, c, v in entries:
            block[r, c] += v
        system = np.eye(n) - block
        try:
            inverse = np.linalg.inv(system)
        except np.linalg.LinAlgError:
            return float("inf")
        return float(max(_norm1(block), _norm1(system)) * _norm1(inverse))
    return _kappa_sparse(n, entries)


def _norm1(matrix: np.ndarray) -> float:
    return float(np.abs(matrix).sum(axis=0).max())


def _kappa_sparse(n: int, entries: list[tuple[int, int, float]]) -> float:
    from scipy import sparse
    from scipy.sparse.linalg import LinearOperator, onenormest, splu

    rows, cols, values = (np.array(v) for v in zip(*entries, strict=True))
    block = sparse.csc_matrix((values, (rows, cols)), shape=(n, n))
    system = (sparse.identity(n, format="csc") - block).tocsc()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # SuperLU warns on an exactly singular matrix
            lu = splu(system)
    except (RuntimeError, Warning):
        return float("inf")
    # SuperLU.solve(rhs, trans) is scipy's documented signature; scipy-stubs leaves out trans
    inverse = LinearOperator((n, n), matvec=lu.solve,
                             rmatvec=lambda v: lu.solve(v, "T"),  # type: ignore[call-overload]
                             dtype=np.float64)
    norms = (sparse.linalg.norm(block, 1), sparse.linalg.norm(system, 1))
    return float(max(norms) * onenormest(inverse))


#: kappa from which a loop counts as having no solution at all (floating-point round-off
#: makes an exactly singular loop come out finite but enormous).
SINGULAR = 1e15


def check_solvable(compiled: CompiledModel) -> None:
    """Refuse a model with a loop that has no solution, naming its processes, so it is
    refused at upload (nothing stored) rather than failing at its first calculation."""
    errors: dict[str, list[str]] = {}
    for members, kappa in loop_conditions(compiled):
        if kappa >= SINGULAR:
            first = compiled.model.process(members[0])
            names = ", ".join(f"'{m}'" for m in members)
            errors.setdefault(f"{first.path}.inputs", []).append(N_(
                "the loop of process(es) %(names)s has no solution: together they consume "
                "all they make; lower the amounts these processes take from one another",
                names=names))
    if errors:
        raise ModelValidationError(errors)



def conditioning_warnings(compiled: CompiledModel) -> list[str]:
    out: list[str] = []
    for members, kappa in loop_conditions(compiled):
        if kappa > ILL_CONDITIONED:
            names = ", ".join(f"'{m}'" for m in members)
            out.append(fill(NEARLY_SINGULAR, names=names, kappa=f"{kappa:.1e}",
                          limit=f"{ILL_CONDITIONED:.0e}"))
    return out
