"""Computing a footprint for an API request (stateless until persistence arrives)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lca_models.calculation import compute_footprint
from lca_models.errors import ModelValidationError
from lca_models.inventory_schema import load_model
from lca_models.messages import N_
from lca_models.results import FootprintResult


def check_monte_carlo(iterations: int | None, limit: int) -> None:
    """One request may not tie a worker up with an unbounded Monte Carlo run."""
    if iterations and iterations > limit:
        raise ModelValidationError({"monte_carlo": N_("at most %(limit)s iterations per request",
                                                      limit=limit)})


def check_model_size(model: dict[str, Any], *, max_processes: int, max_inputs: int) -> None:
    """Refuse a model too big to solve within one request, before any of it is parsed
    (shapes that are not lists are left for the model's own validation to name)."""
    stages = model.get("stages") if isinstance(model, dict) else None
    processes: list[Any] = []
    for stage in stages if isinstance(stages, list) else []:
        found = stage.get("processes") if isinstance(stage, dict) else None
        processes += found if isinstance(found, list) else []
    if len(processes) > max_processes:
        raise ModelValidationError({"model.stages": N_(
            "at most %(limit)s processes per model (this one has %(count)s)",
            limit=max_processes, count=len(processes))})
    inputs = sum(len(p["inputs"]) for p in processes
                 if isinstance(p, dict) and isinstance(p.get("inputs"), list))
    if inputs > max_inputs:
        raise ModelValidationError({"model.stages": N_(
            "at most %(limit)s inputs per model (this one has %(count)s)", limit=max_inputs,
            count=inputs)})


def calculate(model: dict[str, Any], *, gwp_set: str, monte_carlo: int | None, seed: int,
              brightway_dir: Path, max_monte_carlo: int, max_processes: int = 200,
              max_inputs: int = 2000) -> FootprintResult:
    check_monte_carlo(monte_carlo, max_monte_carlo)
    check_model_size(model, max_processes=max_processes, max_inputs=max_inputs)
    try:
        inventory = load_model(model)
    except ModelValidationError as exc:  # name the field as the request spells it
        raise exc.under("model") from None
    try:
        return compute_footprint(inventory, gwp_set=gwp_set, brightway_dir=brightway_dir,
                                 monte_carlo=monte_carlo, seed=seed)
    except ModelValidationError as exc:
        raise exc.under("model") from None
