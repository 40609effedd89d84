"""Messages the engine says to people, as templates the application can translate.

`lca_models` speaks no language of its own: a message is an English template (the msgid,
extracted by pybabel with the keyword `N_`, see babel.cfg) and its named values.
`N_("'%(unit)s' is not a known unit", unit=u)` gives a `Message`: a `str` holding the English
sentence (so `str(exc)`, JSON, logs and every stored result read exactly as before) that also
remembers `msgid` and `params`, from which the application renders the reader's language
(app/messages.py). `N_(template)` without values marks a module-level template; it is
recorded in `TEMPLATES`, which the application also uses to recognise English stored before
(a calculation's warnings are part of its hashed result and stay English there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: every template marked at import time (module-level N_ calls), in order of marking
TEMPLATES: dict[str, None] = {}


class Message(str):
    """An English sentence that remembers its template and values."""

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Message:
        values = dict(params or {})
        self = super().__new__(cls, msgid % values if values else msgid)
        self.msgid, self.params = msgid, values
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (worker processes) keep the template
        return (Message, (self.msgid, dict(self.params)))


def N_(msgid: str, **params: Any) -> Message:
    """Mark an English template for translation; with values, the filled-in message."""
    if not params:
        TEMPLATES.setdefault(msgid)
    return Message(msgid, params)


def message_of(exc: BaseException) -> str:
    """An exception's message, the `Message` itself when it was raised with one."""
    if len(exc.args) == 1 and isinstance(exc.args[0], Message):
        return exc.args[0]
    return str(exc)


def fill(template: str, **params: Any) -> Message:
    """A module-level template (marked with N_ where it is defined) filled in."""
    return Message(template, params)
