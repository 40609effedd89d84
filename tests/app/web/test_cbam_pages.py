"""The exporter's CBAM pages: upload an installation, compute, read the SEE table, download."""

from __future__ import annotations

import io
from pathlib import Path

import yaml

from lca_models.cbam import compute_report, load_report_input
from lca_models.factors import load_release
from tests.app.web.test_pages import count, sign_in

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cbam"


def _upload(client, path: Path, text: str | None = None):
    data = (text or path.read_text("utf-8")).encode("utf-8")
    return client.post("/app/cbam", data={"file": (io.BytesIO(data), path.name),
                                          "csrf_token": client.csrf},
                       content_type="multipart/form-data", headers={"Referer": "/app/cbam"})


def test_upload_compute_and_download(app, world):
    path = EXAMPLES / "steel-eaf-guangzhou.yaml"
    exporter = sign_in(app, "exporter_a")
    response = _upload(exporter, path)
    assert response.status_code == 302, response.text
    page_url = response.headers["Location"]
    computed = exporter.post(page_url + "/reports", data={"csrf_token": exporter.csrf})
    assert computed.status_code == 302
    page = exporter.get(page_url).text
    expected = compute_report(load_report_input(path), load_release())
    for good in expected.goods:
        assert f"<td>{good.cn_code}</td>" in page
        assert f"{good.see_direct:.5f}" in page and f"{good.see_total:.5f}" in page
    link = page.split('href="/api/v1/cbam/reports/', 1)[1].split('"', 1)[0]
    xlsx = exporter.get("/api/v1/cbam/reports/" + link.replace("&amp;", "&"))
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"  # a zip: the XLSX workbook
    assert count(app, "cbam_reports") == 1


def test_an_input_outside_cbam_is_refused_naming_the_field(app, world):
    path = EXAMPLES / "steel-eaf-guangzhou.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["goods"][0]["cn_code"] = "94036010"  # wooden furniture: not a CBAM good
    exporter = sign_in(app, "exporter_a")
    response = _upload(exporter, path, yaml.safe_dump(data, allow_unicode=True))
    assert response.status_code == 302
    page = exporter.get("/app/cbam").text
    assert "input.goods[0].cn_code" in page or "goods[0].cn_code" in page
    assert count(app, "cbam_installations") == 0


def test_other_organisations_and_certifiers_cannot_see_it(app, world):
    exporter = sign_in(app, "exporter_a")
    page_url = _upload(exporter, EXAMPLES / "cement-jiangmen.yaml").headers["Location"]
    assert sign_in(app, "exporter_b").get(page_url).status_code == 404
    assert sign_in(app, "certifier_c").get(page_url).status_code == 403


def test_the_input_workbook_uploads_to_the_same_report(app, world, tmp_path):
    from lca_models.cbam_xlsx import write_input_xlsx

    path = EXAMPLES / "aluminium-extrusion-foshan.yaml"
    workbook = tmp_path / "aluminium.xlsx"
    write_input_xlsx(yaml.safe_load(path.read_text("utf-8")), workbook)
    exporter = sign_in(app, "exporter_a")
    response = exporter.post("/app/cbam", data={
        "file": (io.BytesIO(workbook.read_bytes()), "aluminium.xlsx"),
        "csrf_token": exporter.csrf}, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    exporter.post(response.headers["Location"] + "/reports", data={"csrf_token": exporter.csrf})
    page = exporter.get(response.headers["Location"]).text
    for good in compute_report(load_report_input(path), load_release()).goods:
        assert f"{good.see_total:.5f}" in page
