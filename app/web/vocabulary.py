"""Words for the codes the engine and the services emit, in the reader's language.

`lca_models` and the services speak in codes (a request state, a stage, a gas, a reason
code); only the pages turn a code into words, here, so one table per kind of code and one
catalogue entry per word. An unknown code is shown as itself rather than hidden.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

STATES = {
    "draft": _l("draft"), "submitted": _l("submitted"), "in_review": _l("in review"),
    "changes_requested": _l("changes requested"), "approved": _l("approved"),
    "rejected": _l("rejected"), "withdrawn": _l("withdrawn"), "valid": _l("valid"),
    "revoked": _l("revoked"), "suspended": _l("suspended"), "superseded": _l("superseded"),
    "expired": _l("expired"),
    "invalid": _l("verification failed"),
    "inclusion_pending": _l("issued, transparency log inclusion pending"),
}
ROLES = {"exporter": _l("exporters"), "certifier": _l("certifiers"), "admin": _l("administrators")}
ERROR_TITLES = {
    403: _l("Not allowed"), 404: _l("Not found"), 413: _l("The upload is too large"),
    422: _l("This cannot be done"), 429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}

# Why a label does not (fully) meet a scheme's published rules (the reason codes of
# lca_models/recognition/evaluation.py).
REASONS = {
    "ACCREDITATION_BODY_NOT_ACCEPTED": _l("the verifier's accreditation body is not accepted"),
    "ASSURANCE_LEVEL_TOO_LOW": _l("the level of assurance is lower than required"),
    "BOUNDARY_NOT_ACCEPTED": _l("the system boundary is not accepted"),
    "DATA_TOO_OLD": _l("the data are older than allowed"),
    "ELECTRICITY_APPROACH_NOT_ACCEPTED": _l("the way electricity is modelled is not accepted"),
    "ELECTRICITY_CERTIFICATES_NOT_ACCEPTED": _l("renewable electricity certificates are not "
                                                "accepted"),
    "EXCLUSIONS_TOO_HIGH": _l("more is excluded from the footprint than allowed"),
    "GWP_SET_NOT_ACCEPTED": _l("the global warming potentials used are not accepted"),
    "LABEL_NOT_VALID_ON_DATE": _l("the label is not valid on the date asked about"),
    "LABEL_TYPE_NOT_OFFERED": _l("the scheme does not offer this type of label"),
    "PCR_MISSING": _l("no product category rules are named"),
    "PCR_SOURCE_NOT_ACCEPTED": _l("the product category rules come from a source not "
                                  "accepted"),
    "PRIMARY_DATA_SHARE_TOO_LOW": _l("the share of primary data is lower than required"),
    "STANDARD_NOT_ACCEPTED": _l("the standard followed is not accepted"),
    "STANDARD_VERSION_TOO_OLD": _l("the version of the standard is older than accepted"),
    "THIRD_PARTY_VERIFICATION_MISSING": _l("no third-party verification"),
    "VALIDITY_TOO_LONG": _l("the label is valid for longer than allowed"),
}
CHECKS = {"signature": _l("digital signature"), "status_list": _l("revocation list"),
          "suspension_list": _l("suspension list"), "transparency_log": _l("transparency log")}

STAGES = {"raw_materials": _l("Raw materials"), "production": _l("Production"),
          "distribution": _l("Distribution"), "use": _l("Use"),
          "end_of_life": _l("End of life")}
LABEL_TYPES = {"footprint_disclosure": _l("carbon footprint disclosure"),
               "reduction": _l("carbon reduction"), "rating": _l("carbon rating")}
BOUNDARIES = {"cradle-to-gate": _l("cradle to gate"), "cradle-to-grave": _l("cradle to grave"),
              "gate-to-gate": _l("gate to gate")}

# The ISO 14067 split of a result (lca_models.gwp.ISO14067_GROUPS, and aircraft).
ISO14067 = {"fossil": _l("fossil GHG emissions"),
            "biogenic_emissions": _l("biogenic GHG emissions"),
            "biogenic_removals": _l("biogenic GHG removals"),
            "dluc": _l("direct land-use change"), "aircraft": _l("aircraft emissions")}
# Gases whose name needs words; the rest are formulas, the same in every language (gas()).
GASES = {"co2_fossil": _l("CO₂, fossil"), "co2_biogenic": _l("CO₂, biogenic emission"),
         "co2_biogenic_removal": _l("CO₂, biogenic removal"),
         "co2_dluc": _l("CO₂, direct land-use change"), "ch4_fossil": _l("CH₄, fossil"),
         "ch4_biogenic": _l("CH₄, biogenic")}
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
USER_ROLES = {"exporter": _l("exporter"), "certifier": _l("certifier"),
              "admin": _l("administrator")}
ORG_KINDS = {"exporter": _l("exporter"), "certification_body": _l("certification body"),
             "operator": _l("service operator")}
JOB_STATES = {"queued": _l("queued"), "running": _l("running"), "done": _l("done"),
              "failed": _l("failed")}


KINDS: dict[str, dict] = {"state": STATES, "role": ROLES, "error": ERROR_TITLES,
                          "reason": REASONS, "check": CHECKS, "stage": STAGES,
                          "iso14067": ISO14067, "label_type": LABEL_TYPES,
                          "boundary": BOUNDARIES, "user_role": USER_ROLES,
                          "org_kind": ORG_KINDS, "job": JOB_STATES}


def term(kind: str, code) -> str:
    """The words for `code` of `kind` (the code itself when the table does not know it)."""
    found = KINDS[kind].get(code)
    return str(found) if found is not None else str(code)


def gas(code: str) -> str:
    """A gas code in words (CO₂, fossil) or as its formula (N₂O, SF₆, HFC-134a)."""
    if code in GASES:
        return str(GASES[code])
    prefix, _, rest = code.partition("_")
    if prefix in ("hfc", "pfc", "hcfc", "cfc") and rest:
        return f"{prefix.upper()}-{rest}"
    return code.upper().translate(_SUBSCRIPT)


def role_name(role: str) -> str:
    return term("role", role)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(term=term, gas=gas)
