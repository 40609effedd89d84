"""Which Chinese a document is printed in: 简体 (Hans) or 繁體 (Hant), always beside English.

Documents are bilingual (a customs officer abroad reads the English; a Hong Kong buyer the
Traditional Chinese), so they need two languages at once, not the page's one: the English
is the msgid written in the template, the Chinese comes from the chosen catalogue in
app/translations through `zh(...)`. No Flask here: the CLI renders documents too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
SCRIPTS = {"Hans": "zh_Hans", "Hant": "zh_Hant"}
LANG_TAGS = {"Hans": "zh-Hans", "Hant": "zh-Hant"}
FONTS = {"Hans": "Noto Sans CJK SC", "Hant": "Noto Sans CJK HK"}


def N_(text: str) -> str:
    """Marks an English text for extraction (pybabel -k N_); translated where printed."""
    return text


@lru_cache(maxsize=2)
def chinese(script: str) -> Callable[[str], str]:
    """The Chinese for an English text, in `script` (Hans or Hant)."""
    if script not in SCRIPTS:
        raise ValueError(f"script must be one of {', '.join(SCRIPTS)}, not {script!r}")
    return Translations.load(str(TRANSLATIONS), [SCRIPTS[script]]).gettext


def script_for(lang: str | None) -> str:
    """The documents' Chinese for a page language tag (zh-Hant → Hant, anything else Hans)."""
    return "Hant" if lang == "zh-Hant" else "Hans"
