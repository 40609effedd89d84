"""Modelling without YAML (SQLite and PostgreSQL): the form editor posts back what the page
rendered, saves through the upload's validation as a new version, puts errors next to the
field in the reader's language with the text kept and nothing stored; the factor browser."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.app.flows import create_product, steel_model, upload
from tests.app.web.test_pages import count, sign_in


class _Fields(HTMLParser):
    """The fields a browser would post from the page's form (inputs and selected options)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("search",):
            self.data[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first = a.get("name"), None
        elif tag == "option" and self._select:
            value = a.get("value")
            if self._first is None:
                self._first = value
                self.data.setdefault(self._select, value or "")
            if "selected" in a:
                self.data[self._select] = value if value is not None else "__text__"

    def handle_data(self, data):
        if self._select and self.data.get(self._select) == "__text__":
            self.data[self._select] = data.strip()

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def fields(html: str) -> dict[str, str]:
    parser = _Fields()
    parser.feed(html)
    return parser.data


def _setup(app, world, lang="en"):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], steel_model())
    return owner, version, sign_in(app, "exporter_a", lang)


def test_form_round_trip_saves_the_same_model_as_a_new_version(app, world):
    owner, version, exporter = _setup(app, world)
    page = exporter.get(f"/app/versions/{version['id']}/form")
    assert page.status_code == 200
    data = fields(page.text)
    first = steel_model()["stages"][0]["processes"][0]
    assert data["p0.id"] == first["id"]
    assert data["p0.in0.ref"] == str(first["inputs"][0].get("factor") or
                                     first["inputs"][0].get("process"))
    response = exporter.post(f"/app/versions/{version['id']}/form",
                             data={**data, "action": "save"})
    assert response.status_code == 302, response.text
    versions = owner.get(f"/api/v1/products/{version['product_id']}/model-versions").json
    items = versions.get("items", versions) if isinstance(versions, dict) else versions
    assert len(items) == 2
    newest = max(items, key=lambda v: v["number"])
    # transport, emissions, parameters and product were kept: the very same model
    assert newest["content_sha256"] == version["content_sha256"]


def test_changed_amount_is_saved_in_the_new_version(app, world):
    owner, version, exporter = _setup(app, world)
    data = fields(exporter.get(f"/app/versions/{version['id']}/form").text)
    data.update({"p0.in0.amount": "123.5", "action": "save"})
    response = exporter.post(f"/app/versions/{version['id']}/form", data=data)
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[-1]
    stored = owner.get(f"/api/v1/model-versions/{new_id}").json
    assert stored["content"]["stages"][0]["processes"][0]["inputs"][0]["amount"] == 123.5


def test_factor_typo_is_named_next_to_its_field_and_nothing_is_stored(app, world):
    _owner, version, exporter = _setup(app, world, lang="zh-Hant")
    data = fields(exporter.get(f"/app/versions/{version['id']}/form").text)
    factor = next(k for k, v in data.items() if k.endswith(".ref") and "." in v
                  and data[k.replace(".ref", ".kind")] == "factor")
    right = data[factor]
    data.update({factor: right + "x", "action": "save"})
    before = count(app, "model_versions")
    response = exporter.post(f"/app/versions/{version['id']}/form", data=data)
    assert response.status_code == 422
    assert count(app, "model_versions") == before
    html = response.text
    assert "未儲存" in html  # the banner in Traditional Chinese
    # the engine's sentence in Traditional Chinese too, the ids as written
    assert f'id="{factor}-error"' in html and f"；是否指 &#39;{right}&#39;" in html
    assert "did you mean" not in html
    assert f'value="{right}x"' in html  # the text as typed is kept


def test_bad_amount_is_named_in_simplified_chinese_and_nothing_is_stored(app, world):
    _owner, version, exporter = _setup(app, world, lang="zh-Hans")
    data = fields(exporter.get(f"/app/versions/{version['id']}/form").text)
    data.update({"p0.output_amount": "lots", "action": "save"})
    before = count(app, "model_versions")
    response = exporter.post(f"/app/versions/{version['id']}/form", data=data)
    assert response.status_code == 422 and count(app, "model_versions") == before
    assert "未保存" in response.text
    assert 'id="p0.output_amount-error"' in response.text
    assert 'value="lots"' in response.text


def test_add_and_remove_rows_store_nothing(app, world):
    _owner, version, exporter = _setup(app, world)
    url = f"/app/versions/{version['id']}/form"
    data = fields(exporter.get(url).text)
    inputs = int(data["p0.input_count"])
    added = fields(exporter.post(url, data={**data, "action": "add_input:0"}).text)
    assert int(added["p0.input_count"]) == inputs + 1
    assert added[f"p0.in{inputs}.ref"] == ""
    more = fields(exporter.post(url, data={**added, "action": "add_process"}).text)
    assert int(more["process_count"]) == int(data["process_count"]) + 1
    fewer = fields(exporter.post(url, data={**more, "action": "remove_input:0.0"}).text)
    assert int(fewer["p0.input_count"]) == inputs
    assert fewer["p0.in0.ref"] == data["p0.in1.ref"] if inputs > 1 else True
    assert count(app, "model_versions") == 1


def test_unit_picker_offers_units_of_the_factor_dimension(app, world):
    _owner, version, exporter = _setup(app, world)
    url = f"/app/versions/{version['id']}/form"
    data = fields(exporter.get(url).text)
    data.update({"p0.in0.kind": "factor", "p0.in0.ref": "electricity.cn-south-grid.co2.2022",
                 "p0.in0.unit": "kWh", "action": "refresh"})
    html = exporter.post(url, data=data).text
    select = html.split('name="p0.in0.unit"', 1)[1].split("</select>", 1)[0]
    assert "<option selected>kWh</option>" in select and "<option>MJ</option>" in select
    assert "<option>kg</option>" not in select and "<option>tkm</option>" not in select


def test_factor_browser_searches_and_filters(app, world):
    exporter = sign_in(app, "exporter_a")
    page = exporter.get("/app/factors?q=aluminium+primary&region=CN").text
    assert "material.aluminium.primary-ingot.tsinghua.cn.2020" in page
    assert "material.aluminium.primary.iai.glo.2022" not in page  # GLO, filtered out
    # the recycled ingot matches through its source ("Primary and Recycled Aluminum")
    assert "material.aluminium.recycled-ingot.tsinghua.cn.2020" in page
    assert "2 factors found" in page
    assert "Tsinghua University" in page  # its source and licence are shown
    everything = exporter.get("/app/factors").text
    assert everything.count("<tr>") == 153 + 1  # every factor of the release, and the header


@pytest.mark.parametrize(("lang", "zh"), [("zh-Hans", "生命周期阶段"), ("zh-Hant", "生命週期階段"),
                                          ("en", "生命周期阶段")])
@pytest.mark.parametrize("name", ["bom.csv", "bom.xlsx"])
def test_bom_template_has_both_languages_and_uploads_as_it_is(app, world, lang, zh, name):
    import io

    owner = world["exporter_a"]
    product = create_product(owner)
    exporter = sign_in(app, "exporter_a", lang)
    download = exporter.get(f"/app/templates/{name}")
    assert download.status_code == 200
    assert f'filename="carbonlabel-{name}"' in download.headers["Content-Disposition"]
    if name == "bom.csv":
        text = download.data.decode("utf-8-sig")
        assert f"stage ({zh} / Life-cycle stage)" in text
        assert "# reference_process (" in text
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(download.data))["bom"]
        assert sheet.cell(1, 1).value == f"stage ({zh} / Life-cycle stage)"
    response = exporter.post(f"/app/products/{product['id']}/versions", data={
        "file": (io.BytesIO(download.data), f"filled-{name}"), "csrf_token": exporter.csrf},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    stored = owner.get(f"/api/v1/products/{product['id']}/model-versions").json["items"][0]
    content = owner.get(f"/api/v1/model-versions/{stored['id']}").json["content"]
    assert content["reference_process"] == "assembly"
    assembly = content["stages"][1]["processes"][0]
    assert assembly["inputs"][0]["factor"] == "electricity.cn-south-grid.co2.2022"
    assert assembly["inputs"][1] == {**assembly["inputs"][1], "process": "parts", "amount": 200}


def test_cbam_template_is_the_input_workbook_and_unknown_templates_are_404(app, world):
    import io

    from openpyxl import load_workbook

    from lca_models.cbam_xlsx import sheet_headers

    exporter = sign_in(app, "exporter_a")
    book = load_workbook(io.BytesIO(exporter.get("/app/templates/cbam-input.xlsx").data))
    assert set(book.sheetnames) == set(sheet_headers())
    missing = exporter.get("/app/templates/secrets.txt")
    assert missing.status_code == 404


def test_another_exporter_can_neither_see_nor_save_the_form(app, world):
    _owner, version, exporter = _setup(app, world)
    data = fields(exporter.get(f"/app/versions/{version['id']}/form").text)
    stranger = sign_in(app, "exporter_b")
    assert stranger.get(f"/app/versions/{version['id']}/form").status_code == 404
    data.update({"action": "save", "csrf_token": stranger.csrf})
    stranger.post(f"/app/versions/{version['id']}/form", data=data)
    assert count(app, "model_versions") == 1
