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
