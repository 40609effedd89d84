"""Breakdown charts for the pages, drawn by the same code as the PDF report's charts."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from app.services.documents import bar_chart
from app.web.i18n import t


def for_result(result: dict[str, Any]) -> dict[str, Markup]:
    return {
        "stage": Markup(bar_chart(list(result["by_stage"].items()),
                                  title=t("按阶段", "By life-cycle stage"))),
        "process": Markup(bar_chart([(p["name"], p["kg_co2e"]) for p in result["by_process"]],
                                    title=t("按过程", "By process"))),
        "gas": Markup(bar_chart(list(result["by_gas"].items()), title=t("按气体", "By gas"))),
    }
