"""The words of the certificate in its two languages: Chinese (Simplified or Traditional, the
reader's choice) beside English. English is the catalogue id, so the Chinese comes from the
same gettext catalogues as the pages (scripts/i18n.sh; docs/i18n.md) and a missing
translation fails tests/app/web/test_i18n_catalogues.py like any page text. Read through
app/services/doc_language.py, not Flask-Babel: the catalogue is chosen by the document's
language, not the request's, and the CLI prints certificates too."""

from __future__ import annotations

from app.services.doc_language import N_, chinese

#: ``?lang=`` of a document -> the catalogue of its Chinese half (the page switch's `zh` and
#: `en` are accepted too: the document is bilingual either way, Simplified beside English)
DOCUMENT_LOCALES = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "zh": "zh_Hans",
                    "en": "zh_Hans"}

CERTIFICATE = {
    "title": N_("Product Carbon Footprint Certificate"),
    "intro": N_("This certifies that the carbon footprint of the product below was verified "
                "by a third party."),
    "number": N_("Certificate number"), "issued": N_("Date of issue"),
    "product": N_("Product"), "producer": N_("Producer"), "unit": N_("Declared unit"),
    "boundary": N_("System boundary"), "standards": N_("Standards"),
    "pcr": N_("Product category rules"), "method": N_("Method"),
    "split": N_("ISO 14067 split"), "certified_by": N_("Certified by"),
    "address": N_("Address of the certification body"),
    "registration": N_("Registration number"), "accreditation": N_("Accreditation"),
    "validity": N_("Validity"), "label_id": N_("Label ID"), "verify": N_("Verify at"),
    "fingerprint": N_("Credential fingerprint"), "signatory": N_("Signatory"),
    "certifier_role": N_("Certifier, approved this label"), "seal": N_("Seal"),
    "no_seal": N_("No seal uploaded by the certification body"),
}
LABEL_TYPES = {"footprint_disclosure": N_("Footprint disclosure"),
               "reduction": N_("Reduction label"), "rating": N_("Rating label")}
#: What a label's artwork prints in Chinese (label.svg.j2, documents.label_svg; its types in
#: fewer words than the certificate's), one place for both: the label faces
#: (app/services/doc_fonts.py) hold exactly these words' characters, so a label embeds only
#: those small faces.
ARTWORK_TYPES = {"footprint_disclosure": N_("Footprint disclosure"),
                 "reduction": N_("Reduction"), "rating": N_("Rating")}
ARTWORK_CLAIMS = {"rating": N_("Grade %(grade)s (benchmark %(basis)s)"),
                  "reduction": N_("%(percent)s below baseline %(base)s")}
ARTWORK_WORDS = (N_("Carbon footprint"), N_("valid until"), *ARTWORK_TYPES.values(),
                 *ARTWORK_CLAIMS.values())
BOUNDARIES = {"cradle-to-gate": N_("cradle to gate"), "cradle-to-grave": N_("cradle to grave"),
              "gate-to-gate": N_("gate to gate")}
ISO_GROUPS = {"fossil": N_("fossil"), "biogenic_emissions": N_("biogenic emissions"),
              "biogenic_removals": N_("biogenic removals"),
              "dluc": N_("direct land-use change"), "aircraft": N_("aircraft emissions")}


_SCRIPT_OF_LOCALE = {"zh_Hans": "Hans", "zh_Hant": "Hant"}


def _zh(locale: str):
    return chinese(_SCRIPT_OF_LOCALE[locale])


def pairs(table: dict[str, str], locale: str) -> dict[str, tuple[str, str]]:
    """Each term of `table` (English, the catalogue id) as (Chinese in `locale`, English)."""
    zh = _zh(locale)
    return {key: (zh(term), term) for key, term in table.items()}


def both(table: dict[str, str], code: str, locale: str) -> str:
    """A code's words as "中文 English", or the code itself when the table does not know it."""
    term = table.get(code)
    if term is None:
        return code
    return f"{_zh(locale)(term)} {term}"
