"""Recognition metadata: what a label states for a scheme owner to judge (PRODUCT.md §3.5),
its vocabularies, and the strict conversion between these dataclasses and plain JSON/YAML data
(unknown fields refused, every error naming its dotted path). The scheme files are read with the
same conversion, so it lives here, below both the scheme registry and the evaluation.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import date
from functools import cache
from typing import Any, Literal, Union, cast, get_args, get_origin, get_type_hints

from lca_models.errors import LcaModelError

Boundary = Literal["cradle-to-gate", "cradle-to-grave", "gate-to-gate"]
GwpSet = Literal["AR6", "AR5", "AR4"]
PcrSourceType = Literal["national", "group", "pcr_programme", "none"]
ElectricityApproach = Literal["location-based", "market-based"]
AssuranceType = Literal["third_party", "critical_review", "self"]
AssuranceLevel = Literal["limited", "reasonable"]
LabelType = Literal["footprint_disclosure", "reduction", "rating"]

class MetadataError(LcaModelError):
    """A document (label metadata or scheme) is malformed; `field` is the dotted path to fix."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


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
    return cast("tuple[StandardRef, ...]",
                _convert(tuple[StandardRef, ...], raw or [], "standards"))


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
        return cast("RecognitionMetadata", _build(cls, data, ""))

    def to_dict(self) -> dict[str, Any]:
        return cast("dict[str, Any]", _plain(self))



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
        return _build(cast(type, tp), value, path)
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
