"""Hostile uploads through the pages (issue 19): a friendly page naming the limit, never a
500 or raw JSON, and nothing stored."""

from __future__ import annotations

import io
import time
from pathlib import Path

from tests.app.flows import create_product
from tests.app.web.test_pages import count, sign_in
from tests.bombs import billion_laughs, cell_bomb

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cbam"


def _post(client, url: str, name: str, data: bytes):
    return client.post(url, data={"file": (io.BytesIO(data), name), "csrf_token": client.csrf},
                       content_type="multipart/form-data", headers={"Referer": url})


def _refused(client, response, url: str, *needles: str) -> str:
    assert response.status_code == 302, response.text
    page = client.get(url)
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    for needle in needles:
        assert needle in page.text, needle
    return page.text


def test_a_yaml_bomb_on_the_cbam_page(app, world):
    exporter = sign_in(app, "exporter_a")
    started = time.perf_counter()
    response = _post(exporter, "/app/cbam", "input.yaml", billion_laughs().encode())
    assert time.perf_counter() - started < 2
    _refused(exporter, response, "/app/cbam", "The file is over a processing limit",
             "max_yaml_nodes = 500000")
    assert count(app, "cbam_installations") == 0


def test_a_self_referencing_alias_on_the_cbam_page(app, world):
    text = (EXAMPLES / "cement-jiangmen.yaml").read_text("utf-8")
    assert text.startswith("installation:\n  ") or "\ninstallation:\n  " in text
    text = text.replace("installation:\n", "installation: &self\n  loop: *self\n", 1)
    exporter = sign_in(app, "exporter_a")
    response = _post(exporter, "/app/cbam", "input.yaml", text.encode())
    _refused(exporter, response, "/app/cbam", "refers to a node that contains it")
    assert count(app, "cbam_installations") == 0


def test_a_workbook_bomb_on_the_cbam_page_in_chinese(app, world):
    exporter = sign_in(app, "exporter_a", lang="zh")
    response = _post(exporter, "/app/cbam", "input.xlsx", cell_bomb())
    _refused(exporter, response, "/app/cbam", "文件超出处理限制", "max_xlsx_")
    assert count(app, "cbam_installations") == 0


def test_model_and_bom_bombs_on_the_product_page(app, world):
    product = create_product(world["exporter_a"])
    url = f"/app/products/{product['id']}"
    exporter = sign_in(app, "exporter_a")
    for name, data, limit in (("model.yaml", billion_laughs().encode(), "max_yaml_nodes"),
                              ("bom.xlsx", cell_bomb(), "max_xlsx_"),
                              ("model.json", b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}",
                               "max_depth")):
        response = _post(exporter, url + "/versions", name, data)
        _refused(exporter, response, url, limit)
    assert count(app, "model_versions") == 0


def test_an_upload_over_the_body_limit_is_a_page_not_json(app, world):
    product = create_product(world["exporter_a"])
    url = f"/app/products/{product['id']}"
    exporter = sign_in(app, "exporter_a")
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = _post(exporter, url + "/versions", "model.yaml", b"# padding\n" * 1000)
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    assert response.status_code == 413
    assert response.content_type.startswith("text/html")
    assert "The upload is larger than the limit of 4.096 kB. Nothing was saved." in response.text
    assert count(app, "model_versions") == 0
