"""Documents as their readers get them: each label size rendered at 150 dpi with a QR code
that decodes to the verification page, no text outside the page, the value rounded as the
pages round it and the home scheme by name."""

from __future__ import annotations

import pytest

from app.numbers import kg_co2e
from tests.app.api.document_checks import outside_page, png_pages, qr_texts, words
from tests.app.api.test_labels import issue


def test_kg_co2e_is_written_as_the_pages_write_it():
    assert kg_co2e(49.75) == "49.75"  # not 49.8
    assert kg_co2e(0.123456) == "0.1235"
    assert kg_co2e(1234.5) == "1234" or kg_co2e(1234.5) == "1235"
    assert kg_co2e(836781.19) == "836,781"  # never 8.368e+05


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_each_label_size_prints_a_decodable_qr_and_fits_its_page(world, client, size,
                                                                 tmp_path):
    label, credential = issue(world)
    pdf = client.get(f"/api/v1/labels/{label['id']}/artwork.pdf?size={size}")
    assert pdf.status_code == 200
    pngs = png_pages(pdf.data, tmp_path, dpi=150)
    assert len(pngs) == 1
    assert qr_texts(pngs[0]) == [f"https://labels.test/verify/{label['id']}"]
    assert outside_page(pdf.data, tmp_path) == []
    found = words(pdf.data, tmp_path)
    page_w, page_h = found[0][3], found[0][4]
    mm = 72 / 25.4
    expected = {"small": (30, 40), "medium": (60, 80), "large": (90, 120)}[size]
    assert (round(page_w / mm), round(page_h / mm)) == expected
    text = " ".join(w[5] for w in found)
    value = credential["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"]
    assert kg_co2e(value) in text and label["id"] in text
    smallest = min(w[4] - w[2] for w in found[1:])  # word box height ~ font size, points
    assert smallest >= 6 * 0.95, f"type below 6 pt on the {size} label: {smallest:.2f} pt"
    if size != "small":
        assert "GBA Carbon Label" in text and "gba-home" not in text


def test_calculation_report_is_titled_with_the_certified_product_and_fits(world, tmp_path):
    from tests.app.flows import act, calculate, create_product, draft_request, steel_model, upload

    exporter = world["exporter_a"]
    product = create_product(exporter, name="Rebar HRB400E for export", name_zh="出口钢筋")
    calc = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])
    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    act(exporter, req["id"], "submit", etag)
    pdf = world["certifier_c"].get(f"/api/v1/label-requests/{req['id']}/report.pdf")
    assert pdf.status_code == 200
    found = words(pdf.data, tmp_path)
    first_page = [w for w in found if w[0] == 1 and w[5]]
    title_line = " ".join(w[5] for w in first_page[:40])
    assert "出口钢筋 Rebar HRB400E for export" in title_line
    assert "scrap-EAF route (illustrative)" in " ".join(w[5] for w in first_page)  # model's
    assert outside_page(pdf.data, tmp_path) == []


def test_report_wraps_long_sources_and_names_and_groups_repeated_warnings(world, app,
                                                                         tmp_path):
    """A result with a 300-character source, a process name far wider than the chart's label
    column and one warning ten times: every word stays on the page, the warning is one line
    with its count."""
    from types import SimpleNamespace

    from app.persistence import Calculation
    from app.services.documents import calculation_report_pdf, grouped
    from tests.app.flows import calculate, create_product, steel_model, upload

    exporter = world["exporter_a"]
    product = create_product(exporter)
    calc_id = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])["id"]
    with app.app_context():
        from app.extensions import db

        stored = db.session.get(Calculation, calc_id)
        result = dict(stored.result)
        release = (stored.factor_release_version, stored.factor_release_sha256,
                   stored.inputs_sha256)
    long_source = "Ministry of Ecology and Environment " * 8 + "ThisIsAnUnbrokenIdentifier" * 4
    result["by_input"] = [dict(i, source=long_source) for i in result["by_input"]]
    long_name = "Electric arc furnace melt shop with ladle furnace, billet caster and " \
                "off-gas treatment at the Pearl River Delta plant"
    result["by_process"] = [dict(result["by_process"][0], name=long_name),
                            *result["by_process"][1:]]
    result["warnings"] = ["factor X is older than five years"] * 10 + ["another note"]
    calc = SimpleNamespace(result=result, factor_release_version=release[0],
                           factor_release_sha256=release[1], inputs_sha256=release[2])
    pdf = calculation_report_pdf(calc, None)
    assert outside_page(pdf, tmp_path) == []
    assert png_pages(pdf, tmp_path, dpi=60)  # kept to look at with CARBONLABEL_DOC_PNG_DIR
    text = " ".join(w[5] for w in words(pdf, tmp_path))
    assert text.count("older than five years") == 1 and "(×10)" in text
    assert "Electric arc furnace melt shop" in text
    assert "ThisIsAnUnbrokenIdentifier" in text.replace(" ", "") or "ThisIsAn" in text
    assert grouped(["a", "b", "a", "a"]) == ["a (×3)", "b"]


def test_report_prints_its_chinese_in_the_readers_script(world, app, tmp_path):
    """The calculation report, like the certificate, is English beside 简体 or 繁體: its
    headings, table heads and sentences come from the chosen catalogue, numbers unchanged."""
    from app.persistence import Calculation
    from app.services.documents import calculation_report_pdf
    from tests.app.flows import calculate, create_product, steel_model, upload

    exporter = world["exporter_a"]
    product = create_product(exporter)
    calc_id = calculate(exporter, upload(exporter, product["id"], steel_model())["id"])["id"]
    with app.app_context():
        from app.extensions import db

        stored = db.session.get(Calculation, calc_id)
        hans = " ".join(w[5] for w in words(calculation_report_pdf(stored, []), tmp_path))
        hant = " ".join(w[5] for w in words(calculation_report_pdf(stored, [], script="Hant"),
                                            tmp_path))
        share = f"{stored.result['primary_data_share']:.1%}"
    assert "碳足迹计算报告" in hans and "碳足跡計算報告" in hant
    assert "输入与排放因子" in hans and "輸入與排放因子" in hant
    assert "模型无变化。" in hans and "模型沒有變化。" in hant
    assert f"初级数据占比 {share}" in hans and f"原始數據佔比 {share}" in hant
    for english in ("Carbon footprint calculation report", "Inputs and emission factors",
                    f"Primary data share {share}"):
        assert english in hans and english in hant
    assert outside_page(calculation_report_pdf(stored, None, script="Hant"), tmp_path) == []
