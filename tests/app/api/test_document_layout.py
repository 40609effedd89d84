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
