"""Cost against model size, by hand: `python -m benchmarks.bench_scaling [--sizes ...]`.

For synthetic models of 10, 100, 1,000 and 5,000 processes (benchmarks/synthetic.py: six
exchanges per process and one loop through all of them), times ours end to end (compile,
solve, breakdown, loop conditioning, hashing; validation excluded, a fresh validated model
each run) and bare bw2calc `LCA(...).lci(); .lcia()` on the same datapackages in the same
run, and fits cost = a * n^k to each by least squares on log-log.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def measure(release, bw_dir: Path, n: int, repeat: int) -> tuple[float, float]:
    from benchmarks.synthetic import synthetic_model
    from lca_models.background import open_background
    from lca_models.calculation import (
        _background_packages,
        _datapackage,
        _import_bw2calc,
        build_foreground,
        compute_footprint,
    )
    from lca_models.inventory_schema import load_model
    from lca_models.system import compile_model

    raw = synthetic_model(n)
    models = [load_model(raw) for _ in range(repeat + 1)]
    ours = compute_footprint(models[0], release, brightway_dir=bw_dir)  # builds the solver
    background = open_background(release, bw_dir)
    fg = build_foreground(compile_model(models[0], release), background)
    packages = [*_background_packages(background, "AR6"), _datapackage(fg, False)]
    bw2calc = _import_bw2calc(bw_dir)

    def bare() -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lca = bw2calc.LCA({fg.demand_id: fg.demand_amount}, data_objs=packages)
            lca.lci()
            lca.lcia()
        return lca.score

    assert abs(bare() - ours.kg_co2e_per_declared_unit) <= 1e-9 * abs(bare())
    ours_t, bare_t = [], []
    for model in models[1:]:
        start = time.perf_counter()
        compute_footprint(model, release, brightway_dir=bw_dir)
        ours_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        bare()
        bare_t.append(time.perf_counter() - start)
    return statistics.median(ours_t), statistics.median(bare_t)


def exponent(sizes: list[int], times: list[float]) -> float:
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    bw_dir = Path(tempfile.mkdtemp(prefix="carbonlabel-bench-bw-"))
    os.environ["BRIGHTWAY_DIR"] = str(bw_dir)
    from lca_models.factors import load_release

    release = load_release()
    rows = [(n, *measure(release, bw_dir, n, args.repeat)) for n in args.sizes]
    print("| processes | ours (median) | bare bw2calc (median) | ratio |")
    print("|---|---|---|---|")
    for n, ours, bare in rows:
        print(f"| {n:,} | {ours * 1e3:.1f} ms | {bare * 1e3:.1f} ms | {ours / bare:.2f} |")
    sizes = [r[0] for r in rows]
    print(f"\nFitted exponent k (cost ~ n^k): ours {exponent(sizes, [r[1] for r in rows]):.2f}, "
          f"bare {exponent(sizes, [r[2] for r in rows]):.2f}")


if __name__ == "__main__":
    main()
