"""Every malformed label ID typed or pasted into /verify/... gets the typo page: HTML, in
the reader's language, status 404; never the API's JSON 404 or a 500."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from app.trust import label_ids

MALFORMED = [
    "GBA/2026/7K3M/Q9TD/1",          # slashes instead of hyphens
    "GBA-2026-7K3M-Q9TD-1/extra",    # a good-looking ID with a path behind it
    "a/b",
    "..",
    "...",
    "GBA.2026.7K3M.Q9TD.1",
    "GBA-2026-AAAA-AAAA-Z",          # right shape, wrong check character
    "GBA-2026-7K3U-Q9TD-1",          # U is only a check symbol
    "GBA-2O2X-7K3M-Q9TD-1",          # a letter in the year
    "碳标签",                         # unicode
    "GBA-２０２６-7K3M-Q9TD-1",        # full-width digits
    "GBA-2026-7K3M-Q9TD-1\u200b",    # a zero-width space pasted along
    "x" * 5000,                      # very long
    "GBA-" + "7" * 3000,
    "%2F%2E%2E",                     # percent-encoded slash and dots
    "GBA-2026-7K3M-Q9TD-1 OR 1=1",
]


def _reason_paragraph(html: str) -> str:
    match = re.search(r'<p class="typo-reason">(.*?)</p>', html, re.S)
    assert match, html[:2000]
    return match[1]


@pytest.mark.parametrize("typed", MALFORMED)
def test_every_malformed_id_gets_the_typo_page_in_each_language(client, typed):
    with pytest.raises(label_ids.LabelIdError):
        label_ids.normalise(typed.replace("%2F", "/").replace("%2E", "."))
    # (Werkzeug redirects a doubled slash, from %2F right after /verify/, to a single one.)
    pages = {}
    for lang in ("zh-Hans", "zh-Hant", "en"):
        response = client.get("/verify/" + quote(typed, safe="/%") + f"?lang={lang}",
                              follow_redirects=True)
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        pages[lang] = response.text
        assert len(response.text) < 12_000  # a 5,000-character "ID" is not repeated in full
    assert "编号有误" in pages["zh-Hans"] and "編號有誤" in pages["zh-Hant"]
    assert "This ID is not valid" in pages["en"]
    assert re.search(r"[\u4e00-\u9fff]", _reason_paragraph(pages["zh-Hans"]))
    assert re.search(r"(?i)label|character|check", _reason_paragraph(pages["en"]))


def test_the_page_names_the_position_in_both_languages(client):
    zh = _reason_paragraph(client.get("/verify/GBA-2O2X-7K3M-Q9TD-1?lang=zh-Hans").text)
    hant = _reason_paragraph(client.get("/verify/GBA-2O2X-7K3M-Q9TD-1?lang=zh-Hant").text)
    en = _reason_paragraph(client.get("/verify/GBA-2O2X-7K3M-Q9TD-1?lang=en").text)
    wanted = "第 8 位的字符 &#39;X&#39;"  # G,B,A,-,2,O,2,X
    assert wanted in zh and wanted in hant
    assert "年份" in zh and "年份" in hant and "數字" in hant
    assert "at position 8" in en


def test_an_unknown_but_well_formed_id_is_not_a_typo(client):
    well_formed = label_ids.new_label_id(2026)
    response = client.get(f"/verify/{well_formed}?lang=zh-Hans")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "未找到" in response.text and "编号有误" not in response.text


def test_an_empty_id_shows_the_form(client):
    response = client.get("/verify/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'name="id"' in response.text
