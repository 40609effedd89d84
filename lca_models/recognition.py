"""Mutual recognition of carbon labels: does a label issued here satisfy a partner's scheme?

A partner needs an answer it can act on, so every failed rule comes back as a machine-readable
reason naming the metadata field, what the scheme expects, what the label has and the public
source of the rule. Schemes are data (`data/schemes/*.yaml`) because their rules change more
often than this code and each must be traceable; a rule we could not confirm is marked
`illustrative` so nobody mistakes our guess for the scheme's own text.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from lca_models.errors import InputLimitError, LcaModelError, MalformedInput
from lca_models.safe_load import load_yaml

Boundary = Literal["cradle-to-gate", "cradle-to-grave", "gate-to-gate"]
GwpSet = Literal["AR6", "AR5", "AR4"]
PcrSourceType = Literal["national", "group", "pcr_programme", "none"]
ElectricityApproach = Literal["location-based", "market-based"]
AssuranceType = Literal["third_party", "critical_review", "self"]
AssuranceLevel = Literal["limited", "reasonable"]
LabelType = Literal["footprint_disclosure", "reduction", "rating"]
Severity = Literal["required", "condition"]
Outcome = Literal["recognised", "recognised_with_conditions", "not_recognised"]
AgreementStatus = Literal["mutual_recognition", "memorandum_of_understanding"]

# Stages each boundary covers, so a boundary mismatch can name the stages to add.
_STAGES = {
    "gate-to-gate": ("production",),
    "cradle-to-gate": ("raw material acquisition", "production"),
    "cradle-to-grave": ("raw material acquisition", "production", "distribution", "use",
                        "end-of-life"),
}
_LEVEL_RANK = {"limited": 1, "reasonable": 2}
_NUM = (int, float)
# rule kind -> parameter -> (python type, allowed values or None, required)
RULE_KINDS: Mapping[str, Mapping[str, tuple[Any, tuple[str, ...] | None, bool]]] = {
    "accepted_standards": {"standards": (list, None, True)},
    "gwp_sets": {"allowed": (list, get_args(GwpSet), True)},
    "boundary": {"allowed": (list, get_args(Boundary), True)},
    "verification": {"third_party_required": (bool, None, False),
                     "accepted_accreditation_bodies": (list, None, False),
                     "min_level": (str, get_args(AssuranceLevel), False)},
    "max_validity_years": {"years": (_NUM, None, True)},
    "max_data_age_years": {"years": (_NUM, None, True)},
    "pcr_required": {"accepted_source_types": (list, get_args(PcrSourceType), False)},
    "electricity": {"certificates_accepted": (bool, None, False),
                    "allowed_approaches": (list, get_args(ElectricityApproach), False)},
    "label_types": {"offered": (list, get_args(LabelType), True)},
    "min_primary_data_share": {"share": (_NUM, None, True)},
    "max_exclusions_percent": {"percent": (_NUM, None, True)},
}


class MetadataError(LcaModelError):
    """A document (label metadata or scheme) is malformed; `field` is the dotted path to fix."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class SchemeFileError(LcaModelError):
    """A scheme file is invalid; the message names the file and, where known, the rule index."""


@dataclass(frozen=True)
class StandardRef:
    """A calculation standard by name ("ISO 14067") and version ("2018"). Credentials issued
    before context v2 spelled the name `id`, which JSON-LD reads as the node's IRI (`@id`), so
    a processor refused them; `from_dict` still reads that spelling, since those credentials
    are signed and cannot change."""

    name: str
    version: str | None = None


def read_standards(raw: Any) -> tuple[StandardRef, ...]:
    """The `standards` of recognition metadata as stored in a credential, old or new spelling."""
    return _convert(tuple[StandardRef, ...], raw or [], "standards")


# Field names of earlier documents, read as today's: {class: {old name: new name}}.
_LEGACY_FIELDS: Mapping[type, Mapping[str, str]] = {StandardRef: {"id": "name"}}


@dataclass(frozen=True)
class ProductRules:
    operator: str
    name: str
    source_type: PcrSourceType
    version: str | None = None


@dataclass(frozen=True)
class ElectricityModelling:
    approach: ElectricityApproach
    certificates_used: bool


@dataclass(frozen=True)
class DatabaseRef:
    name: str
    version: str


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass(frozen=True)
class Assurance:
    type: AssuranceType
    level: AssuranceLevel | None = None
    standard: str | None = None
    verification_body: str | None = None
    accreditation_body: str | None = None
    accreditation_number: str | None = None
    scope: str | None = None


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class RecognitionRecord:
    """A recognition already granted, kept on the label so partners see gaps and adjustments."""

    target_scheme: str
    date: date
    agreement_reference: str | None = None
    conditions: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    adjustments_applied: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecognitionMetadata:
    """What a scheme owner needs to decide recognition (PRODUCT.md §3.5)."""

    standards: tuple[StandardRef, ...]
    boundary: Boundary
    declared_unit: str
    gwp_set: GwpSet
    lcia_method: str
    electricity: ElectricityModelling
    reference_period: Period
    validity: Validity
    home_scheme_id: str
    label_type: LabelType
    issue_date: date
    product_rules: ProductRules | None = None
    secondary_databases: tuple[DatabaseRef, ...] = ()
    primary_data_share: float | None = None
    data_quality_rating: float | None = None
    uncertainty_statement: str | None = None
    exemptions: tuple[str, ...] = ()
    exclusions_percent: float | None = None
    allocation_methods: tuple[str, ...] = ()
    assurance: Assurance | None = None
    recognitions: tuple[RecognitionRecord, ...] = ()

    def __post_init__(self) -> None:
        # Checked here so hand-built metadata is held to the same bounds as parsed JSON.
        for name, low, high in (("primary_data_share", 0, 1), ("data_quality_rating", 1, 5),
                                ("exclusions_percent", 0, 100)):
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise MetadataError(name, f"must be between {low} and {high}, not {value}")
        if self.reference_period.end < self.reference_period.start:
            raise MetadataError("reference_period.end", "is before reference_period.start")
        if self.validity.valid_until < self.validity.valid_from:
            raise MetadataError("validity.valid_until", "is before validity.valid_from")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecognitionMetadata:
        return _build(cls, data, "")

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class Source:
    url: str
    section: str

    def __post_init__(self) -> None:
        if not self.url.strip() or not self.section.strip():
            raise MetadataError("url" if not self.url.strip() else "section", "must not be empty")


@dataclass(frozen=True)
class Rule:
    kind: str
    severity: Severity
    source: Source | None = None
    illustrative: bool = False
    note: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        spec = RULE_KINDS.get(self.kind)
        if spec is None:
            raise MetadataError("kind", f"unknown rule kind '{self.kind}'; expected one of "
                                f"{', '.join(RULE_KINDS)}")
        if self.source is None and not self.illustrative:
            raise MetadataError("source", f"missing for the {self.kind} rule: give url and "
                                "section, or mark it illustrative: true with a note")
        if self.illustrative and not self.note:
            raise MetadataError("note", "an illustrative rule needs a note saying why")
        object.__setattr__(self, "params", MappingProxyType(_check_params(spec, self.params)))


@dataclass(frozen=True)
class Agreement:
    """A recognition arrangement with another scheme; never `illustrative`, it needs a source."""

    with_scheme: str
    status: AgreementStatus
    reference: str
    date: date
    conditions: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    operator: str
    jurisdiction: str
    source_urls: tuple[str, ...]
    illustrative: bool
    rules: tuple[Rule, ...]
    agreements: tuple[Agreement, ...] = ()
    note: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        return _build(cls, data, "")


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
        return _plain(self)


def load_schemes(directory: str | Path | None = None) -> dict[str, Scheme]:
    """Every scheme file, by id; one bad file fails the load so no rule is silently dropped."""
    root = Path(directory) if directory else Path(str(resources.files("lca_models")))
    schemes: dict[str, Scheme] = {}
    for path in sorted((root if directory else root / "data" / "schemes").glob("*.yaml")):
        try:
            scheme = _build(Scheme, load_yaml(path.read_text("utf-8")), "")
        except (MalformedInput, InputLimitError) as exc:
            raise SchemeFileError(f"{path.name}: not valid YAML: {exc}") from None
        except MetadataError as exc:
            raise SchemeFileError(f"{path.name}: {exc}") from None
        if scheme.id != path.stem:
            raise SchemeFileError(f"{path.name}: scheme id '{scheme.id}' must match the file name")
        schemes[scheme.id] = scheme
    return schemes


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
    a, out = m.assurance, []
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
    e, out = m.electricity, []
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


def _check_params(spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(params, Mapping):
        raise MetadataError("params", "must be a mapping")
    unknown = sorted(set(params) - set(spec))
    if unknown:
        raise MetadataError(f"params.{unknown[0]}", "unknown parameter")
    out = {}
    for name, (tp, choices, required) in spec.items():
        if name not in params:
            if required:
                raise MetadataError(f"params.{name}", "is required")
            continue
        value = params[name]
        if not isinstance(value, tp) or (isinstance(value, bool) and tp is _NUM):
            raise MetadataError(f"params.{name}", "has the wrong type")
        bad = [v for v in (value if isinstance(value, list) else [value])
               if choices and v not in choices]
        if bad:
            raise MetadataError(f"params.{name}", f"unknown values {bad}; use {list(choices)}")
        out[name] = tuple(value) if isinstance(value, list) else value
    for item in out.get("standards", ()):
        if not isinstance(item, Mapping) or not item.get("id") or set(item) - {"id", "min_version"}:
            raise MetadataError("params.standards", "each entry needs id (and min_version)")
    if "standards" in out:  # YAML reads an unquoted 2018 as a number; versions are text
        out["standards"] = tuple(MappingProxyType({k: str(v) for k, v in s.items()})
                                 for s in out["standards"])
    return out


@cache
def _type_hints(cls: type) -> dict[str, Any]:
    """Resolving a dataclass's string annotations costs more than the conversion itself, and
    they never change: resolve once per class (a label's approval builds several)."""
    return get_type_hints(cls)


def _build(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise MetadataError(path or "<document>", "must be a mapping")
    for old, new in _LEGACY_FIELDS.get(cls, {}).items():
        if old in data:
            if new in data:
                raise MetadataError(_join(path, old), f"give {new} only ({old} is its old name)")
            data = {(new if key == old else key): value for key, value in data.items()}
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        raise MetadataError(_join(path, unknown[0]), "unknown field")
    hints, kwargs = _type_hints(cls), {}
    for f in fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name], _join(path, f.name))
        elif f.default is MISSING and f.default_factory is MISSING:
            raise MetadataError(_join(path, f.name), "is required")
    try:
        return cls(**kwargs)
    except MetadataError as exc:
        raise MetadataError(_join(path, exc.field), exc.message) from None


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        inner = next(a for a in args if a is not type(None))
        return None if value is None else _convert(inner, value, path)
    if origin is Literal:
        if value not in args:
            raise MetadataError(path, f"must be one of {', '.join(args)}, not {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise MetadataError(path, "must be a list")
        return tuple(_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is Mapping and isinstance(value, Mapping):
        return dict(value)
    if is_dataclass(tp):
        return _build(tp, value, path)
    if tp is date and not isinstance(value, date):
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise MetadataError(path, f"must be an ISO date (YYYY-MM-DD), not {value!r}") from None
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp in (str, bool, date) and isinstance(value, tp):
        return value
    raise MetadataError(path, f"must be of type {getattr(tp, '__name__', tp)}")


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value.isoformat() if isinstance(value, date) else value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


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
