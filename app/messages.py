"""The engine's and the services' messages in the page's language (or the language a
problem+json was asked for): Flask-Babel's gettext over app/services/message_text.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext

from app.services.message_text import in_language


def localize(text: Any) -> Any:
    """`text` in the current language (see app/services/message_text.py)."""
    return in_language(text, gettext)


def localize_all(texts: Iterable[Any]) -> list[Any]:
    return [localize(t) for t in texts]
