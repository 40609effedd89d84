"""How a footprint value is written wherever people read it: pages, label artwork,
certificate and report. One function, so a pack never says 49.8 where the page says 49.75."""

from __future__ import annotations


def kg_co2e(value: float) -> str:
    """Four significant figures (49.75, 0.1234), whole numbers with thousands separators from
    10,000 up (836,781) so a large value never turns into exponent notation."""
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"
