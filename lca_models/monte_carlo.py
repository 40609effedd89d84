"""Monte Carlo over every stated uncertainty, with infeasible draws kept out of the statistics.

bw2calc's stochastic LCA samples the background factor rows (their distributions live in the
release's datapackage) and the foreground (user factor rows and primary-data sigmas, see
`calculation.build_foreground`). A draw can describe a system that cannot exist: a loop whose
sampled inputs make it consume more than it produces needs negative activity, and a draw can
make the matrix singular. The deterministic calculation refuses such systems, so Monte Carlo
does the same per draw: it counts them, leaves them out and reports the count. Above
`REJECTED_WARNING_SHARE` of the draws a warning goes into the result; above
`REJECTED_REFUSAL_SHARE` the statistics would describe a censored distribution more than the
model, and the run is refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from lca_models.errors import SingularSystemError
from lca_models.messages import N_, fill
from lca_models.result_warnings import REJECTED_DRAWS, TOO_MANY_REJECTED
from lca_models.results import MonteCarloResult

if TYPE_CHECKING:
    from bw2calc import LCA

    from lca_models.background import Background
    from lca_models.calculation import Foreground

#: Share of rejected draws above which the result carries a warning.
REJECTED_WARNING_SHARE = 0.01
#: Share of rejected draws above which the run is refused.
REJECTED_REFUSAL_SHARE = 0.5
#: Activity below this (per declared unit) counts as negative.
NEGATIVE_ACTIVITY = -1e-12


def run_monte_carlo(background: Background, gwp_set: str, fg: Foreground, iterations: int,
                    seed: int,
                    progress: Callable[[int, int], None] | None = None) -> MonteCarloResult:
    """Sample factor and primary-data uncertainty with bw2calc's stochastic LCA."""
    from lca_models.calculation import _background_packages, _datapackage, _import_bw2calc

    if iterations < 2:
        raise ValueError(N_("Monte Carlo needs at least 2 iterations"))
    bw2calc = _import_bw2calc(background.directory)
    packages = _background_packages(background, gwp_set)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({fg.demand_id: fg.demand_amount},
                          data_objs=[*packages, _datapackage(fg, True)],
                          use_distributions=True, seed_override=seed)
        lca.lci()
        lca.lcia()
        cols = np.array([lca.dicts.activity[i + 1] for i in range(fg.process_count)],
                        dtype=np.int64)
        scores = np.empty(iterations)
        feasible = np.zeros(iterations, dtype=bool)
        for i in range(iterations):
            feasible[i] = _draw(lca, cols)
            scores[i] = lca.score if feasible[i] else np.nan
            if progress and (i + 1) % max(1, iterations // 100) == 0:
                progress(i + 1, iterations)
    return summarise_draws(scores[feasible], iterations, seed)


def _draw(lca: LCA, cols: np.ndarray) -> bool:
    """Advance to the next draw; False when it describes an infeasible system."""
    try:
        next(lca)
    except (RuntimeError, ValueError, ArithmeticError, np.linalg.LinAlgError):
        return False
    supply = lca.supply_array[cols]
    return bool(np.all(np.isfinite(supply)) and np.all(supply >= NEGATIVE_ACTIVITY)
                and np.isfinite(lca.score))


#: bins of the stored histogram of draws (enough for a chart, small in the stored result)
HISTOGRAM_BINS = 20


def summarise_draws(accepted: np.ndarray, iterations: int, seed: int) -> MonteCarloResult:
    """Statistics over the feasible draws, with the count of the others."""
    rejected = iterations - len(accepted)
    if len(accepted) < 2 or rejected > REJECTED_REFUSAL_SHARE * iterations:
        raise SingularSystemError(fill(TOO_MANY_REJECTED, rejected=rejected,
                                       iterations=iterations))
    p2_5, p50, p97_5 = np.percentile(accepted, [2.5, 50, 97.5])
    counts, edges = np.histogram(accepted, bins=HISTOGRAM_BINS)
    bins = tuple((float(edges[i]), float(edges[i + 1]), int(counts[i]))
                 for i in range(len(counts)))
    return MonteCarloResult(iterations=iterations, seed=seed, mean=float(accepted.mean()),
                            std=float(accepted.std(ddof=1)), p2_5=float(p2_5),
                            p50=float(p50), p97_5=float(p97_5), rejected=rejected,
                            histogram=bins)



def rejection_warning(result: MonteCarloResult | None) -> list[str]:
    if result is None or result.rejected <= REJECTED_WARNING_SHARE * result.iterations:
        return []
    return [fill(REJECTED_DRAWS, rejected=result.rejected, iterations=result.iterations,
               share=f"{result.rejected / result.iterations:.1%}")]
