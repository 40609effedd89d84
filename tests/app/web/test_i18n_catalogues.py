"""The three catalogues are complete, compiled and in step with the code and templates.

A text added with `_()` but not run through scripts/i18n.sh, or left untranslated, or a
Traditional catalogue that kept Simplified characters, fails here rather than showing
English (or 简体) to a reader who chose another language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[3]
TRANSLATIONS = REPO / "app" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Characters that exist only in Simplified Chinese (their Traditional forms differ).
SIMPLIFIED_ONLY = set("这个为们时认证标签产品数据计算审核页码录传载检查选择请输单状态过务"
                      "发报告权议评论书类变于后无条见显示错误销级设关开户门问题读写启动实际"
                      "让应该气体阶边界说")
SIMPLIFIED_ONLY -= set("品查择告书于后示核算界")  # shared by both scripts


def catalogue(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def extracted_ids() -> set[str]:
    with open(REPO / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                "lazy_gettext": None, "zh": None, "N_": None,
                "bi": None, "th": None}  # the documents' bilingual macros
    return {msg[2] for msg in extract_from_dir(str(REPO), method_map, options_map,
                                               keywords=keywords) if msg[2]}


def test_the_catalogues_hold_exactly_the_texts_in_code_and_templates():
    found = extracted_ids()
    assert len(found) > 150
    for locale in ("zh_Hans", "zh_Hant", "en"):
        ids = {m.id for m in catalogue(locale) if m.id}
        assert found - ids == set(), f"{locale}: run scripts/i18n.sh"
        assert ids - found == set(), f"{locale}: obsolete entries; run scripts/i18n.sh"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_text_is_translated_with_its_placeholders(locale):
    for m in catalogue(locale):
        if not m.id:
            continue
        assert m.string and m.string.strip(), f"{locale}: untranslated {m.id!r}"
        assert "fuzzy" not in m.flags, f"{locale}: fuzzy {m.id!r}"
        assert sorted(PLACEHOLDER.findall(m.string)) == sorted(PLACEHOLDER.findall(m.id)), m.id
        assert not re.search(r"[\u4e00-\u9fff]", m.id), f"msgids are English: {m.id!r}"


def test_traditional_catalogue_has_no_simplified_characters():
    for m in catalogue("zh_Hant"):
        left = SIMPLIFIED_ONLY & set(m.string)
        assert not left, f"{m.id!r} → {m.string!r} keeps {left}"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_compiled_catalogue_matches_its_source(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id and m.string}
    source = {m.id: m.string for m in catalogue(locale) if m.id and m.string}
    assert compiled == source, f"{locale}: messages.mo is stale; run scripts/i18n.sh"


def test_no_template_keeps_the_old_two_slot_calls_or_chinese_text():
    documents = [REPO / "label_templates" / name for name in ("certificate.html.j2",
                                                               "label.svg.j2")]
    for path in sorted((REPO / "app" / "templates").rglob("*.html")) + documents:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])t\(", text), f"{path.name}: t( left"
        # Chinese belongs in the catalogues, not in a template (language names aside).
        cjk = re.findall(r"[\u4e00-\u9fff]+", text)
        assert cjk == [], f"{path.name}: hard-coded Chinese {cjk[:5]}"
