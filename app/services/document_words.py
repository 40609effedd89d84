"""The words of the certificate in its two languages: Chinese (Simplified or Traditional, the
reader's choice) beside English. English is the catalogue id, so the Chinese comes from the
same gettext catalogues as the pages (scripts/i18n.sh; docs/i18n.md) and a missing
translation fails tests/app/web/test_i18n_catalogues.py like any page text."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

#: ``?lang=`` of a document -> the catalogue of its Chinese half (the page switch's `zh` and
#: `en` are accepted too: the document is bilingual either way, Simplified beside English)
DOCUMENT_LOCALES = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "zh": "zh_Hans",
                    "en": "zh_Hans"}

CERTIFICATE = {
    "title": _l("Product Carbon Footprint Certificate"),
    "intro": _l("This certifies that the carbon footprint of the product below was verified "
                "by a third party."),
    "number": _l("Certificate number"), "issued": _l("Date of issue"),
    "product": _l("Product"), "producer": _l("Producer"), "unit": _l("Declared unit"),
    "boundary": _l("System boundary"), "standards": _l("Standards"),
    "pcr": _l("Product category rules"), "method": _l("Method"),
    "split": _l("ISO 14067 split"), "certified_by": _l("Certified by"),
    "address": _l("Address of the certification body"),
    "registration": _l("Registration number"), "accreditation": _l("Accreditation"),
    "validity": _l("Validity"), "label_id": _l("Label ID"), "verify": _l("Verify at"),
    "fingerprint": _l("Credential fingerprint"), "signatory": _l("Signatory"),
    "certifier_role": _l("Certifier, approved this label"), "seal": _l("Seal"),
    "no_seal": _l("No seal uploaded by the certification body"),
}
LABEL_TYPES = {"footprint_disclosure": _l("Footprint disclosure"),
               "reduction": _l("Reduction label"), "rating": _l("Rating label")}
BOUNDARIES = {"cradle-to-gate": _l("cradle to gate"), "cradle-to-grave": _l("cradle to grave"),
              "gate-to-gate": _l("gate to gate")}
ISO_GROUPS = {"fossil": _l("fossil"), "biogenic_emissions": _l("biogenic emissions"),
              "biogenic_removals": _l("biogenic removals"),
              "dluc": _l("direct land-use change"), "aircraft": _l("aircraft emissions")}


def english(term: Any) -> str:
    """A lazy term's English: its catalogue id."""
    return str(term._args[0])


def pairs(table: dict[str, Any], locale: str) -> dict[str, tuple[str, str]]:
    """Each term of `table` as (Chinese in `locale`, English)."""
    with force_locale(locale):
        return {key: (str(term), english(term)) for key, term in table.items()}


def both(table: dict[str, Any], code: str, locale: str) -> str:
    """A code's words as "中文 English", or the code itself when the table does not know it."""
    term = table.get(code)
    if term is None:
        return code
    with force_locale(locale):
        return f"{term} {english(term)}"
