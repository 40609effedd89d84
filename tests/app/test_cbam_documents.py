"""The CBAM communication as PDF: text read back with pdftotext, fonts with pdffonts, and
numbers worked out by hand here (factor rows as in tests/lca_models/test_cbam.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from app.cli import main
from app.services.cbam_pdf import cbam_report_pdf
from lca_models.cbam import compute_report, load_report_input
from tests.app.api.test_documents import embedded_cjk, pdf_fonts, pdf_text
from tests.lca_models.test_cbam import EXPECTED_PRODUCT_HEADER, _with_footprint

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cbam"


def test_cli_writes_the_cement_report_as_pdf(tmp_path):
    out = tmp_path / "cement.pdf"
    result = CliRunner().invoke(main, ["cbam", "report", str(EXAMPLES / "cement-jiangmen.yaml"),
                                       "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    compact = "".join(text.split())
    # headings in both languages
    for heading in ("CBAM 隐含排放通报", "CBAM communication to importers", "装置 Installation",
                    "已付碳价 Carbon price paid", "前体 Precursors",
                    "数据质量与来源 Data quality and sources"):
        assert heading in text, heading
    # installation block
    assert "CNJMN" in text and "22.45, 113" in text and "2026-01-01 – 2026-12-31" in text
    assert "91440703MA52EXMP3U" in text
    # clinker by hand: coal 120000 t × 23 GJ/t = 2760 TJ × 94.6 t/TJ = 261096 t; waste fuel
    # 300 TJ × 100 t/TJ × (1 − 0.4) = 18000 t; raw meal 1180000 t × 0.44 = 519200 t;
    # over 1e6 t: 0.798296 -> 0.79830. Indirect 55000 MWh × 0.3869 / 1e6 = 0.0212795 -> 0.02128.
    direct, indirect = (261096 + 18000 + 519200) / 1e6, 55000 * 0.3869 / 1e6
    assert f"{direct:.5f}" == "0.79830" and f"{indirect:.5f}" == "0.02128"
    assert "25231000 OPC clinker" in text
    assert "0.79830 0.02128 0.81958" in text  # total 0.8195755 -> 0.81958
    # carbon price: 95 CNY × 0.9 covered × 0.8195755 = 70.07 due; free allocation 95 × 0.88 ×
    # 0.8195755 = 68.52; effective 95 × 0.02 × 0.8195755 = 1.557 -> 1.56 CNY/t, 1.90 per tCO2e
    total = direct + indirect
    assert f"{95 * 0.9 * total:.2f}" == "70.07" and f"{95 * 0.02 * total:.2f}" == "1.56"
    assert "70.07CNY/t68.52CNY/t1.56CNY/t1.90CNY/tCO2e" in compact
    assert "ILLUSTRATIVE-DOC-101" in compact
    # sources of values: no default values, the factor release named
    assert "Source of default values 未使用 not used" in text
    assert "2026.2" in text
    # the template's product table, every header in order
    at = 0
    for header in EXPECTED_PRODUCT_HEADER:
        found = compact.find("".join(header.split()), at)
        assert found >= 0, header
        at = found
    assert embedded_cjk(pdf_fonts(data, tmp_path))


def test_pdf_of_an_annex_ii_good_leaves_the_indirect_column_empty(tmp_path):
    report = compute_report(load_report_input(EXAMPLES / "steel-eaf-guangzhou.yaml"))
    text = pdf_text(cbam_report_pdf(report), tmp_path)
    # rebar: 0.5034474… direct only (see test_steel_example_by_hand) -> total = direct
    assert "0.50345 — 0.50345" in text
    assert "Purchased pig iron" in text


def test_pdf_sets_the_product_footprint_beside_the_see(tmp_path):
    report = compute_report(_with_footprint())
    text = pdf_text(cbam_report_pdf(report), tmp_path)
    assert "与产品碳足迹对照" in text and "Beside the product carbon footprint" in text
    # 425 kg CO2e per 500 kg = 0.85 t per t; SEE 1000 t × 0.5 t/t / 1000 t = 0.5
    assert "0.50000 tCO2e/t 425.00 kg CO2e / 500 kg 0.85000 tCO2e/t +0.35000 tCO2e/t" in text
    assert "Differences in boundary" in text
    assert "IPCC-AR6-GWP100" in text


def test_pdf_in_traditional_chinese_prints_every_word_in_it(tmp_path):
    """The importer in Hong Kong gets 繁體 beside the English: headings, table heads and the
    words for coded values (free allocation, not used) all from the zh_Hant catalogue."""
    report = compute_report(load_report_input(EXAMPLES / "cement-jiangmen.yaml"))
    data = cbam_report_pdf(report, "Hant")
    text = pdf_text(data, tmp_path)
    for words in ("CBAM 隱含排放通報", "裝置 Installation", "數據質素與來源",
                  "預設值來源 Source of default values 未使用 not used", "已付碳價",
                  "CN 編碼", "免費配額 free allocation"):
        assert words in text, words
    for simplified in ("隐含", "装置", "数据", "默认", "免费"):
        assert simplified not in text, simplified
    assert embedded_cjk(pdf_fonts(data, tmp_path))
