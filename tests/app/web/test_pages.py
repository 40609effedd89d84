"""The pages through the test client (SQLite and PostgreSQL): who sees what, forms that are
refused leave nothing behind and say why, the ETag guards decisions, and the language switch.
The whole story in a real browser is in test_browser_flow.py."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.app.flows import act, calculate, create_product, steel_model, submitted_request, upload

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(app, who: str, lang: str = "en"):
    client = app.test_client()
    client.set_cookie("lang", lang)
    page = client.get("/app/login")
    response = client.post("/app/login", data={"email": f"{who}@test.example",
                                               "password": PASSWORD,
                                               "csrf_token": csrf_of(page.text)})
    assert response.status_code == 302, response.text
    client.csrf = csrf_of(client.get("/app/products" if "exporter" in who
                                     else "/app/queue").text)
    return client


def count(app, table: str) -> int:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_strangers_are_sent_to_sign_in_and_back(client, world):
    response = client.get("/app/products?x=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/app/login?next=/app/products")


def test_sign_in_refuses_a_wrong_password_and_a_forged_form(app, client, world):
    page = client.get("/app/login")
    wrong = client.post("/app/login", data={"email": "exporter_a@test.example",
                                            "password": "nope", "csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 401
    assert "Wrong email or password" in wrong.text or "邮箱或密码不正确" in wrong.text
    forged = app.test_client().post("/app/login", data={"email": "exporter_a@test.example",
                                                        "password": PASSWORD})
    assert forged.status_code == 400
    assert client.get("/app/products").status_code == 302  # still not signed in


def test_sign_in_goes_back_only_to_our_own_pages(app, world):
    client = app.test_client()
    page = client.get("/app/login")
    response = client.post("/app/login", data={
        "email": "exporter_a@test.example", "password": PASSWORD,
        "csrf_token": csrf_of(page.text), "next": "https://evil.example/x"})
    assert response.headers["Location"] == "/app/"


def test_a_change_without_the_csrf_token_is_refused(app, world):
    exporter = sign_in(app, "exporter_a")
    response = exporter.post("/app/products", data={"name": "Coil", "hs_code": "720851"})
    assert response.status_code in (302, 403)
    assert count(app, "products") == 0


def test_roles_and_organisations(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    other = sign_in(app, "exporter_b")
    missing = other.get(f"/app/products/{product['id']}")
    assert missing.status_code == 404
    assert "Not found" in missing.text
    certifier = sign_in(app, "certifier_c")
    refused = certifier.get("/app/products")
    assert refused.status_code == 403
    assert "This page is for exporters / administrators." in refused.text


def test_create_product_form_names_the_bad_field_and_writes_nothing(app, world):
    exporter = sign_in(app, "exporter_a")
    response = exporter.post("/app/products", data={
        "name": "Coil", "hs_code": "72-08", "csrf_token": exporter.csrf},
        headers={"Referer": "/app/products"})
    assert response.status_code == 302
    assert count(app, "products") == 0
    page = exporter.get("/app/products").text
    assert "HS code: " in page and "hs_code:" not in page


def test_model_editor_keeps_the_text_and_lists_errors_by_path(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], steel_model())
    exporter = sign_in(app, "exporter_a")
    broken = steel_model()
    broken["stages"][0]["processes"][0]["inputs"][0]["amount"] = -5
    text = yaml.safe_dump(broken, allow_unicode=True, sort_keys=False)
    response = exporter.post(f"/app/versions/{version['id']}", data={
        "model_text": text, "csrf_token": exporter.csrf})
    assert response.status_code == 422
    assert "<li>stages[0].processes[0].inputs[0].amount: -5 is not allowed" in response.text
    assert "amount: -5" in response.text  # what was typed is still in the editor
    stored = owner.get(f"/api/v1/model-versions/{version['id']}").json
    assert stored["content_sha256"] == version["content_sha256"]



def test_model_editor_saves_a_valid_edit(app, world):
    """A valid edit is stored and the editor redirects. It used to end in a 500: the handler
    unpacked `content, _ = ...`, hiding gettext's `_` that its "Model saved." needs (mypy)."""
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], steel_model())
    exporter = sign_in(app, "exporter_a")
    edited = steel_model()
    edited["stages"][0]["processes"][0]["inputs"][0]["amount"] *= 2
    text = yaml.safe_dump(edited, allow_unicode=True, sort_keys=False)
    response = exporter.post(f"/app/versions/{version['id']}", data={
        "model_text": text, "csrf_token": exporter.csrf})
    assert response.status_code == 302, response.text
    stored = owner.get(f"/api/v1/model-versions/{version['id']}").json
    assert stored["content_sha256"] != version["content_sha256"]
    assert stored["content"]["stages"][0]["processes"][0]["inputs"][0]["amount"] == (
        2 * steel_model()["stages"][0]["processes"][0]["inputs"][0]["amount"])

def test_upload_a_bill_of_materials_file_then_calculate(app, world):
    from pathlib import Path

    owner = world["exporter_a"]
    product = create_product(owner)
    exporter = sign_in(app, "exporter_a")
    bom = next((Path(__file__).resolve().parents[3] / "examples" / "bom").glob("*.csv"))
    with bom.open("rb") as handle:
        response = exporter.post(f"/app/products/{product['id']}/versions", data={
            "file": (handle, bom.name), "csrf_token": exporter.csrf},
            content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    version_page = exporter.get(response.headers["Location"])
    assert "Model version 1 saved." in version_page.text
    result = exporter.post(response.headers["Location"] + "/calculations",
                           data={"gwp_set": "AR6", "seed": "0", "csrf_token": exporter.csrf})
    assert result.status_code == 302
    page = exporter.get(result.headers["Location"]).text
    stored = owner.get(f"/api/v1/products/{product['id']}/model-versions").json["items"][0]
    calc_id = result.headers["Location"].rsplit("/", 1)[1]
    total = owner.get(f"/api/v1/calculations/{calc_id}").json["kg_co2e_per_declared_unit"]
    assert stored["source_format"] == "csv"
    assert f"{total:.4g}" in page


def test_a_decision_on_a_stale_page_is_refused(app, world):
    request_id, etag = submitted_request(world)
    certifier = sign_in(app, "certifier_c")
    page = certifier.get(f"/app/requests/{request_id}").text
    page_etag = re.search(r'name="etag" value="([^"]+)"', page).group(1)
    assert page_etag == etag.replace('"', "&#34;") or page_etag == etag
    # the exporter withdraws while the certifier looks at the page
    assert act(world["exporter_a"], request_id, "withdraw", etag).status_code == 200
    response = certifier.post(f"/app/requests/{request_id}/actions", data={
        "action": "start_review", "etag": etag, "csrf_token": certifier.csrf},
        headers={"Referer": f"/app/requests/{request_id}"})
    assert response.status_code == 302
    after = certifier.get(f"/app/requests/{request_id}").text
    assert "the request changed since you read it" in after
    assert world["exporter_a"].get(f"/api/v1/label-requests/{request_id}").json[
        "state"] == "withdrawn"


def test_the_exporter_can_only_answer_and_the_certifier_only_comment_in_review(app, world):
    request_id, _ = submitted_request(world)
    exporter = sign_in(app, "exporter_a")
    response = exporter.post(f"/app/requests/{request_id}/comments", data={
        "body": "unprompted", "csrf_token": exporter.csrf},
        headers={"Referer": f"/app/requests/{request_id}"})
    assert response.status_code == 302
    assert "exporters answer a certifier" in exporter.get(f"/app/requests/{request_id}").text
    assert count(app, "comments") == 0


@pytest.mark.parametrize(("cookie", "accept", "expected"), [
    (None, "zh-CN,zh;q=0.9", "产品"), (None, "en-GB,en;q=0.9", "Products"),
    ("en", "zh-CN", "Products"), ("zh", "en-GB", "产品")])
def test_language_from_cookie_then_browser(app, world, cookie, accept, expected):
    client = sign_in(app, "exporter_a")
    client.delete_cookie("lang")
    if cookie:
        client.set_cookie("lang", cookie)
    page = client.get("/app/products", headers={"Accept-Language": accept}).text
    assert f"<h1>{expected}</h1>" in page


def test_language_switch_is_remembered(app, world):
    client = sign_in(app, "exporter_a", lang="zh")
    switched = client.get("/app/products?lang=en")
    assert "<h1>Products</h1>" in switched.text
    assert 'lang="en"' in switched.text
    assert "lang=en" in switched.headers.get("Set-Cookie", "")
    assert "<h1>Products</h1>" in client.get("/app/products").text
    link = re.search(r'href="([^"]*lang=zh[^"]*)"', switched.text).group(1)
    assert "<h1>产品</h1>" in client.get(link.replace("&amp;", "&")).text


def test_calculation_page_shows_the_numbers_of_the_stored_result(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], steel_model())
    calc = calculate(owner, version["id"])
    page = sign_in(app, "exporter_a").get(f"/app/calculations/{calc['id']}").text
    result = calc["result"]
    assert f"{result['kg_co2e_per_declared_unit']:.4g}" in page
    for stage, value in result["by_stage"].items():  # stage codes in words (raw_materials)
        words = stage.replace("_", " ")
        assert re.search(rf"(?i)<td>{words}</td><td class=\"num\">{value:.4g}</td>", page)
    # stage, gas, process and top inputs (no Monte Carlo run, so no histogram)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 4
    assert "Body C" in page and "Body D" not in page  # only bodies accredited for HS 72


def test_a_reduction_label_is_requested_against_an_approved_baseline(app, world):
    from datetime import timedelta

    from app import clock
    from tests.app.flows import revised

    request_id, etag = submitted_request(world)
    certifier = world["certifier_c"]
    etag = act(certifier, request_id, "start_review", etag).headers["ETag"]
    approved = act(certifier, request_id, "approve", etag,
                   valid_until=(clock.today() + timedelta(days=300)).isoformat())
    assert approved.status_code == 200, approved.json
    owner = world["exporter_a"]
    product_id = approved.json["product_id"]
    version = upload(owner, product_id, revised(steel_model()))
    calc = calculate(owner, version["id"])
    exporter = sign_in(app, "exporter_a")
    page = exporter.get(f"/app/calculations/{calc['id']}").text
    assert f'<option value="{request_id}">' in page  # offered as the baseline
    response = exporter.post(f"/app/calculations/{calc['id']}/requests", data={
        "certification_body_id": world["ids"]["cb_c"], "label_type": "reduction",
        "home_scheme": "gba-home", "baseline_request_id": request_id,
        "standard": "ISO 14067:2018", "electricity": "location-based",
        "csrf_token": exporter.csrf})
    assert response.status_code == 302, response.text
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    stored = owner.get(f"/api/v1/label-requests/{new_id}").json
    assert stored["label_type"] == "reduction"
    assert stored["baseline_request_id"] == request_id
    assert stored["state"] == "draft"  # "submit now" was not ticked
    assert stored["declared_metadata"]["standards"] == [{"name": "ISO 14067",
                                                              "version": "2018"}]
