"""Breakdown charts for the pages, drawn by the same code as the PDF report's charts."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from app.services.documents import bar_chart


def for_result(result: dict[str, Any]) -> dict[str, Markup]:
    return {
        "stage": Markup(bar_chart(list(result["by_stage"].items()),
                                  title=_("By life-cycle stage"))),
        "process": Markup(bar_chart([(p["name"], p["kg_co2e"]) for p in result["by_process"]],
                                    title=_("By process"))),
        "gas": Markup(bar_chart(list(result["by_gas"].items()), title=_("By gas"))),
    }
