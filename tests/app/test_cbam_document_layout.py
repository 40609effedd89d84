"""The CBAM documents as an importer reads them: no raw enumeration values, no table row cut
across a page, and no binary noise in the workbook's numbers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.services.cbam_pdf import cbam_report_pdf
from lca_models.cbam import compute_report, load_report_input
from lca_models.cbam_report import tidy_number, to_xlsx
from tests.app.api.document_checks import outside_page
from tests.lca_models.test_cbam import EXPECTED_PRODUCT_HEADER

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cbam"


def page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "cbam.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    return ["".join(subprocess.run(["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(path),
                                    "-"], check=True, capture_output=True,
                                   text=True).stdout.split()) for n in range(1, pages + 1)]


@pytest.mark.parametrize("example", ["cement-jiangmen.yaml", "steel-eaf-guangzhou.yaml"])
def test_cbam_pdf_says_enumerations_in_words_and_keeps_rows_whole(example, tmp_path):
    pdf = cbam_report_pdf(compute_report(load_report_input(EXAMPLES / example)))
    pages = page_texts(pdf, tmp_path)
    everything = "".join(pages)
    assert "free_allocation" not in everything and "tax_deduction" not in everything
    assert "freeallocation" in everything and "免费配额" in everything
    assert len(pages) > 1  # the column table runs over a page break
    for header in EXPECTED_PRODUCT_HEADER:  # each row of it is found whole on one page
        compact = "".join(header.split())
        assert any(compact in page for page in pages), header
    assert outside_page(pdf, tmp_path) == []


def test_tidy_number_drops_binary_noise_only():
    assert 836781.1900000001 != 836781.19
    assert tidy_number(836781.1900000001) == 836781.19
    assert tidy_number(0.1 + 0.2) == 0.3
    assert tidy_number(0.81958) == 0.81958 and tidy_number(1e-7) == 1e-7
    assert tidy_number(3) == 3 and tidy_number("0.1") == "0.1" and tidy_number(None) is None


def test_cbam_xlsx_numbers_have_no_float_noise(tmp_path):
    report = compute_report(load_report_input(EXAMPLES / "cement-jiangmen.yaml"))
    book = load_workbook(to_xlsx(report, tmp_path / "r.xlsx"), read_only=True)
    floats = [cell for ws in book.worksheets for row in ws.iter_rows(values_only=True)
              for cell in row if isinstance(cell, float)]
    assert floats
    noisy = [v for v in floats if len(repr(v).split("e")[0].replace("-", "").replace(".", "")
                                       .lstrip("0")) > 12]
    assert noisy == []
