"""What is wrong with a typed label ID, in the reader's language.

app/trust/label_ids raises LabelIdError with a code and the position/character; the words
live here (and in the catalogues), so the trust code stays free of the web's i18n.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.trust.label_ids import LabelIdError


def typo_message(exc: LabelIdError) -> str:
    p = exc.params
    messages = {
        "not_text": lambda: _("A label ID must be text."),
        "prefix": lambda: _("Label IDs start with %(prefix)s, e.g. %(prefix)s-2026-7K3M-Q9TD-1.",
                            **p),
        "length": lambda: _("After %(prefix)s a label ID has %(expected)s characters (a 4-digit "
                            "year, 8 code characters and 1 check character); this one has "
                            "%(found)s.", **p),
        "year_char": lambda: _("The character %(char)s at position %(position)s cannot be in "
                               "the year; the year uses digits 0-9 only.", **p),
        "u_char": lambda: _("The character 'U' at position %(position)s is not used in label "
                            "codes; check the ID for a mistyped character.", **p),
        "code_char": lambda: _("The character %(char)s at position %(position)s cannot be in "
                               "a label code.", **p),
        "check_char": lambda: _("The character %(char)s at position %(position)s is not a "
                                "valid check character.", **p),
        "check_mismatch": lambda: _("The check character does not match; check the ID for a "
                                    "mistyped character."),
    }
    found = messages.get(exc.code)
    return found() if found else str(exc)
