"""The result page's contribution view and Monte Carlo histogram (SQLite and PostgreSQL),
checked against the stored result."""

from __future__ import annotations

import re

import pytest

from app.web.charts import histogram
from tests.app.flows import calculate, create_product, steel_model, upload
from tests.app.web.test_pages import sign_in


def test_histogram_columns_are_proportional_to_the_counts():
    svg = histogram([[0.0, 1.0, 2], [1.0, 2.0, 4], [2.0, 3.0, 1]], 0.5, 2.5, title="t",
                    height=60)
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights == pytest.approx([25.0, 50.0, 12.5])  # plot height 50 mm for the top bin
    assert svg.count("<line ") == 2  # the 95 % interval
    assert "<script" not in svg


def test_result_page_shows_top_inputs_and_the_histogram(app, world):
    owner = world["exporter_a"]
    version = upload(owner, create_product(owner)["id"], steel_model())
    calc = calculate(owner, version["id"], monte_carlo=40, seed=3)
    result = owner.get(f"/api/v1/calculations/{calc['id']}").json["result"]
    bins = result["monte_carlo"]["histogram"]
    assert sum(b[2] for b in bins) == 40 - result["monte_carlo"]["rejected"]
    page = sign_in(app, "exporter_a").get(f"/app/calculations/{calc['id']}").text
    assert 'aria-label="Monte Carlo results"' in page
    assert page.count("<rect fill=\"#1f6b4f\" x=") >= len([b for b in bins if b[2]])
    biggest = max(result["by_input"], key=lambda i: abs(i["kg_co2e"]))
    share = biggest["kg_co2e"] / result["kg_co2e_per_declared_unit"] * 100
    section = page.split('id="top-inputs"', 1)[1].split("</section>", 1)[0]
    first_row = section.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert biggest["reference"] in first_row and f"{share:.1f} %" in first_row


def test_result_without_monte_carlo_has_no_histogram(app, world):
    owner = world["exporter_a"]
    version = upload(owner, create_product(owner)["id"], steel_model())
    calc = calculate(owner, version["id"])
    page = sign_in(app, "exporter_a", "zh-Hant").get(f"/app/calculations/{calc['id']}").text
    assert "Monte Carlo results" not in page and 'id="top-inputs"' in page
