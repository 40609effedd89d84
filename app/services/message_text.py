"""Messages of the engine and the services rendered in a language, without Flask.

`lca_models` raises and returns `Message`s (lca_models/messages.py): English sentences that
remember their template (a gettext msgid, extracted with `N_`) and their values.
`in_language(text, gettext)` renders one through a catalogue's gettext; values stay as they
are, so field paths, process ids and factor ids are never translated. The pages use it with
Flask-Babel (app/messages.py), the documents with the Chinese catalogue of their script
(app/services/doc_language.py).

Two kinds of English arrive without their template and are recognised by matching the text
against the known templates, values read back from it:
- a calculation's warnings (lca_models/result_warnings.py), stored in English inside its
  result, which is hashed (its `result_sha256` is recorded and signed into labels): the
  stored text stays exactly as it was and is translated only when shown;
- marshmallow's own validation messages ("Missing data for required field."), whose default
  texts are listed here as templates.
Text matching no template is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import app.services.verification_reasons  # noqa: F401  (a verification's reasons)
import lca_models.result_warnings  # noqa: F401  (stored warnings: their templates)
from lca_models.messages import N_, TEMPLATES, Message

#: marshmallow's default messages, as pages and problem+json show them
MARSHMALLOW = (
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Field may not be null."),
    N_("Invalid input type."),
    N_("Invalid input."),
    N_("Invalid type."),
    N_("Invalid value."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid email address."),
    N_("Not a valid integer."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid number."),
    N_("Not a valid string."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid period of time."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("String does not match expected pattern."),
    N_("Must be one of: %(choices)s."),
    N_("Length must be between %(min)s and %(max)s."),
    N_("Length must be %(equal)s."),
    N_("Longer than maximum length %(max)s."),
    N_("Shorter than minimum length %(min)s."),
    N_("Must be greater than or equal to %(min)s."),
    N_("Must be greater than %(min)s."),
    N_("Must be less than or equal to %(max)s."),
    N_("Must be less than %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than %(max)s."),
    N_("Must be greater than %(min)s and less than %(max)s."),
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def in_language(text: Any, gettext: Callable[[str], str]) -> Any:
    """`text` through `gettext`: a Message from its template, known English by matching,
    anything else as it is."""
    if isinstance(text, Message):
        params = {k: in_language(v, gettext) if isinstance(v, Message) else v
                  for k, v in text.params.items()}
        return gettext(text.msgid) % params if params else gettext(text.msgid)
    if not isinstance(text, str) or not text:
        return text
    exact, patterns = _known(len(TEMPLATES))
    if text in exact:
        return gettext(text)
    for template, pattern in patterns:
        found = pattern.fullmatch(text)
        if found:
            params = {k: in_language(v, gettext) for k, v in found.groupdict().items()}
            return gettext(template) % params
    return text


@lru_cache(maxsize=4)
def _known(_count: int) -> tuple[frozenset[str], tuple[tuple[str, re.Pattern[str]], ...]]:
    """Templates without values (matched exactly) and with (as patterns, the one with the
    most fixed text first); rebuilt when more templates were marked (`_count`)."""
    templates = [*TEMPLATES]
    exact = frozenset(t for t in templates if "%(" not in t)
    patterns = sorted((t for t in templates if "%(" in t),
                      key=lambda t: -len(_PLACEHOLDER.sub("", t)))
    return exact, tuple((t, _pattern(t)) for t in patterns)


def _pattern(template: str) -> re.Pattern[str]:
    parts, at = [], 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[at:m.start()]))
        parts.append("%" if m.group(0) == "%%" else f"(?P<{m.group(1)}>.*?)")
        at = m.end()
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.DOTALL)
