"""The Brightway background of a factor release: built once, then only read.

Each release becomes a Brightway project (our own biosphere flows, one activity per factor,
one GWP100 method per GWP set) under an explicit data directory. After the build, a manifest
records the node ids and the processed datapackage files; calculations load those files
directly and never write to Brightway's SQLite, so any number of worker processes can compute
at once. Building is guarded by a file lock, so two workers never build the same release.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from filelock import FileLock

from lca_models.errors import BackgroundError
from lca_models.factor_rows import Factor
from lca_models.factors import FactorRelease
from lca_models.gwp import GWP_SETS, characterisation_factors, flows
from lca_models.uncertainty import exchange_uncertainty

BIOSPHERE_DB = "carbonlabel-biosphere-v1"
#: Bumped whenever what a build writes changes (2: pedigree sigma halved to the ecoinvent
#: convention), so a background built by older code is never reused with other numbers.
BUILD_FORMAT = 2
ENV_DIR = "BRIGHTWAY_DIR"


def default_directory() -> Path:
    """`BRIGHTWAY_DIR` if set, else a per-user folder in the system temp dir (never $HOME)."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"carbonlabel-brightway-{os.getuid()}"


def use_brightway_dir(directory: Path) -> Any:
    """Import bw2data pointed at `directory`; bw2data reads BRIGHTWAY2_DIR at import time and
    would otherwise create its projects in the user's home."""
    directory.mkdir(parents=True, exist_ok=True)
    if "bw2data" not in sys.modules:
        os.environ["BRIGHTWAY2_DIR"] = str(directory.resolve())
        # bw2data prints feedback on stdout, which would corrupt `carbonlabel calc --json`.
        os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
        feedback = logging.getLogger("brightway-stdout-feedback")
        feedback.addFilter(lambda record: record.levelno >= logging.WARNING)
        with contextlib.redirect_stdout(sys.stderr):
            import bw2data
        for handler in feedback.handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(sys.stderr)
    import bw2data

    if Path(bw2data.projects._base_data_dir).resolve() != directory.resolve():
        bw2data.projects.change_base_directories(directory.resolve(), update=False)
    return bw2data


@dataclass(frozen=True)
class Background:
    """Read-only handle on a built release: node ids and datapackage files."""

    release_version: str
    release_sha256: str
    directory: Path
    factor_ids: MappingProxyType[str, int]  # factor id -> Brightway node id
    flow_ids: MappingProxyType[str, int]  # flow code -> Brightway node id
    factors_file: Path
    method_files: MappingProxyType[str, Path]  # gwp set -> processed method file
    brightway_versions: MappingProxyType[str, str]


def open_background(release: FactorRelease, directory: Path | None = None) -> Background:
    """Load the background of `release`, building it first if this directory lacks it."""
    directory = Path(directory or default_directory()).resolve()
    return _open(release.version, release.sha256, directory, release)


@lru_cache(maxsize=16)
def _open_cached(version: str, sha256: str, directory: Path) -> Background | None:
    manifest = _manifest_path(directory, version, sha256)
    if not manifest.exists():
        return None
    return _from_manifest(json.loads(manifest.read_text("utf-8")), directory)


def _open(version: str, sha256: str, directory: Path, release: FactorRelease) -> Background:
    found = _open_cached(version, sha256, directory)
    if found is not None:
        return found
    directory.mkdir(parents=True, exist_ok=True)
    with FileLock(str(directory / f".{_project_name(version, sha256)}.lock"), timeout=600):
        manifest = _manifest_path(directory, version, sha256)
        if not manifest.exists():
            _build(release, directory, manifest)
    _open_cached.cache_clear()
    found = _open_cached(version, sha256, directory)
    if found is None:
        raise BackgroundError(f"building the Brightway background in {directory} failed")
    return found


def _project_name(version: str, sha256: str) -> str:
    return f"carbonlabel-{version}-{sha256[:12]}-b{BUILD_FORMAT}"


def _manifest_path(directory: Path, version: str, sha256: str) -> Path:
    return directory / "carbonlabel-manifests" / f"{_project_name(version, sha256)}.json"


def _from_manifest(data: dict[str, Any], root: Path) -> Background:
    return Background(
        release_version=data["release_version"],
        release_sha256=data["release_sha256"],
        directory=root,
        factor_ids=MappingProxyType(data["factor_ids"]),
        flow_ids=MappingProxyType(data["flow_ids"]),
        factors_file=Path(data["factors_file"]),
        method_files=MappingProxyType({k: Path(v) for k, v in data["method_files"].items()}),
        brightway_versions=MappingProxyType(data["brightway_versions"]),
    )


def _build(release: FactorRelease, directory: Path, manifest: Path) -> None:
    bd = use_brightway_dir(directory)
    name = _project_name(release.version, release.sha256)
    if name in bd.projects:
        bd.projects.delete_project(name, delete_dir=True)  # a crashed earlier build
    bd.projects.set_current(name)
    bio = bd.Database(BIOSPHERE_DB)
    bio.write({(BIOSPHERE_DB, code): {"name": flow.name, "unit": "kilogram", "type": "emission",
                                      "categories": ("air",), "formula": flow.formula}
               for code, flow in flows().items()})
    db_name = f"factors-{release.version}"
    bd.Database(db_name).write({(db_name, f.id): _factor_dataset(db_name, f)
                                for f in release.factors.values()})
    for gwp_set in GWP_SETS:
        method = bd.Method(("carbonlabel", f"IPCC {gwp_set}", "GWP100"))
        method.register(unit="kg CO2-eq", description=f"IPCC {gwp_set} GWP100")
        method.write([((BIOSPHERE_DB, code), cf)
                      for code, cf in characterisation_factors(gwp_set).items()])
    factor_ids = {f.id: bd.get_id((db_name, f.id)) for f in release.factors.values()}
    flow_ids = {code: bd.get_id((BIOSPHERE_DB, code)) for code in flows()}
    global_index = _global_index(bd, method)
    packages = bd.projects.dir / "carbonlabel-float64"
    packages.mkdir(exist_ok=True)
    method_files = {
        gwp_set: str(_write_method_package(packages / f"method-{gwp_set}.zip", flow_ids,
                                           characterisation_factors(gwp_set), global_index))
        for gwp_set in GWP_SETS}
    data = {
        "release_version": release.version,
        "release_sha256": release.sha256,
        "factor_ids": factor_ids,
        "flow_ids": flow_ids,
        "factors_file": str(_write_factor_package(packages / "factors.zip", release,
                                                  factor_ids, flow_ids)),
        "method_files": method_files,
        "brightway_versions": {p: importlib.metadata.version(p)
                               for p in ("bw2data", "bw2calc", "bw_processing")},
    }
    manifest.parent.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
    tmp.replace(manifest)


def _global_index(bd: Any, method: Any) -> int:
    """The geocollection id bw2data uses for site-generic characterisation factors."""
    package = method.datapackage()
    name = next(r["name"] for r in package.resources if r["kind"] == "indices")
    return int(package.get_resource(name)[0]["col"][0])


def _write_factor_package(path: Path, release: FactorRelease, factor_ids: dict[str, int],
                          flow_ids: dict[str, int]) -> Path:
    """Factor activities as float64 vectors.

    bw2data stores processed amounts as float32 (about 7 significant digits), which would make
    0.5366 kg/kWh into 0.53659999; the calculation reads these float64 packages instead, while
    the bw2data project stays available for inspection with Brightway's own tools.
    """
    import bw_processing as bwp
    import numpy as np
    from fsspec.implementations.zip import ZipFileSystem

    factors = sorted(release.factors.values(), key=lambda f: f.id)
    dp = bwp.create_datapackage(fs=ZipFileSystem(str(path), mode="w"), name="factors",
                                sum_intra_duplicates=True)
    ids = np.array([factor_ids[f.id] for f in factors], dtype=np.int64)
    dp.add_persistent_vector(
        matrix="technosphere_matrix", name="factor-production",
        indices_array=np.array(list(zip(ids, ids, strict=True)), dtype=bwp.INDICES_DTYPE),
        data_array=np.ones(len(ids)))
    entries = [(flow_ids[g], factor_ids[f.id], amount, f) for f in factors
               for g, amount in sorted(f.gases.items())]
    distributions = np.zeros(len(entries), dtype=bwp.UNCERTAINTY_DTYPE)
    for i, (_, _, amount, factor) in enumerate(entries):
        fields = {"scale": np.nan, "shape": np.nan, "minimum": np.nan, "maximum": np.nan,
                  **exchange_uncertainty(amount, factor.uncertainty, factor.dqr_pedigree)}
        distributions[i] = tuple(fields.get(k, False) for k in distributions.dtype.names)
    dp.add_persistent_vector(
        matrix="biosphere_matrix", name="factor-emissions",
        indices_array=np.array([(r, c) for r, c, _, _ in entries], dtype=bwp.INDICES_DTYPE),
        data_array=np.array([a for _, _, a, _ in entries], dtype=np.float64),
        distributions_array=distributions)
    dp.finalize_serialization()
    return path


def _write_method_package(path: Path, flow_ids: dict[str, int], factors: dict[str, float],
                          global_index: int) -> Path:
    import bw_processing as bwp
    import numpy as np
    from fsspec.implementations.zip import ZipFileSystem

    codes = sorted(factors)
    dp = bwp.create_datapackage(fs=ZipFileSystem(str(path), mode="w"), name=path.stem)
    dp.add_persistent_vector(
        matrix="characterization_matrix", name="gwp100", global_index=global_index,
        indices_array=np.array([(flow_ids[c], global_index) for c in codes],
                               dtype=bwp.INDICES_DTYPE),
        data_array=np.array([factors[c] for c in codes], dtype=np.float64))
    dp.finalize_serialization()
    return path


def _factor_dataset(db_name: str, factor: Factor) -> dict[str, Any]:
    exchanges = [{"input": (db_name, factor.id), "amount": 1.0, "type": "production"}]
    for code, amount in factor.gases.items():
        exchanges.append({"input": (BIOSPHERE_DB, code), "amount": amount, "type": "biosphere",
                          **_bw_uncertainty(amount, factor)})
    # No "location": our geographies (e.g. a list of provinces for a regional grid) are not
    # Brightway geocollections, and the factor's geography stays in the release.
    return {"name": factor.name, "unit": factor.unit, "type": "process",
            "exchanges": exchanges}


def _bw_uncertainty(amount: float, factor: Factor) -> dict[str, float]:
    fields = exchange_uncertainty(amount, factor.uncertainty, factor.dqr_pedigree)
    return {"uncertainty type": fields.pop("uncertainty_type"), **fields}
