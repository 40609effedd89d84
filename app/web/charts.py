"""Charts for the pages, drawn on the server as SVG (no script): the breakdowns use the same
code as the PDF report's charts; the Monte Carlo histogram and the top contributions are
drawn here."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.services.bar_chart import bar_chart
from app.web.vocabulary import gas, term

#: how many inputs the contribution view lists
TOP_INPUTS = 10


def for_result(result: dict[str, Any]) -> dict[str, Markup]:
    charts = {
        "stage": Markup(bar_chart([(term("stage", k), v) for k, v in result["by_stage"].items()],
                                  title=_("By life-cycle stage"))),
        "process": Markup(bar_chart([(p["name"], p["kg_co2e"]) for p in result["by_process"]],
                                    title=_("By process"))),
        "gas": Markup(bar_chart([(gas(k), v) for k, v in result["by_gas"].items()],
                                title=_("By gas"))),
        "inputs": Markup(bar_chart([(f"{i['process']} · {i['reference']}", i["kg_co2e"])
                                    for i in top_inputs(result)], title=_("Top inputs"))),
    }
    mc = result.get("monte_carlo") or {}
    if mc.get("histogram"):
        charts["histogram"] = Markup(histogram(mc["histogram"], mc["p2_5"], mc["p97_5"],
                                               title=_("Monte Carlo results")))
    return charts


def top_inputs(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The inputs that contribute most (by size, removals included), with their share of the
    total, largest first."""
    total = result["kg_co2e_per_declared_unit"]
    rows = sorted(result["by_input"], key=lambda i: -abs(i["kg_co2e"]))[:TOP_INPUTS]
    return [{**i, "share": (i["kg_co2e"] / total if total else None)} for i in rows]


def histogram(bins: list[list[float]], low: float, high: float, *, title: str,
              width: int = 170, height: int = 60) -> str:
    """Columns for the bins of draws, the 95 % interval marked; mm units like bar_chart."""
    top = max(int(b[2]) for b in bins) or 1
    start, end = bins[0][0], bins[-1][1]
    span = (end - start) or 1.0
    plot_h, left, plot_w = height - 10, 5, width - 10

    def x(value: float) -> float:
        return left + plot_w * (value - start) / span

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'aria-label="{escape(title)}" width="{width}mm" height="{height}mm" '
             f'viewBox="0 0 {width} {height}">']
    for lower, upper, count in bins:
        h = plot_h * int(count) / top
        parts.append(f'<rect fill="#1f6b4f" x="{x(lower):.2f}" y="{plot_h - h + 1:.2f}" '
                     f'width="{max(x(upper) - x(lower) - 0.3, 0.1):.2f}" height="{h:.2f}">'
                     f'<title>{lower:.4g} – {upper:.4g}: {int(count)}</title></rect>')
    for value in (low, high):
        parts.append(f'<line x1="{x(value):.2f}" x2="{x(value):.2f}" y1="0" y2="{plot_h + 1}" '
                     'stroke="#b3261e" stroke-width="0.4" stroke-dasharray="1.5 1"/>')
    for value, anchor in ((start, "start"), (low, "middle"), (high, "middle"),
                          (end, "end")):
        parts.append(f'<text class="bar-label" x="{x(value):.2f}" y="{height - 3}" '
                     f'text-anchor="{anchor}" font-size="3">{value:,.4g}</text>')
    parts.append("</svg>")
    return "".join(parts)
