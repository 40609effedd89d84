"""Monte Carlo against independent numpy simulations, pedigree sigma by hand, infeasible draws
and ill-conditioned loops.

Each Monte Carlo statistic is compared with the same statistic of a numpy simulation of the
stated distribution: the tolerance is four standard deviations of that statistic over 400
numpy runs of the same size, so the comparison is "within sampling error" of the seed used.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import norm

from lca_models.conditioning import DENSE_LIMIT, ILL_CONDITIONED, loop_conditions
from lca_models.errors import SingularSystemError
from lca_models.factor_rows import COLUMNS
from lca_models.factors import import_factor_set, load_release
from lca_models.inventory_schema import load_model
from lca_models.monte_carlo import REJECTED_WARNING_SHARE, summarise_draws
from lca_models.system import compile_model
from lca_models.uncertainty import pedigree_sigma
from tests.lca_models.models import SOUTH_GRID

N = 1000
USER_FACTOR = "acme.part.supplier-2025"
PEDIGREE_55555 = 0.5 * math.sqrt(sum(math.log(u) ** 2 for u in (1.5, 1.2, 1.5, 1.1, 2.0)))
# Shipped row 'electricity.cn.grid-average.co2.2022' (0.5366 kg/kWh, pedigree 21233, no
# stated distribution): U = 1.05, 1.00, 1.03, 1.02, 1.20.
GRID_CN = "electricity.cn.grid-average.co2.2022"
PEDIGREE_21233 = 0.5 * math.sqrt(sum(math.log(u) ** 2 for u in (1.05, 1.0, 1.03, 1.02, 1.2)))


def one_input_model(factor: str, amount: float = 1.0, unit: str = "kg",
                    sets: tuple[str, ...] = ()) -> dict:
    return {
        "product": {"name": "Part"}, "declared_unit": {"amount": 1, "unit": "item"},
        "boundary": "cradle-to-gate", "reference_process": "assembly",
        "factor_sets": list(sets),
        "stages": [{"stage": "production", "processes": [
            {"id": "assembly", "output": {"amount": 1, "unit": "item"},
             "inputs": [{"factor": factor, "amount": amount, "unit": unit}]}]}],
    }


def user_set(tmp_path, release, **uncertainty: str):
    row = dict.fromkeys(COLUMNS, "")
    row.update(id=USER_FACTOR, name="Supplier part", category="material", unit="kg",
               co2_fossil_kg="4.0", geography="CN-GD", reference_year="2025",
               source_publisher="Supplier measurement", **uncertainty)
    path = tmp_path / "acme.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n")
    return import_factor_set(path, "acme", release)


def stats(sample: np.ndarray) -> np.ndarray:
    p2_5, p50, p97_5 = np.percentile(sample, [2.5, 50, 97.5], axis=-1)
    return np.array([sample.mean(axis=-1), sample.std(axis=-1, ddof=1), p2_5, p50, p97_5])


def assert_matches_simulation(mc, draw: Callable[[np.random.Generator, tuple], np.ndarray]):
    """Our statistics within 4 sampling standard deviations of a numpy simulation."""
    rng = np.random.default_rng(20261204)
    runs = stats(draw(rng, (400, mc.iterations - mc.rejected)))
    expected, spread = runs.mean(axis=1), runs.std(axis=1)
    ours = np.array([mc.mean, mc.std, mc.p2_5, mc.p50, mc.p97_5])
    assert np.all(np.abs(ours - expected) <= 4 * spread), (ours, expected, spread)


def test_user_lognormal_row_is_sampled(compute, release, tmp_path):
    table = user_set(tmp_path, release, uncertainty_type="lognormal", uncertainty_sigma="0.3")
    result = compute(one_input_model(USER_FACTOR, sets=("acme",)), user_sets={"acme": table},
                     monte_carlo=N, seed=11)
    mc = result.monte_carlo
    assert result.kg_co2e_per_declared_unit == pytest.approx(4.0, rel=1e-15)
    # Lognormal(ln 4, 0.3) by hand: std = 4 e^{s^2/2} sqrt(e^{s^2} - 1) = 1.2840,
    # p2.5 = 4 e^{-1.96 * 0.3} = 2.2218, p97.5 = 4 e^{1.96 * 0.3} = 7.2015.
    assert 4 * math.exp(0.045) * math.sqrt(math.exp(0.09) - 1) == pytest.approx(1.2840, abs=1e-4)
    assert 4 * math.exp(norm.ppf(0.975) * 0.3) == pytest.approx(7.2015, abs=1e-4)
    assert mc.std == pytest.approx(1.2840, rel=0.1)
    assert mc.p2_5 == pytest.approx(2.2218, rel=0.05)
    assert mc.p97_5 == pytest.approx(7.2015, rel=0.1)
    assert mc.rejected == 0
    assert_matches_simulation(mc, lambda rng, size: 4.0 * np.exp(0.3 * rng.standard_normal(size)))


@pytest.mark.parametrize(("columns", "draw"), [
    ({"uncertainty_type": "triangular", "uncertainty_min": "0.5", "uncertainty_max": "2"},
     lambda rng, size: rng.triangular(2.0, 4.0, 8.0, size)),
    ({"uncertainty_type": "uniform", "uncertainty_min": "0.8", "uncertainty_max": "1.25"},
     lambda rng, size: rng.uniform(3.2, 5.0, size)),
    ({"uncertainty_type": "normal", "uncertainty_sigma": "0.1"},
     lambda rng, size: rng.normal(4.0, 0.4, size)),
    ({"dqr_pedigree": "55555"},
     lambda rng, size: 4.0 * np.exp(PEDIGREE_55555 * rng.standard_normal(size))),
], ids=["triangular", "uniform", "normal", "pedigree-only"])
def test_every_stated_distribution_of_a_user_row_is_sampled(compute, release, tmp_path,
                                                            columns, draw):
    table = user_set(tmp_path, release, **columns)
    mc = compute(one_input_model(USER_FACTOR, sets=("acme",)), user_sets={"acme": table},
                 monte_carlo=N, seed=5).monte_carlo
    assert mc.std > 0.1
    assert_matches_simulation(mc, draw)


def test_pedigree_sigma_is_half_the_root_of_summed_squares():
    # ecoinvent convention: the U_i are GSD^2 factors, sigma(ln) = 1/2 sqrt(sum ln^2 U_i).
    assert pedigree_sigma("55555") == pytest.approx(PEDIGREE_55555, rel=1e-15)
    assert pedigree_sigma("55555") == pytest.approx(0.4614, abs=1e-4)
    assert pedigree_sigma("21233") == pytest.approx(PEDIGREE_21233, rel=1e-15)
    assert pedigree_sigma("11111") == 0.0


def test_shipped_pedigree_only_row_is_sampled_with_the_halved_sigma(compute):
    mc = compute(one_input_model(GRID_CN, 1.0, "kWh"), monte_carlo=N, seed=3).monte_carlo
    assert_matches_simulation(
        mc, lambda rng, size: 0.5366 * np.exp(PEDIGREE_21233 * rng.standard_normal(size)))


def loop_model(sigma: float, amount_b: float = 0.9, amount_a: float = 1.0) -> dict:
    """a needs `amount_b` kg of b (lognormal sigma), b needs `amount_a` kg of a."""
    b_input = {"process": "b", "amount": amount_b, "unit": "kg"}
    if sigma:
        b_input["uncertainty_sigma"] = sigma
    return {
        "product": {"name": "Loop"}, "declared_unit": {"amount": 1, "unit": "kg"},
        "boundary": "cradle-to-gate", "reference_process": "a",
        "stages": [{"stage": "production", "processes": [
            {"id": "a", "output": {"amount": 1, "unit": "kg"},
             "inputs": [{"factor": SOUTH_GRID, "amount": 1, "unit": "kWh"}, b_input]},
            {"id": "b", "output": {"amount": 1, "unit": "kg"},
             "inputs": [{"process": "a", "amount": amount_a, "unit": "kg"}]}]}],
    }


def test_infeasible_draws_are_counted_and_left_out(compute):
    result = compute(loop_model(0.3), monte_carlo=N, seed=2)
    # x_a = 1 / (1 - 0.9 X), X ~ LN(0, 0.3): infeasible when 0.9 X >= 1.
    assert result.kg_co2e_per_declared_unit == pytest.approx(10 * 0.3869, rel=1e-12)
    mc = result.monte_carlo
    p_reject = 1 - norm.cdf(math.log(1 / 0.9) / 0.3)
    assert p_reject == pytest.approx(0.3627, abs=1e-4)
    assert abs(mc.rejected / N - p_reject) <= 4 * math.sqrt(p_reject * (1 - p_reject) / N)
    assert mc.p2_5 > 0.3869 * 0.5  # every kept draw has positive activity
    assert any(f"{mc.rejected} of {N} Monte Carlo draws" in w for w in result.warnings)


def test_run_with_mostly_infeasible_draws_is_refused():
    # A lognormal amount keeps its median, so one loop rejects < 50 %; the rule itself:
    kept = summarise_draws(np.arange(50.0), 100, seed=0)
    assert kept.rejected == 50 and kept.mean == pytest.approx(24.5)
    with pytest.raises(SingularSystemError, match="51 of 100 Monte Carlo draws"):
        summarise_draws(np.arange(49.0), 100, seed=0)


def test_feasible_run_reports_no_rejection(compute):
    result = compute(loop_model(0.01, amount_b=0.5), monte_carlo=200, seed=2)
    assert result.monte_carlo.rejected == 0
    assert REJECTED_WARNING_SHARE > 0
    assert not any("Monte Carlo" in w for w in result.warnings)


def test_nearly_singular_loop_is_warned_about(compute):
    result = compute(loop_model(0.0, amount_b=1.0, amount_a=1 - 1e-13))
    # x_a = 1 / (1 - (1 - 1e-13)); float64 gives 1 - (1 - 1e-13) = 9.992e-14. The solver
    # loses about kappa * eps = 4e13 * 1.1e-16 = 0.4 % here, which is why it is warned about.
    assert result.kg_co2e_per_declared_unit == pytest.approx(0.3869 / 9.992007221626409e-14,
                                                             rel=1e-2)
    loop = [w for w in result.warnings if "nearly singular" in w]
    assert len(loop) == 1 and "'a', 'b'" in loop[0]
    # kappa = max(||N||, ||I - N||) ||(I - N)^-1|| = 2 * 2 / 1e-13 = 4e13 in the 1-norm.
    assert "4.0e+13" in loop[0] and f"{ILL_CONDITIONED:.0e}" in loop[0]


def test_self_using_process_near_singularity_is_warned_about(compute):
    data = one_input_model(SOUTH_GRID, 1.0, "kWh")
    data["stages"][0]["processes"][0]["inputs"].append(
        {"process": "assembly", "amount": 1 - 1e-9, "unit": "item"})
    result = compute(data)
    # kappa = a / (1 - a) = 1e9 for a single process using its own output.
    assert any("'assembly'" in w and "1.0e+09" in w for w in result.warnings)


def test_benign_loop_is_not_warned_about(compute):
    result = compute(loop_model(0.0, amount_b=0.5))
    assert not any("nearly singular" in w for w in result.warnings)


def test_long_nearly_singular_loop_is_estimated_sparsely_and_warned_about(compute):
    # 30 processes in a ring (above DENSE_LIMIT): each needs 1 kg of the next, the last
    # needs 1 - 1e-10 kg of the first. Every entry of (I - N)^-1 is about 1e10, so a column
    # sums to about 30 * 1e10 and kappa = 2 * 3e11 = 6e11.
    n = 30
    assert n > DENSE_LIMIT
    processes = [{"id": f"r{i}", "output": {"amount": 1, "unit": "kg"},
                  "inputs": [{"process": f"r{(i + 1) % n}", "amount": 1.0 if i < n - 1
                              else 1 - 1e-10, "unit": "kg"}]} for i in range(n)]
    processes[0]["inputs"].append({"factor": SOUTH_GRID, "amount": 1, "unit": "kWh"})
    data = {"product": {"name": "Ring"}, "declared_unit": {"amount": 1, "unit": "kg"},
            "boundary": "cradle-to-gate", "reference_process": "r0",
            "stages": [{"stage": "production", "processes": processes}]}
    members, kappa = next(iter(loop_conditions(compile_model(load_model(data), load_release()))))
    assert members == tuple(f"r{i}" for i in range(n))
    assert kappa == pytest.approx(6e11, rel=0.01)
    warning = next(w for w in compute(data).warnings if "nearly singular" in w)
    assert "'r0'" in warning and "'r29'" in warning


def test_draws_are_kept_as_a_histogram_for_the_chart():
    kept = summarise_draws(np.arange(50.0), 50, seed=0)
    assert len(kept.histogram) == 20
    assert sum(c for _, _, c in kept.histogram) == 50
    assert kept.histogram[0][0] == 0.0 and kept.histogram[-1][1] == 49.0
    width = 49.0 / 20  # 2.45: the first bin holds 0, 1 and 2; the last 47, 48 and 49
    assert kept.histogram[0] == (0.0, pytest.approx(width), 3)
    assert kept.histogram[-1][2] == 3
