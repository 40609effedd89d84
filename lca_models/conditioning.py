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

from lca_models.system import CompiledModel

#: kappa above which a loop is reported as ill-conditioned.
ILL_CONDITIONED = 1e8


def loop_conditions(compiled: CompiledModel) -> list[tuple[tuple[str, ...], float]]:
    """(process ids, kappa) for every loop of the model."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    processes = compiled.model.processes
    n = len(processes)
    index = {p.id: i for i, p in enumerate(processes)}
    links = [(index[ex.target], ex.process_index, ex.amount) for ex in compiled.exchanges
             if ex.kind == "process"]
    if not links:
        return []
    rows, cols, amounts = (np.array(v) for v in zip(*links, strict=True))
    outputs = np.array([p.output.amount for p in processes], dtype=float)
    coeff = sparse.coo_matrix((amounts / outputs[cols], (rows, cols)), shape=(n, n)).tocsr()
    _, labels = connected_components(coeff, directed=True, connection="strong")
    self_loops = {int(r) for r, c in zip(rows, cols, strict=True) if r == c}
    out = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) == 1 and int(members[0]) not in self_loops:
            continue
        block = coeff[members][:, members]
        out.append((tuple(processes[i].id for i in members), _kappa(block)))
    return out


def _kappa(block) -> float:
    """The 1-norm estimate through a sparse LU (SuperLU) and Higham's estimator: a few
    solves, no dense inverse, so a loop through hundreds of processes costs well under a
    millisecond."""
    from scipy import sparse
    from scipy.sparse.linalg import LinearOperator, onenormest, splu

    n = block.shape[0]
    system = (sparse.identity(n, format="csc") - block).tocsc()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # SuperLU warns on an exactly singular matrix
            lu = splu(system)
    except (RuntimeError, Warning):
        return float("inf")
    inverse = LinearOperator((n, n), matvec=lu.solve, rmatvec=lambda v: lu.solve(v, "T"),
                             dtype=float)
    norms = (sparse.linalg.norm(block, 1), sparse.linalg.norm(system, 1))
    return float(max(norms) * onenormest(inverse))


def conditioning_warnings(compiled: CompiledModel) -> list[str]:
    out = []
    for members, kappa in loop_conditions(compiled):
        if kappa > ILL_CONDITIONED:
            names = ", ".join(f"'{m}'" for m in members)
            out.append(
                f"the loop of process(es) {names} is nearly singular (condition estimate "
                f"{kappa:.1e}, above {ILL_CONDITIONED:.0e}): it consumes almost all it makes, "
                "so small errors in its amounts change the result greatly; check the amounts "
                "these processes take from one another")
    return out
