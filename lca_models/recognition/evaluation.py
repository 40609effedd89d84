"""Judging label metadata against a scheme: one check per rule kind, each failed rule a
machine-readable Reason (field, what the scheme expects, what the label has, the rule's source),
and the Evaluation that sums them into an outcome. An outcome is an evaluation only: the scheme
owner decides recognition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, cast

from lca_models.recognition.metadata import (
    RecognitionMetadata,
    _plain,
)
from lca_models.recognition.schemes import Agreement, Scheme, Severity, Source

Outcome = Literal["recognised", "recognised_with_conditions", "not_recognised"]

# Stages each boundary covers, so a boundary mismatch can name the stages to add.
_STAGES = {
    "gate-to-gate": ("production",),
    "cradle-to-gate": ("raw material acquisition", "production"),
    "cradle-to-grave": ("raw material acquisition", "production", "distribution", "use",
                        "end-of-life"),
}
_LEVEL_RANK = {"limited": 1, "reasonable": 2}

@dataclass(frozen=True)
class Reason:
    code: str
    field: str
    expected: Any
    found: Any
    severity: Severity
    source: Source | None
    illustrative: bool


@dataclass(frozen=True)
class Evaluation:
    scheme_id: str
    outcome: Outcome
    reasons: tuple[Reason, ...]
    adjustments: tuple[str, ...]
    notes: tuple[str, ...]
    home_scheme: bool
    agreement: Agreement | None
    illustrative: bool

    def to_dict(self) -> dict[str, Any]:
        return cast("dict[str, Any]", _plain(self))


def evaluate(metadata: RecognitionMetadata, scheme: Scheme, *, on: date | None = None
             ) -> Evaluation:
    """Judge a label against a scheme; `on` also checks the label is valid on that date."""
    reasons: list[Reason] = []
    adjustments: list[str] = []
    for rule in scheme.rules:
        for code, path, expected, found, fix in _CHECKS[rule.kind](metadata, rule.params):
            reasons.append(Reason(code, path, expected, found, rule.severity, rule.source,
                                  rule.illustrative))
            if fix and fix not in adjustments:
                adjustments.append(fix)
    validity = metadata.validity
    if on is not None and not validity.valid_from <= on <= validity.valid_until:
        reasons.append(Reason("LABEL_NOT_VALID_ON_DATE", "validity", on.isoformat(),
                              _plain(validity), "required", None, False))
        adjustments.append("renew the label: it is not valid on the date asked about")
    severities = {r.severity for r in reasons}
    outcome: Outcome = ("not_recognised" if "required" in severities else
                        "recognised_with_conditions" if severities else "recognised")
    home = metadata.home_scheme_id == scheme.id
    agreement = next((a for a in scheme.agreements if a.with_scheme == metadata.home_scheme_id),
                     None)
    notes = [f"the label was issued under {scheme.name} itself (home scheme)"] if home else []
    if agreement is not None:
        kind = ("a mutual recognition agreement" if agreement.status == "mutual_recognition" else
                "a memorandum of understanding only; it does not by itself recognise labels")
        notes.append(f"{scheme.name} has {kind} with {agreement.with_scheme} "
                     f"({agreement.reference}, {agreement.date.isoformat()}; "
                     f"source {agreement.source.url})")
    illustrative = scheme.illustrative or any(r.illustrative for r in scheme.rules)
    if illustrative:
        notes.append("some rules of this scheme are illustrative (not confirmed against a "
                     "public source or set by this service); treat the outcome as indicative")
    return Evaluation(scheme.id, outcome, tuple(reasons), tuple(adjustments), tuple(notes), home,
                      agreement, illustrative)


# A check returns findings: (code, field, expected, found, suggested adjustment or None).
Finding = tuple[str, str, Any, Any, str | None]


def _standards(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    used = {_norm(s.name): s.version for s in m.standards}
    matched = [s for s in p["standards"] if _norm(s["id"]) in used]
    if any(_version_ok(used[_norm(s["id"])], s.get("min_version")) for s in matched):
        return []
    expected = tuple(s["id"] + (f":{s['min_version']} or later" if s.get("min_version") else "")
                     for s in p["standards"])
    found = tuple(f"{s.name}:{s.version}" if s.version else s.name for s in m.standards)
    code = "STANDARD_VERSION_TOO_OLD" if matched else "STANDARD_NOT_ACCEPTED"
    return [(code, "standards", expected, found,
             f"re-state the footprint against one of: {', '.join(expected)}")]


def _gwp(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    return [] if m.gwp_set in p["allowed"] else [
        ("GWP_SET_NOT_ACCEPTED", "gwp_set", p["allowed"], m.gwp_set,
         f"recompute with {p['allowed'][0]}")]


def _boundary(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    if m.boundary in p["allowed"]:
        return []
    have = _STAGES[m.boundary]
    gaps = sorted(([s for s in _STAGES[b] if s not in have] for b in p["allowed"]
                   if set(_STAGES[b]) >= set(have)), key=len)
    fix = (f"boundary gap: add {_and(gaps[0])} stages" if gaps else
           f"report the {p['allowed'][0]} part of the footprint separately")
    return [("BOUNDARY_NOT_ACCEPTED", "boundary", p["allowed"], m.boundary, fix)]


def _verification(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    a, out = m.assurance, list[Finding]()
    bodies = p.get("accepted_accreditation_bodies") or ()
    by = f" by a body accredited by {' or '.join(bodies)}" if bodies else ""
    if p.get("third_party_required") and (a is None or a.type != "third_party"):
        out.append(("THIRD_PARTY_VERIFICATION_MISSING", "assurance.type", "third_party",
                    a.type if a else None, f"third-party verification{by} needed"))
    found_body = a.accreditation_body if a else None
    if bodies and _norm(found_body or "") not in {_norm(b) for b in bodies}:
        out.append(("ACCREDITATION_BODY_NOT_ACCEPTED", "assurance.accreditation_body", bodies,
                    found_body, f"third-party verification{by} needed"))
    level = p.get("min_level")
    if level and _LEVEL_RANK.get((a.level if a else None) or "", 0) < _LEVEL_RANK[level]:
        out.append(("ASSURANCE_LEVEL_TOO_LOW", "assurance.level", level,
                    a.level if a else None, f"{level} assurance needed"))
    return out


def _validity(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    limit = _add_years(m.validity.valid_from, p["years"])
    if m.validity.valid_until <= limit:
        return []
    return [("VALIDITY_TOO_LONG", "validity.valid_until", f"on or before {limit.isoformat()}",
             m.validity.valid_until.isoformat(), f"shorten the validity to end by {limit}")]


def _data_age(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    cutoff = _add_years(m.issue_date, -p["years"])
    if m.reference_period.end >= cutoff:
        return []
    return [("DATA_TOO_OLD", "reference_period.end", f"on or after {cutoff.isoformat()}",
             m.reference_period.end.isoformat(),
             f"update activity data to a reference period ending on or after {cutoff}")]


def _pcr(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    accepted = p.get("accepted_source_types") or ("national", "group", "pcr_programme")
    rules = m.product_rules
    fix = f"apply product category rules from a {' or '.join(accepted)} source"
    if rules is None or rules.source_type == "none":
        return [("PCR_MISSING", "product_rules", accepted, None, fix)]
    if rules.source_type not in accepted:
        return [("PCR_SOURCE_NOT_ACCEPTED", "product_rules.source_type", accepted,
                 rules.source_type, fix)]
    return []


def _electricity(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    e, out = m.electricity, list[Finding]()
    allowed = p.get("allowed_approaches")
    if allowed and e.approach not in allowed:
        out.append(("ELECTRICITY_APPROACH_NOT_ACCEPTED", "electricity.approach", allowed,
                    e.approach, f"recompute electricity {allowed[0]}"))
    if p.get("certificates_accepted") is False and e.certificates_used:
        out.append(("ELECTRICITY_CERTIFICATES_NOT_ACCEPTED", "electricity.certificates_used",
                    False, True, "recompute electricity without renewable energy certificates "
                    "(grid mix, location-based)"))
    return out


def _label_type(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    return [] if m.label_type in p["offered"] else [
        ("LABEL_TYPE_NOT_OFFERED", "label_type", p["offered"], m.label_type,
         f"claim the footprint as one of: {', '.join(p['offered'])}")]


def _primary_share(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    share = m.primary_data_share
    if share is not None and share >= p["share"]:
        return []
    return [("PRIMARY_DATA_SHARE_TOO_LOW", "primary_data_share", p["share"], share,
             f"raise the primary data share to at least {p['share']:.0%}")]


def _exclusions(m: RecognitionMetadata, p: Mapping[str, Any]) -> list[Finding]:
    excluded = m.exclusions_percent
    if excluded is not None and excluded <= p["percent"]:
        return []
    return [("EXCLUSIONS_TOO_HIGH", "exclusions_percent", p["percent"], excluded,
             f"include excluded flows until at most {p['percent']:g}% is cut off")]


_CHECKS: Mapping[str, Callable[[RecognitionMetadata, Mapping[str, Any]], list[Finding]]] = {
    "accepted_standards": _standards, "gwp_sets": _gwp, "boundary": _boundary,
    "verification": _verification, "max_validity_years": _validity,
    "max_data_age_years": _data_age, "pcr_required": _pcr, "electricity": _electricity,
    "label_types": _label_type, "min_primary_data_share": _primary_share,
    "max_exclusions_percent": _exclusions,
}


def _norm(text: str) -> str:
    return re.sub(r"[\s:]+", "", text).upper()


def _version_ok(found: str | None, minimum: str | None) -> bool:
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", v))
    return not minimum or (found is not None and key(found) >= key(minimum))


def _add_years(day: date, years: float) -> date:
    whole = int(years)
    try:
        shifted = day.replace(year=day.year + whole)
    except ValueError:  # 29 February in a year without one
        shifted = day.replace(year=day.year + whole, day=28)
    return shifted + timedelta(days=round((years - whole) * 365.25))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
