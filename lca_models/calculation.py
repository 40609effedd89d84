"""Footprint calculation on Brightway (bw2calc) against a pinned factor release.

The release is a prebuilt background (see `background`); each model becomes an in-memory
bw_processing foreground. A solver is kept per (background, method, matrix structure), so
repeated calculations of the same model, or of variants that only change amounts, reuse the
loaded datapackages and bw2calc's LCA object instead of rebuilding them: only the foreground
values are swapped in before bw2calc solves again. Nothing is written to Brightway at
calculation time, which keeps concurrent workers safe.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lca_models
from lca_models.background import Background, open_background, use_brightway_dir
from lca_models.canonical import canonical_json
from lca_models.errors import SingularSystemError
from lca_models.factor_rows import Uncertainty
from lca_models.factors import FactorRelease, FactorTable, load_release
from lca_models.gwp import DEFAULT_GWP_SET, GWP_SETS, method_id
from lca_models.inventory import InventoryModel
from lca_models.messages import fill
from lca_models.result_warnings import NEGATIVE_ACTIVITY, SINGULAR
from lca_models.results import FootprintResult
from lca_models.system import CompiledModel, compile_model
from lca_models.uncertainty import UNDEFINED, distributions_array, exchange_uncertainty

if TYPE_CHECKING:
    import numpy as np
    from bw_processing import Datapackage
    from scipy.sparse import csr_matrix

#: How one matrix entry is uncertain: (stated distribution, pedigree) or None for fixed.
Spec = tuple[Uncertainty, str | None] | None


@dataclass(frozen=True)
class Foreground:
    """Matrix entries of one compiled model, in Brightway node ids."""

    tech_indices: np.ndarray  # bwp.INDICES_DTYPE
    tech_values: np.ndarray
    tech_flip: np.ndarray
    tech_uncertainty: tuple[Spec, ...]  # primary-data sigma of inputs
    bio_indices: np.ndarray
    bio_values: np.ndarray
    bio_uncertainty: tuple[Spec, ...]  # distributions of user factor rows
    demand_id: int
    demand_amount: float
    process_count: int

    def structure_key(self) -> str:
        digest = hashlib.sha256()
        for array in (self.tech_indices, self.tech_flip, self.bio_indices):
            digest.update(array.tobytes())
        digest.update(str(self.demand_id).encode())
        return digest.hexdigest()


def compute_footprint(model: InventoryModel, release: FactorRelease | None = None, *,
                      gwp_set: str = DEFAULT_GWP_SET,
                      user_sets: Mapping[str, FactorTable] | None = None,
                      brightway_dir: Path | None = None,
                      monte_carlo: int | None = None, seed: int = 0,
                      progress: Callable[[int, int], None] | None = None,
                      compiled: CompiledModel | None = None) -> FootprintResult:
    """Compute a model's footprint per declared unit; see FootprintResult for what it holds.

    `compiled` is `model` already compiled against `release` and `user_sets` (see
    `model_cache`); it saves compiling again."""
    if gwp_set not in GWP_SETS:
        raise ValueError(f"GWP set must be one of {', '.join(GWP_SETS)}, not '{gwp_set}'")
    release = release or load_release()
    if compiled is None or compiled.model is not model:
        compiled = compile_model(model, release, user_sets)
    background = open_background(release, brightway_dir)
    fg = build_foreground(compiled, background)
    solver = _solver(background, gwp_set, fg.structure_key(), fg)
    supply, score = solver.solve(fg)
    _check_supply(compiled, supply)
    mc = None
    if monte_carlo:
        from lca_models.monte_carlo import run_monte_carlo

        mc = run_monte_carlo(background, gwp_set, fg, monte_carlo, seed, progress)
    from lca_models.breakdown import summarise

    return summarise(compiled, release, user_sets or {}, gwp_set, supply, score,
                     inputs_sha256(compiled, release, user_sets or {}, gwp_set),
                     engine_versions(background), mc)


def build_foreground(compiled: CompiledModel, background: Background) -> Foreground:
    import bw_processing as bwp
    import numpy as np  # here and below on first calculation: the web app starts without

    n = len(compiled.model.processes)
    process_ids = {p.id: i + 1 for i, p in enumerate(compiled.model.processes)}
    user_ids = {f.id: n + 1 + k for k, f in enumerate(compiled.user_factors)}
    tech: list[tuple[int, int, float, bool, Spec]] = []
    bio: list[tuple[int, int, float, Spec]] = []
    for i, proc in enumerate(compiled.model.processes):
        tech.append((i + 1, i + 1, proc.output.amount, False, None))
    for ex in compiled.exchanges:
        col = ex.process_index + 1
        stated = (Uncertainty("lognormal", ex.sigma), None) if ex.sigma else None
        if ex.kind == "process":
            tech.append((process_ids[ex.target], col, ex.amount, True, stated))
        elif ex.kind in ("factor", "transport"):
            row = user_ids.get(ex.target) or background.factor_ids[ex.target]
            tech.append((row, col, ex.amount, True, stated))
        else:
            bio.append((background.flow_ids[ex.target], col, ex.amount, None))
    for factor in compiled.user_factors:
        uid = user_ids[factor.id]
        tech.append((uid, uid, 1.0, False, None))
        # A user row is sampled exactly as a shipped row is in the background package.
        spec = (factor.uncertainty, factor.dqr_pedigree)
        bio.extend((background.flow_ids[gas], uid, amount, spec)
                   for gas, amount in factor.gases.items())
    tech_idx = np.array([(r, c) for r, c, *_ in tech], dtype=bwp.INDICES_DTYPE)
    bio_idx = np.array([(r, c) for r, c, *_ in bio], dtype=bwp.INDICES_DTYPE)
    return Foreground(
        tech_indices=tech_idx,
        tech_values=np.array([t[2] for t in tech], dtype=float),
        tech_flip=np.array([t[3] for t in tech], dtype=bool),
        tech_uncertainty=tuple(t[4] for t in tech),
        bio_indices=bio_idx,
        bio_values=np.array([b[2] for b in bio], dtype=float),
        bio_uncertainty=tuple(b[3] for b in bio),
        demand_id=compiled.reference_index + 1,
        demand_amount=compiled.demand_amount,
        process_count=n,
    )


def _distributions(values: np.ndarray, specs: tuple[Spec, ...]) -> np.ndarray:
    """Distributions only when Monte Carlo asks, so plain calculations never pay for them."""
    return distributions_array([
        exchange_uncertainty(float(v), *spec) if spec else
        {"uncertainty_type": UNDEFINED, "loc": float(v)}
        for v, spec in zip(values, specs, strict=True)])


def _datapackage(fg: Foreground, with_uncertainty: bool) -> Datapackage:
    import bw_processing as bwp

    dp = bwp.create_datapackage(sequential=True)
    tech_kwargs: dict[str, np.ndarray] = {}
    bio_kwargs: dict[str, np.ndarray] = {}
    if with_uncertainty:
        tech_kwargs["distributions_array"] = _distributions(fg.tech_values, fg.tech_uncertainty)
        bio_kwargs["distributions_array"] = _distributions(fg.bio_values, fg.bio_uncertainty)
    dp.add_persistent_vector(matrix="technosphere_matrix", name="foreground-technosphere",
                             indices_array=fg.tech_indices, data_array=fg.tech_values,
                             flip_array=fg.tech_flip, **tech_kwargs)
    if len(fg.bio_values):
        dp.add_persistent_vector(matrix="biosphere_matrix", name="foreground-biosphere",
                                 indices_array=fg.bio_indices, data_array=fg.bio_values,
                                 **bio_kwargs)
    return dp


def _background_packages(background: Background, gwp_set: str
                         ) -> tuple[Datapackage, Datapackage]:
    return _load_packages(background.directory, background.factors_file,
                          background.method_files[gwp_set])


@lru_cache(maxsize=8)
def _load_packages(directory: Path, factors_file: Path, method_file: Path
                   ) -> tuple[Datapackage, Datapackage]:
    import bw_processing as bwp
    from fsspec.implementations.zip import ZipFileSystem

    _import_bw2calc(directory)
    return (bwp.load_datapackage(ZipFileSystem(str(factors_file))),
            bwp.load_datapackage(ZipFileSystem(str(method_file))))


def _import_bw2calc(directory: Path) -> Any:  # the bw2calc module: an untyped library
    """bw2calc imports bw2data, which must be pointed at our directory first (never $HOME);
    its advice to install pypardiso is noise for matrices of this size."""
    use_brightway_dir(directory)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc
    return bw2calc


class _Solver:
    """bw2calc LCA for one matrix structure; only values change between calls."""

    def __init__(self, background: Background, gwp_set: str, fg: Foreground):
        import numpy as np
        from scipy import sparse

        bw2calc = _import_bw2calc(background.directory)
        self._sparse = sparse
        self._lock = threading.Lock()
        packages = _background_packages(background, gwp_set)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.lca = bw2calc.LCA({fg.demand_id: 1.0},
                                   data_objs=[*packages, _datapackage(fg, False)])
            self.lca.lci()
            self.lca.lcia()
        rows, cols = self.lca.dicts.product, self.lca.dicts.activity
        bio_rows = self.lca.dicts.biosphere
        self.t_rows = np.array([rows[r] for r in fg.tech_indices["row"]], dtype=np.int64)
        self.t_cols = np.array([cols[c] for c in fg.tech_indices["col"]], dtype=np.int64)
        self.b_rows = np.array([bio_rows[r] for r in fg.bio_indices["row"]], dtype=np.int64)
        self.b_cols = np.array([cols[c] for c in fg.bio_indices["col"]], dtype=np.int64)
        self.flip = np.where(fg.tech_flip, -1.0, 1.0)
        self.base_tech = (self.lca.technosphere_matrix - self._tech(fg.tech_values)).tocsr()
        self.base_bio = (self.lca.biosphere_matrix - self._bio(fg.bio_values)).tocsr()
        self.demand_index = rows[fg.demand_id]
        self.process_cols = np.array([cols[i + 1] for i in range(fg.process_count)],
                                     dtype=np.int64)

    def _tech(self, values: np.ndarray) -> csr_matrix[np.float64]:
        shape = self.lca.technosphere_matrix.shape
        return self._sparse.coo_matrix((values * self.flip, (self.t_rows, self.t_cols)),
                                       shape=shape).tocsr()

    def _bio(self, values: np.ndarray) -> csr_matrix[np.float64]:
        shape = self.lca.biosphere_matrix.shape
        return self._sparse.coo_matrix((values, (self.b_rows, self.b_cols)),
                                       shape=shape).tocsr()

    def solve(self, fg: Foreground) -> tuple[np.ndarray, float]:
        """Scaling of each foreground process per declared unit, and bw2calc's score."""
        import numpy as np

        with self._lock, warnings.catch_warnings():
            warnings.simplefilter("error")
            lca = self.lca
            lca.technosphere_matrix = self.base_tech + self._tech(fg.tech_values)
            lca.biosphere_matrix = self.base_bio + self._bio(fg.bio_values)
            lca.demand_array = np.zeros(lca.technosphere_matrix.shape[0])
            lca.demand_array[self.demand_index] = fg.demand_amount
            try:
                lca.lci_calculation()
            except (RuntimeError, Warning) as exc:
                raise SingularSystemError(_singular_message(exc)) from None
            lca.lcia_calculation()
            return lca.supply_array[self.process_cols].copy(), float(lca.score)


_SOLVERS: dict[tuple[str, str, str, str], _Solver] = {}
_SOLVERS_LOCK = threading.Lock()
MAX_SOLVERS = 64


def _solver(background: Background, gwp_set: str, key: str, fg: Foreground) -> _Solver:
    cache_key = (background.release_sha256, str(background.directory), gwp_set, key)
    with _SOLVERS_LOCK:
        solver = _SOLVERS.get(cache_key)
    if solver is None:
        solver = _Solver(background, gwp_set, fg)
        with _SOLVERS_LOCK:
            if len(_SOLVERS) >= MAX_SOLVERS:
                _SOLVERS.pop(next(iter(_SOLVERS)))
            _SOLVERS[cache_key] = solver
    return solver


def _singular_message(exc: BaseException) -> str:
    return fill(SINGULAR, detail=str(exc))


def _check_supply(compiled: CompiledModel, supply: np.ndarray) -> None:
    import numpy as np

    if not np.all(np.isfinite(supply)):
        raise SingularSystemError(_singular_message(ValueError("non-finite activity")))
    negative = [p for p, s in zip(compiled.model.processes, supply, strict=True) if s < -1e-12]
    if negative:
        names = ", ".join(f"'{p.id}'" for p in negative)
        raise SingularSystemError(fill(NEGATIVE_ACTIVITY, names=names))


def inputs_sha256(compiled: CompiledModel, release: FactorRelease,
                  user_sets: Mapping[str, FactorTable], gwp_set: str) -> str:
    """SHA-256 of the canonical JSON of {factor_release, method, model, user_factor_sets}.

    Canonical JSON (RFC 8785) serialises a member independently of where it sits, with keys
    in sorted order, so the document is assembled from parts: the model's part is kept on the
    model (`InventoryModel.canonical_json`), and recomputing a stored version hashes only
    the few small parts. The digest is the one `sha256_hex` of the whole document gives."""
    parts = (
        (b"factor_release", canonical_json({"version": release.version,
                                            "sha256": release.sha256})),
        (b"method", canonical_json(method_id(gwp_set))),
        (b"model", compiled.model.canonical_json),
        (b"user_factor_sets", canonical_json({n: user_sets[n].sha256
                                              for n in compiled.model.factor_sets})),
    )
    document = b"{" + b",".join(b'"' + k + b'":' + v for k, v in parts) + b"}"
    return hashlib.sha256(document).hexdigest()


def engine_versions(background: Background) -> dict[str, str]:
    return {"lca_models": lca_models.__version__, **background.brightway_versions,
            **_numeric_versions()}


@lru_cache(maxsize=1)
def _numeric_versions() -> dict[str, str]:
    return {p: importlib.metadata.version(p) for p in ("numpy", "scipy")}

