"""Plain-text rendering of a footprint result for the terminal."""

from __future__ import annotations

from lca_models.results import FootprintResult


def format_result(result: FootprintResult, top: int = 8) -> str:
    total = result.kg_co2e_per_declared_unit
    du = result.declared_unit
    lines = [
        f"{result.product}",
        f"  {total:,.4f} kg CO2e per {du.amount:g} {du.unit}  ({result.method}, "
        f"{result.boundary})",
        f"  factor release {result.factor_release['version']} "
        f"sha256 {result.factor_release['sha256'][:16]}...  inputs sha256 "
        f"{result.inputs_sha256[:16]}...",
        "",
        "  by stage",
    ]
    lines += [f"    {stage:<16} {value:>14,.4f}  {_share(value, total)}"
              for stage, value in result.by_stage.items()]
    lines += ["", "  ISO 14067 split"]
    lines += [f"    {key:<20} {value:>14,.4f}" for key, value in result.iso14067.items()]
    lines += ["", f"  top {top} contributors"]
    for c in result.top_contributors(top):
        lines.append(f"    {c.kg_co2e:>14,.4f}  {_share(c.kg_co2e, total)}  {c.process}: "
                     f"{c.reference} ({c.amount:g} {c.unit})")
    dq = result.data_quality
    lines += ["", f"  primary data share {result.primary_data_share:.1%}; data quality rating "
                  + (f"{dq['dqr']:.2f} (1 best .. 5 worst) over {dq['rated_share']:.0%} of "
                     "emissions" if dq["dqr"] is not None else "not rated")]
    if result.monte_carlo:
        mc = result.monte_carlo
        lines.append(f"  Monte Carlo ({mc.iterations} runs, seed {mc.seed}): mean {mc.mean:,.4f}"
                     f", sd {mc.std:,.4f}, 95% interval {mc.p2_5:,.4f} .. {mc.p97_5:,.4f}")
    if result.warnings:
        lines += ["", "  warnings"] + [f"    - {w}" for w in result.warnings]
    return "\n".join(lines)


def _share(value: float, total: float) -> str:
    return f"{value / total:6.1%}" if total else "     -"
