"""The scheme registry: the rule kinds a scheme file may use and their parameters, the Scheme,
Rule and Agreement records, and loading `data/schemes/*.yaml`, where one bad file fails the
whole load so no rule is silently dropped. Kept apart from the evaluation so the data format
and its checks can be read without the judging logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

from lca_models.errors import InputLimitError, LcaModelError, MalformedInput
from lca_models.recognition.metadata import (
    AssuranceLevel,
    Boundary,
    ElectricityApproach,
    GwpSet,
    LabelType,
    MetadataError,
    PcrSourceType,
    _build,
)
from lca_models.safe_load import load_yaml

Severity = Literal["required", "condition"]
AgreementStatus = Literal["mutual_recognition", "memorandum_of_understanding"]

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

class SchemeFileError(LcaModelError):
    """A scheme file is invalid; the message names the file and, where known, the rule index."""

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
        return cast("Scheme", _build(cls, data, ""))


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
