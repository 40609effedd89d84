"""Which language a visitor gets: the browser's Accept-Language (Hong Kong, Macao and Taiwan
get Traditional Chinese), then `?lang=` kept in a cookie, the old `zh` meaning zh-Hans."""

from __future__ import annotations

import pytest

HEADINGS = {"zh-Hans": "<h1>碳标签验证</h1>", "zh-Hant": "<h1>碳標籤驗證</h1>",
            "en": "<h1>Carbon label verification</h1>"}


@pytest.mark.parametrize(("accept", "expected"), [
    ("zh-HK", "zh-Hant"), ("zh-MO,en;q=0.5", "zh-Hant"), ("zh-TW", "zh-Hant"),
    ("zh-Hant-HK", "zh-Hant"), ("zh_HK", "zh-Hant"), ("zh-CN", "zh-Hans"),
    ("zh-SG", "zh-Hans"), ("zh", "zh-Hans"), ("zh-Hans-HK", "zh-Hans"),
    ("en-GB,en;q=0.9", "en"), ("fr-FR,en;q=0.5,zh-HK;q=0.4", "en"),
    ("fr-FR,zh-HK;q=0.6,en;q=0.5", "zh-Hant"), ("de-DE", "zh-Hans"), ("", "zh-Hans")])
def test_the_browser_language_decides_first(client, accept, expected):
    page = client.get("/verify", headers={"Accept-Language": accept})
    assert page.status_code == 200
    assert HEADINGS[expected] in page.text
    assert f'<html lang="{expected}">' in page.text


@pytest.mark.parametrize(("asked", "expected"), [
    ("zh-Hant", "zh-Hant"), ("zh-hant", "zh-Hant"), ("zh", "zh-Hans"), ("zh-Hans", "zh-Hans"),
    ("en", "en")])
def test_the_choice_is_kept_in_a_cookie(client, asked, expected):
    chosen = client.get(f"/verify?lang={asked}", headers={"Accept-Language": "en"})
    assert HEADINGS[expected] in chosen.text
    assert f"lang={expected}" in chosen.headers["Set-Cookie"]
    later = client.get("/verify", headers={"Accept-Language": "en"})
    assert HEADINGS[expected] in later.text


def test_an_unknown_choice_is_ignored(client):
    page = client.get("/verify?lang=xx", headers={"Accept-Language": "zh-HK"})
    assert HEADINGS["zh-Hant"] in page.text and "Set-Cookie" not in page.headers


def test_the_switch_offers_the_two_other_languages(client):
    page = client.get("/verify?lang=zh-Hant").text
    assert 'hreflang="zh-Hans"' in page and 'hreflang="en"' in page
    assert 'hreflang="zh-Hant"' not in page


def test_domain_codes_become_words_in_each_language(app):
    from app.web.vocabulary import STAGES, gas, term

    with app.test_request_context("/?lang=zh-Hant"):
        assert term("stage", "raw_materials") == "原材料"
        assert term("iso14067", "dluc") == "直接土地利用變化"
        assert term("boundary", "cradle-to-gate") == "從搖籃到大門"
        assert gas("co2_fossil") == "CO₂，化石"
        assert term("reason", "PCR_MISSING") == "未註明產品類別規則 (PCR)"
    with app.test_request_context("/?lang=en"):
        assert [term("stage", s) for s in STAGES][-1] == "End of life"
        assert gas("n2o") == "N₂O" and gas("sf6") == "SF₆" and gas("hfc_134a") == "HFC-134a"
        assert term("state", "no_such_code") == "no_such_code"  # shown, never hidden


def test_every_engine_code_has_words():
    """A stage, ISO 14067 group or recognition reason added to the engine without words here
    would show as a raw code on the pages."""
    import re
    from pathlib import Path

    from app.web.vocabulary import ISO14067, REASONS, STAGES
    from lca_models.gwp import ISO14067_GROUPS
    from lca_models.inventory import STAGES as ENGINE_STAGES

    assert set(ENGINE_STAGES) == set(STAGES)
    assert set(ISO14067_GROUPS) | {"aircraft"} == set(ISO14067)
    package = Path(__file__).resolve().parents[3] / "lca_models" / "recognition"
    source = "\n".join(f.read_text("utf-8") for f in sorted(package.glob("*.py"))
                       if f.name != "__init__.py")  # its __all__ lists names, not codes
    assert source, f"no engine sources under {package}"
    assert set(re.findall(r'"([A-Z][A-Z_]{5,})"', source)) == set(REASONS)


def test_a_signed_in_users_choice_follows_them_to_another_browser(app, world):
    """The switch is kept on the user: a new browser with another Accept-Language and no
    cookie still gets the language the user chose."""
    from tests.app.web.test_pages import sign_in

    office = sign_in(app, "certifier_c", lang="en")
    assert '<html lang="en">' in office.get("/app/queue").text
    assert '<html lang="zh-Hant">' in office.get("/app/queue?lang=zh-Hant").text

    phone = sign_in(app, "certifier_c", lang="en")  # its own cookie says English
    phone.delete_cookie("lang")
    page = phone.get("/app/queue", headers={"Accept-Language": "en-GB"})
    assert '<html lang="zh-Hant">' in page.text
    assert '<html lang="en">' in phone.get("/app/queue?lang=en").text
    assert '<html lang="en">' in office.get("/app/queue").text  # the latest choice wins


def test_a_visitors_choice_is_not_kept_on_any_user(app, client, world):
    from app.extensions import db
    from app.persistence import User

    client.get("/verify?lang=zh-Hant")
    with app.app_context():
        assert {u.language for u in db.session.query(User)} == {None}
