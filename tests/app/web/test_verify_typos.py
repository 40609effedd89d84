"""Every malformed label ID typed or pasted into /verify/... gets the typo page: HTML, in
Chinese and English, status 404; never the API's JSON 404 or a 500."""

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
    match = re.search(r'<p class="status invalid">编号有误.*?</p>\s*<p>(.*?)</p>', html, re.S)
    assert match, html[:2000]
    return match[1]


@pytest.mark.parametrize("typed", MALFORMED)
def test_every_malformed_id_gets_the_bilingual_typo_page(client, typed):
    with pytest.raises(label_ids.LabelIdError):
        label_ids.normalise(typed.replace("%2F", "/").replace("%2E", "."))
    # (Werkzeug redirects a doubled slash, from %2F right after /verify/, to a single one.)
    response = client.get("/verify/" + quote(typed, safe="/%"), follow_redirects=True)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.text
    assert "编号有误" in html and "This ID is not valid" in html
    reason = _reason_paragraph(html)
    chinese, english = reason.split('<br><span class="en">')
    assert re.search(r"[\u4e00-\u9fff]", chinese), reason  # the Chinese reason is Chinese
    assert re.search(r"label|character|check", english), reason
    assert len(html) < 12_000  # a 5,000-character "ID" is not repeated in full


def test_the_page_names_the_position_in_both_languages(client):
    html = client.get("/verify/GBA-2O2X-7K3M-Q9TD-1").text
    reason = _reason_paragraph(html)
    assert "第 8 位的字符 &#39;X&#39;" in reason and "at position 8" in reason  # G,B,A,-,2,O,2,X


def test_an_unknown_but_well_formed_id_is_not_a_typo(client):
    well_formed = label_ids.new_label_id(2026)
    response = client.get(f"/verify/{well_formed}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "未找到" in response.text and "编号有误" not in response.text


def test_an_empty_id_shows_the_form(client):
    response = client.get("/verify/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'name="id"' in response.text
