"""A refused form names the field the reader filled in, in the reader's language.

Schemas and services name a field by its key (`hs_code`, `valid_until`): right for the API,
whose clients send those keys, but on a page the reader knows the field by the label they
see beside it ("HS code", "HS 編碼"). The names here are the forms' own label texts, so they
are translated once, with the forms. A key not listed (a new field, or a path into an
uploaded model) is shown as it is: never hidden."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: field key -> the label its form shows (the same msgid as the template's)
NAMES = {
    # products and calculations
    "name": _l("Name"), "name_zh": _l("Name (Chinese)"), "hs_code": _l("HS code"),
    "cn_code": _l("EU CN code"), "gtin": "GTIN", "gwp_set": _l("GWP set"),
    "monte_carlo": _l("Monte Carlo runs (optional)"), "seed": _l("Seed"),
    # label requests and their review
    "label_type": _l("Label type"), "home_scheme": _l("Home scheme"),
    "certification_body_id": _l("Certification body"),
    "baseline_request_id": _l("Baseline for a reduction label (an approved request)"),
    "calculation_id": _l("Calculation of the revised model"), "reason": _l("Reason"),
    "valid_until": _l("Valid until (your scheme's rule; through 23:59:59 UTC of that day)"),
    "body": _l("Comment"),
    # accounts and organisations
    "email": _l("Email"), "password": _l("Password"), "role": _l("Role"),
    "organisation_id": _l("Organisation"), "organisation": _l("Organisation"),
    "active": _l("Account"), "kind": _l("Kind"), "country": _l("Country (2 letters)"),
    "subdivision": _l("Subdivision"), "address": _l("Address"),
    "identifier": _l("Registration number"), "accreditation_body": _l("Accreditation body"),
    "accreditation_number": _l("Accreditation number"),
    "accreditation_standard": _l("Accreditation standard"),
    "accreditation_scope": _l("Accreditation scope (HS chapters)"),
    "accredited_from": _l("Accredited from"), "accredited_to": _l("Accredited until"),
    "organisation_ids": _l("Exporters it may read"), "events_url": _l("Events URL"),
    "confirm": _l("Confirmation"),
    # factor-release impact
    "release": _l("New release"), "threshold_percent": _l("Threshold in percent"),
}


def shown(field: str) -> str:
    """The field as the page names it; a path (`accreditation_scope.0`) keeps its tail."""
    head, dot, tail = field.partition(".")
    name = NAMES.get(head)
    return field if name is None else f"{name}{dot}{tail}"
