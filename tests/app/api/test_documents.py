"""Label artwork, certificate and calculation report: text, fonts and QR content checked by
reading the rendered files back (poppler's pdftotext and pdffonts)."""

from __future__ import annotations

import subprocess
from urllib.parse import unquote

import segno

from tests.app.api.test_labels import issue
from tests.app.flows import submitted_request


def pdf_text(data: bytes, tmp_path) -> str:
    """Text in content-stream order (-raw), so a wrapped table cell stays together."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                          text=True).stdout


def embedded_cjk(fonts: str) -> bool:
    return any("CJK" in line and " yes " in line for line in fonts.splitlines())


def test_label_artwork_svg_carries_the_qr_of_the_verification_page(world, client):
    label, _ = issue(world)
    svg = client.get(f"/api/v1/labels/{label['id']}/artwork.svg?size=small")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.text
    assert label["id"] in text and "碳足迹" in text and "CARBON FOOTPRINT" in text
    assert 'width="30mm"' in text
    expected = segno.make(f"https://labels.test/verify/{label['id']}", error="m")
    assert unquote(expected.svg_data_uri(scale=4, border=2)) in unquote(text)


def test_label_pdf_renders_chinese_with_an_embedded_cjk_font(world, client, tmp_path):
    label, _ = issue(world)
    pdf = client.get(f"/api/v1/labels/{label['id']}/artwork.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data, tmp_path)
    assert "碳足迹" in text and "CARBON FOOTPRINT" in text and label["id"] in text
    assert embedded_cjk(pdf_fonts(pdf.data, tmp_path))


def test_certificate_states_the_claim_and_fingerprint(world, client, tmp_path):
    label, credential = issue(world)
    pdf = client.get(f"/api/v1/labels/{label['id']}/certificate.pdf")
    text = pdf_text(pdf.data, tmp_path)
    from lca_models.canonical import sha256_hex

    assert "碳足迹证书" in text and "Product Carbon Footprint" in text
    assert "Body C" in text and "ISO 14067:2018" in text
    assert sha256_hex(credential)[:32] in text.replace("\n", "").replace(" ", "")
    assert embedded_cjk(pdf_fonts(pdf.data, tmp_path))


def test_calculation_report_lists_inputs_and_sources(world, tmp_path):
    request_id, _ = submitted_request(world)
    pdf = world["certifier_c"].get(f"/api/v1/label-requests/{request_id}/report.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, tmp_path)
    assert "Carbon footprint calculation report" in text and "碳足迹计算报告" in text
    compact = "".join(text.split())  # table cells wrap long ids across lines
    assert "electricity.cn-south-grid.co2.2022" in compact
    assert "MinistryofEcology" in compact
    other = world["certifier_d"].get(f"/api/v1/label-requests/{request_id}/report.pdf")
    assert other.status_code == 404


def test_pact_footprint_download_is_the_label_in_pact_v3(world, client):
    from pathlib import Path

    from lca_models.pact import footprint_id, validate_product_footprint

    label, credential = issue(world)
    response = world["exporter_a"].get(f"/api/v1/labels/{label['id']}/pact-footprint")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    pf = response.json
    total = credential["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"]
    assert pf["id"] == footprint_id(label["id"])
    assert abs(float(pf["pcf"]["pcfIncludingBiogenicUptake"]) - total) < 1e-9 * max(1, total)
    openapi = (Path(__file__).resolve().parents[4] / "shared" / "standards" / "pact-v3"
               / "openapi.yaml")
    if openapi.exists():
        assert validate_product_footprint(pf, openapi) == []
    assert world["exporter_b"].get(f"/api/v1/labels/{label['id']}/pact-footprint"
                                   ).status_code == 404


def test_a_label_pact_cannot_express_answers_422_and_the_pages_offer_no_link(world, app):
    """A model without `carbon_content`: PACT requires fossilCarbonContent, so the label has
    no ProductFootprint. The download answers problem+json 422 naming the missing field
    (never 500), and the exporter's and certifier's pages say why instead of linking."""
    from tests.app.api.test_labels import approve
    from tests.app.flows import act, calculate, create_product, draft_request, steel_model, upload
    from tests.app.web.test_pages import sign_in

    model = steel_model()
    del model["carbon_content"]
    exporter = world["exporter_a"]
    product = create_product(exporter)
    calc = calculate(exporter, upload(exporter, product["id"], model)["id"])
    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    approve(world, req["id"], act(exporter, req["id"], "submit", etag).headers["ETag"])
    label = next(lb for lb in exporter.get("/api/v1/labels").json["items"]
                 if lb["request_id"] == req["id"])
    response = exporter.get(f"/api/v1/labels/{label['id']}/pact-footprint")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/not-expressible-in-pact"
    assert "fossilCarbonContent" in response.json["detail"]
    for who, path in (("exporter_a", f"/app/products/{product['id']}"),
                      ("exporter_a", f"/app/requests/{req['id']}"),
                      ("certifier_c", f"/app/requests/{req['id']}")):
        page = sign_in(app, who).get(path)
        assert page.status_code == 200, (who, path)
        assert f"/api/v1/labels/{label['id']}/pact-footprint" not in page.text
        assert "cannot be expressed in PACT v3" in page.text and "fossilCarbonContent" in page.text
        assert f"/api/v1/labels/{label['id']}/credential" in page.text  # the rest is offered
    for lang, words in (("zh-Hans", "此标签无法以 PACT v3 表示"),
                        ("zh-Hant", "此標籤無法以 PACT v3 表示")):
        page = sign_in(app, "exporter_a", lang).get(f"/app/products/{product['id']}").text
        assert words in page and "fossilCarbonContent" in page


def test_pages_link_the_pact_footprint_of_a_label_pact_can_express(world, app):
    from tests.app.web.test_pages import sign_in

    label, _ = issue(world)
    page = sign_in(app, "exporter_a").get(f"/app/requests/{label['request_id']}").text
    assert f"/api/v1/labels/{label['id']}/pact-footprint" in page
    assert "cannot be expressed" not in page


def test_certificate_and_artwork_in_traditional_chinese(world, client, tmp_path):
    label, _ = issue(world)
    pdf = client.get(f"/api/v1/labels/{label['id']}/certificate.pdf?script=Hant")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, tmp_path)
    assert "產品碳足跡證書" in text and "Product Carbon Footprint" in text
    assert "碳足跡披露" in text and "认证" not in text and "碳足迹" not in text
    assert embedded_cjk(pdf_fonts(pdf.data, tmp_path))
    svg = client.get(f"/api/v1/labels/{label['id']}/artwork.svg?size=medium&script=Hant").text
    assert "碳足跡" in svg and "碳足迹" not in svg and "有效期至" in svg
    assert client.get(f"/api/v1/labels/{label['id']}/certificate.pdf?script=Latn"
                      ).status_code == 422


def test_the_pages_link_documents_in_the_readers_chinese(world, app):
    from tests.app.web.test_pages import sign_in

    label, _ = issue(world)
    page = sign_in(app, "exporter_a", lang="zh-Hant").get(f"/app/requests/{label['request_id']}")
    assert f"/api/v1/labels/{label['id']}/certificate.pdf?script=Hant" in page.text


def test_a_cached_artwork_is_served_without_rendering_and_keeps_through_revocation(
        world, client, monkeypatch):
    """The cache of rendered documents is keyed by what the artwork is made from (the
    credential's hash, size, zone, script), so a hit renders neither HTML nor PDF. The
    artwork does not show the label's status (its QR code leads to the live status), so
    revoking the label serves the same file, still without rendering."""
    from app.services import documents

    label, _ = issue(world)
    url = f"/api/v1/labels/{label['id']}/artwork.pdf?size=medium&tz=UTC"
    first = client.get(url)
    assert first.status_code == 200
    renders: list[str] = []
    real_svg, real_render = documents.label_svg, documents._render
    monkeypatch.setattr(documents, "label_svg",
                        lambda *a, **k: renders.append("html") or real_svg(*a, **k))
    monkeypatch.setattr(documents, "_render",
                        lambda html, *sheets: renders.append("pdf") or real_render(html, *sheets))
    again = client.get(url)
    assert again.data == first.data and renders == []
    other = client.get(url.replace("size=medium", "size=large"))  # another key: rendered
    assert other.data != first.data and renders == ["html", "pdf"]
    zone = client.get(url.replace("tz=UTC", "tz=Asia/Hong_Kong"))  # validity end in HKT
    assert zone.data != first.data and renders == ["html", "pdf"] * 2
    assert world["certifier_c"].post(f"/api/v1/labels/{label['id']}/revocation",
                                     json={"reason": "data error found"}).status_code == 200
    revoked = client.get(url)
    assert revoked.status_code == 200 and revoked.data == first.data
    assert renders == ["html", "pdf"] * 2
