"""The engine's messages in the reader's language (SQLite and PostgreSQL): model validation
errors on the editor page, problem+json detail by Accept-Language, stored warnings on the
result page and in the report, marshmallow's form errors; English unchanged for a client that
asks for nothing. The catalogue side (every template translated, none unmarked) is in
test_i18n_catalogues.py."""

from __future__ import annotations

from html import unescape

import yaml

from tests.app.flows import calculate, create_product, steel_model, upload
from tests.app.web.test_pages import sign_in
from tests.lca_models.test_uncertainty import loop_model


def _typo_model() -> tuple[dict, str, str]:
    """The steel model with its first factor id mistyped (last letter dropped)."""
    model = steel_model()
    first = next(i for i in model["stages"][0]["processes"][0]["inputs"] if i.get("factor"))
    right = first["factor"]
    first["factor"] = right[:-1]
    return model, right[:-1], right


def test_model_editor_shows_an_unknown_factor_in_traditional_chinese(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], steel_model())
    model, typo, right = _typo_model()
    exporter = sign_in(app, "exporter_a", lang="zh-Hant")
    response = exporter.post(f"/app/versions/{version['id']}", data={
        "model_text": yaml.safe_dump(model, sort_keys=False), "csrf_token": exporter.csrf})
    assert response.status_code == 422
    page = unescape(response.text)
    # the path and both ids stay as written; the sentence around them is Traditional Chinese
    assert (f"stages[0].processes[0].inputs[0].factor: '{typo}' 不是因子版本 " in page
            or ".factor: '" + typo + "' 不是因子版本 " in page), page[:3000]
    hint = page.split(f"'{typo}' 不是因子版本 ", 1)[1].split("</li>", 1)[0]
    assert "的因子；是否指 '" in hint and f"'{right}'" in hint and hint.endswith("？"), hint
    assert "is not a factor of release" not in page and "did you mean" not in page


def test_model_editor_empty_file_and_a_loop_in_each_language(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], steel_model())
    hant = sign_in(app, "exporter_a", lang="zh-Hant")
    empty = hant.post(f"/app/versions/{version['id']}", data={
        "model_text": "# nothing yet\n", "csrf_token": hant.csrf})
    assert empty.status_code == 422
    assert ("檔案是空的：模型至少需要 product、declared_unit、boundary、reference_process "
            "和 stages") in unescape(empty.text)

    loop = yaml.safe_dump(loop_model(0.0, amount_b=1.0, amount_a=1.0), sort_keys=False)
    for lang, sentence in [
            ("zh-Hant", "過程 'a', 'b' 構成的循環無解"),
            ("zh-Hans", "过程 'a', 'b' 构成的循环无解"),
            ("en", "the loop of process(es) 'a', 'b' has no solution")]:
        client = sign_in(app, "exporter_a", lang=lang)
        response = client.post(f"/app/versions/{version['id']}", data={
            "model_text": loop, "csrf_token": client.csrf})
        assert response.status_code == 422
        assert "stages[0].processes[0].inputs: " + sentence in unescape(response.text), lang


def test_problem_json_detail_follows_accept_language(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    model, typo, right = _typo_model()
    url = f"/api/v1/products/{product['id']}/model-versions"
    english = owner.post(url, json={"model": model})
    assert english.status_code == 422
    assert english.json["detail"].startswith(
        f"model.stages[0].processes[0].inputs[0].factor: '{typo}' is not a factor of release ")
    assert "; did you mean '" in english.json["detail"]
    assert f"'{right}'" in english.json["detail"] and english.json["detail"].endswith("?")
    assert english.json["title"] == "The inventory model is invalid"

    chinese = owner.post(url, json={"model": model}, headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422
    detail = chinese.json["detail"]
    assert detail.startswith(f"model.stages[0].processes[0].inputs[0].factor: '{typo}' "
                             "不是因子版本 "), detail
    assert "的因子；是否指 '" in detail and f"'{right}'" in detail and detail.endswith("？")
    assert chinese.json["errors"] == [{
        "field": "model.stages[0].processes[0].inputs[0].factor",
        "message": detail.removeprefix("model.stages[0].processes[0].inputs[0].factor: ")}]
    assert chinese.json["title"] == english.json["title"]  # an identifier, kept English

    hk = owner.post(url, json={"model": {}}, headers={"Accept-Language": "zh-HK, en;q=0.5"})
    assert hk.json["detail"].startswith("model._schema: 檔案是空的")
    french = owner.post(url, json={"model": {}}, headers={"Accept-Language": "fr"})
    assert french.json["detail"].startswith("model._schema: the file is empty")


def test_marshmallow_messages_in_problem_json_and_on_a_form(app, world):
    owner = world["exporter_a"]
    response = owner.post("/api/v1/products", json={"hs_code": "72-08"},
                          headers={"Accept-Language": "zh-Hant"})
    assert response.status_code == 422
    by_field = {e["field"]: e["message"] for e in response.json["errors"]}
    assert by_field["name"] == "必填欄位缺少資料。"
    english = owner.post("/api/v1/products", json={"hs_code": "72-08"})
    assert {e["field"]: e["message"] for e in english.json["errors"]}["name"] == (
        "Missing data for required field.")

    exporter = sign_in(app, "exporter_a", lang="zh-Hans")
    exporter.post("/app/products", data={"name": "Coil", "hs_code": "72-08",
                                         "csrf_token": exporter.csrf},
                  headers={"Referer": "/app/products"})
    page = exporter.get("/app/products").text
    assert "HS 编码: 文本不符合要求的格式。" in page and "hs_code:" not in page


def test_a_stored_warning_shows_in_the_page_language_and_stays_english_in_the_result(
        app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], loop_model(0.0, amount_b=1.0, amount_a=1 - 1e-13))
    calc = calculate(owner, version["id"])
    stored = next(w for w in calc["result"]["warnings"] if "nearly singular" in w)
    assert stored.startswith("the loop of process(es) 'a', 'b' is nearly singular (condition "
                             "estimate 4.0e+13, above 1e+")  # the hashed result: English
    hant = unescape(sign_in(app, "exporter_a", lang="zh-Hant").get(
        f"/app/calculations/{calc['id']}").text)
    assert "過程 'a', 'b' 構成的循環接近奇異（條件數估計 4.0e+13，高於 1e+" in hant
    assert "nearly singular" not in hant
    hans = unescape(sign_in(app, "exporter_a", lang="zh-Hans").get(
        f"/app/calculations/{calc['id']}").text)
    assert "过程 'a', 'b' 构成的循环接近奇异（条件数估计 4.0e+13，高于 1e+" in hans
    english = unescape(sign_in(app, "exporter_a", lang="en").get(
        f"/app/calculations/{calc['id']}").text)
    assert stored in english


def test_report_warnings_print_chinese_beside_the_stored_english():
    from app.services.documents import _warnings_both

    stored = ("process 'scrap' (stages[0].processes[1]) is not used by the reference flow "
              "and contributes nothing")
    odd = "a warning from an older engine"
    assert _warnings_both([stored, stored, odd], "Hant") == [
        ("過程 'scrap'（stages[0].processes[1]）未被參考流使用，對結果沒有貢獻 (×2)",
         stored + " (×2)"),
        ("", odd)]


def test_verification_technical_details_in_the_chosen_language(world, client):
    from tests.app.api.test_recognition import DECLARED, issue_with

    label_id, _ = issue_with(world, DECLARED)
    answer = client.get(f"/api/v1/labels/{label_id}/verification").json
    english = next(r for r in answer["reasons"] if "signature verifies" in r)
    issuer = english.rsplit(" ", 1)[1]  # the machine-readable reasons stay English
    assert english == ("the credential's eddsa-jcs-2022 signature verifies with the published "
                       f"key of its issuer {issuer}")
    hant = unescape(client.get(f"/verify/{label_id}?lang=zh-Hant").text)
    assert "<summary>技術細節</summary>" in hant
    assert f"憑證的 eddsa-jcs-2022 簽署可用其簽發方 {issuer} 公佈的密鑰驗證通過" in hant
    assert "已簽署的撤銷列表 " in hant and " 未將其標記為已撤銷" in hant
    assert "signature verifies" not in hant
    en = unescape(client.get(f"/verify/{label_id}?lang=en").text)
    assert "<summary>Technical details</summary>" in en and english in en


def test_a_message_keeps_its_english_and_its_template_through_pickling_and_json():
    import json
    import pickle

    from lca_models.messages import N_, Message
    from lca_models.units import UnitProblem, parse_unit

    try:
        parse_unit("tons")
    except UnitProblem as exc:
        problem = exc.args[0]
    assert isinstance(problem, Message)
    assert str(problem).startswith("'tons' in 'tons' is not a metric tonne (pint reads it")
    back = pickle.loads(pickle.dumps(problem))
    assert (back, back.msgid, dict(back.params)) == (problem, problem.msgid, dict(problem.params))
    assert json.loads(json.dumps({"m": N_("a %(x)s b", x=1)})) == {"m": "a 1 b"}


def test_nested_messages_and_a_stored_job_error_render_in_traditional_chinese():
    from app.services.doc_language import chinese
    from app.services.message_text import in_language
    from lca_models.messages import fill
    from lca_models.result_warnings import TOO_MANY_REJECTED
    from lca_models.units import UnitProblem, parse_unit

    hant = chinese("Hant")
    try:
        parse_unit("kcal/kg")
    except UnitProblem as exc:
        nested = exc.args[0]  # "'kcal' in 'kcal/kg' has two meanings ..." (a Message inside)
    assert in_language(nested, hant).startswith("'kcal/kg' 中的 'kcal' 有兩種含義（熱化學卡")
    stored = str(fill(TOO_MANY_REJECTED, rejected=120, iterations=200))  # jobs.error: text
    assert in_language(stored, hant).startswith("200 次蒙特卡羅抽樣中有 120 次描述了不可能存在")
    assert in_language("an English sentence we never wrote", hant) == (
        "an English sentence we never wrote")
