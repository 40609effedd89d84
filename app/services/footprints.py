"""Computing a footprint for an API request (stateless until persistence arrives)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lca_models.calculation import compute_footprint
from lca_models.errors import ModelValidationError
from lca_models.inventory_schema import load_model
from lca_models.results import FootprintResult


def check_monte_carlo(iterations: int | None, limit: int) -> None:
    """One request may not tie a worker up with an unbounded Monte Carlo run."""
    if iterations and iterations > limit:
        raise ModelValidationError({"monte_carlo": f"at most {limit} iterations per request"})


def calculate(model: dict[str, Any], *, gwp_set: str, monte_carlo: int | None, seed: int,
              brightway_dir: Path, max_monte_carlo: int) -> FootprintResult:
    check_monte_carlo(monte_carlo, max_monte_carlo)
    try:
        inventory = load_model(model)
    except ModelValidationError as exc:  # name the field as the request spells it
        raise exc.under("model") from None
    try:
        return compute_footprint(inventory, gwp_set=gwp_set, brightway_dir=brightway_dir,
                                 monte_carlo=monte_carlo, seed=seed)
    except ModelValidationError as exc:
        raise exc.under("model") from None
