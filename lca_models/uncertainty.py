"""Translating factor and input uncertainty into stats_arrays parameters for Brightway.

Rows state a distribution when their source gives one; otherwise a pedigree rating
(reliability, completeness, temporal, geographical, technological; 1 best .. 5 worst) is
turned into a lognormal using the ecoinvent pedigree factors in `data/pedigree.csv`. Those
factors U_i are squared geometric standard deviations (the 95 % spread, GSD^2), so the sigma of
ln(value) is half the root of the summed squares: sigma = 1/2 * sqrt(sum(ln(U_i)^2))
(Frischknecht et al. 2007, ecoinvent report No. 1; Weidema et al. 2013, ecoinvent v3 data
quality guideline; see docs/factor-evidence/pedigree_evidence.md). No basic uncertainty is
added, because the factors here are aggregated datasets rather than ecoinvent exchanges of a
known type; docs/factors.md says so.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from lca_models.factor_rows import Uncertainty

if TYPE_CHECKING:
    import numpy as np

# stats_arrays distribution ids (stats_arrays.distributions.*.id)
UNDEFINED, NO_UNCERTAINTY, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = 0, 1, 2, 3, 4, 5


@lru_cache(maxsize=1)
def pedigree_factors() -> tuple[tuple[float, ...], ...]:
    text = resources.files("lca_models").joinpath("data/pedigree.csv").read_text("utf-8")
    return tuple(tuple(float(r[f"score_{i}"]) for i in range(1, 6))
                 for r in csv.DictReader(text.splitlines()))


def pedigree_sigma(pedigree: str) -> float:
    """sigma of ln(value): the U_i are GSD^2 factors, hence the 1/2."""
    table = pedigree_factors()
    return 0.5 * math.sqrt(sum(math.log(table[i][int(score) - 1]) ** 2
                         for i, score in enumerate(pedigree)))


def exchange_uncertainty(amount: float, uncertainty: Uncertainty,
                         pedigree: str | None) -> dict[str, float]:
    """stats_arrays fields for one exchange of `amount` (kg of a gas, or an input amount)."""
    kind = uncertainty.kind
    if kind == "undefined" and pedigree and pedigree_sigma(pedigree) > 0:
        kind, sigma = "lognormal", pedigree_sigma(pedigree)
    else:
        sigma = uncertainty.sigma or 0.0
    if amount <= 0 or kind == "undefined":
        return {"uncertainty_type": UNDEFINED, "loc": amount}
    if kind == "lognormal":
        return {"uncertainty_type": LOGNORMAL, "loc": math.log(amount), "scale": sigma}
    if kind == "normal":
        return {"uncertainty_type": NORMAL, "loc": amount, "scale": sigma * amount}
    low, high = amount * (uncertainty.minimum or 1.0), amount * (uncertainty.maximum or 1.0)
    if kind == "uniform":
        return {"uncertainty_type": UNIFORM, "loc": amount, "minimum": low, "maximum": high}
    return {"uncertainty_type": TRIANGULAR, "loc": amount, "minimum": low, "maximum": high}


def distributions_array(rows: list[dict[str, float]]) -> np.ndarray:
    """A bw_processing UNCERTAINTY_DTYPE array from `exchange_uncertainty` dicts, so shipped
    rows (written into the background) and user rows (in the foreground) are sampled alike."""
    import bw_processing as bwp
    import numpy as np

    out: np.ndarray = np.zeros(len(rows), dtype=bwp.UNCERTAINTY_DTYPE)
    names = [name for name, _ in bwp.UNCERTAINTY_DTYPE]  # the array's fields, in order
    for i, fields in enumerate(rows):
        full = {"scale": np.nan, "shape": np.nan, "minimum": np.nan, "maximum": np.nan,
                "negative": False, **fields}
        out[i] = tuple(full[k] for k in names)
    return out
