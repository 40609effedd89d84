"""Life-cycle inventory models: what a product's footprint is computed from.

A model is a set of processes, grouped by life-cycle stage, each making one reference output
from inputs (emission factors or other processes of the model), direct emissions and
transport legs. Models are read from YAML/JSON or built in Python, and are immutable once
loaded; `inventory_schema` does the validation and names the field path of every error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

Boundary = Literal["cradle-to-gate", "cradle-to-grave", "gate-to-gate"]
BOUNDARIES: tuple[str, ...] = ("cradle-to-gate", "cradle-to-grave", "gate-to-gate")
STAGES: tuple[str, ...] = ("raw_materials", "production", "distribution", "use", "end_of_life")
#: Stages each boundary may contain (ISO 14067:2018 3.1.4 and 6.3.4 system boundary).
STAGES_BY_BOUNDARY = {
    "cradle-to-gate": ("raw_materials", "production"),
    "gate-to-gate": ("production",),
    "cradle-to-grave": STAGES,
}
ALLOCATION_METHODS: tuple[str, ...] = ("mass", "economic", "physical")


@dataclass(frozen=True)
class Quantity:
    amount: float
    unit: str


@dataclass(frozen=True)
class Product:
    name: str
    name_zh: str | None = None
    gtin: str | None = None
    hs_code: str | None = None
    cn_code: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Input:
    """An input of a process: `factor` (emission factor id) or `process` (another process)."""

    amount: float
    unit: str
    factor: str | None = None
    process: str | None = None
    formula: str | None = None  # the formula `amount` came from, if any
    primary: bool = False
    dqr_pedigree: str | None = None
    uncertainty_sigma: float | None = None  # lognormal sigma of ln(amount), primary data
    comment: str | None = None


@dataclass(frozen=True)
class Emission:
    """A direct emission measured or calculated at the process (primary data)."""

    gas: str
    amount: float
    unit: str
    formula: str | None = None
    primary: bool = True
    comment: str | None = None


@dataclass(frozen=True)
class TransportLeg:
    factor: str
    mass: Quantity
    distance: Quantity
    primary: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class Output:
    """An output; `price` (per unit, in the model's currency) or `allocation_value` (per unit,
    e.g. MJ/kg) drive economic and physical allocation."""

    name: str
    amount: float
    unit: str
    price: float | None = None
    allocation_value: float | None = None


@dataclass(frozen=True)
class Process:
    id: str
    name: str
    stage: str
    output: Output
    inputs: tuple[Input, ...] = ()
    emissions: tuple[Emission, ...] = ()
    transport: tuple[TransportLeg, ...] = ()
    co_products: tuple[Output, ...] = ()
    allocation: str | None = None
    location: str | None = None
    path: str = ""  # field path of this process in the source document, for messages


@dataclass(frozen=True)
class Exclusion:
    description: str
    share_percent: float


@dataclass(frozen=True)
class InventoryModel:
    product: Product
    declared_unit: Quantity
    boundary: str
    reference_process: str
    processes: tuple[Process, ...]
    product_mass: Quantity | None = None
    reference_period_start: date | None = None
    reference_period_end: date | None = None
    parameters: tuple[tuple[str, float | str], ...] = ()
    parameter_values: tuple[tuple[str, float], ...] = ()
    factor_sets: tuple[str, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    currency: str | None = None
    fossil_carbon_kg: float | None = None  # carbon contained per declared unit (not emitted)
    biogenic_carbon_kg: float | None = None
    notes: str | None = None
    schema_version: int = 1
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def process(self, process_id: str) -> Process:
        for proc in self.processes:
            if proc.id == process_id:
                return proc
        raise KeyError(process_id)

    @cached_property
    def canonical_json(self) -> bytes:
        """RFC 8785 bytes of `to_canonical()`, worked out once per (immutable) model."""
        from lca_models.canonical import canonical_json

        return canonical_json(self.to_canonical())

    def to_canonical(self) -> dict[str, Any]:
        """Plain data for hashing and storage: what was computed, formulas and all.

        Written out by hand rather than with `dataclasses.asdict`, which deep-copies every
        value and dominated the cost of hashing large models; unset (None) fields are left
        out, so adding an optional field later does not change existing hashes.
        """
        return {
            "schema_version": self.schema_version,
            "product": _plain(self.product),
            "declared_unit": _plain(self.declared_unit),
            "product_mass": _plain(self.product_mass) if self.product_mass else None,
            "boundary": self.boundary,
            "reference_process": self.reference_process,
            "reference_period_start": _iso(self.reference_period_start),
            "reference_period_end": _iso(self.reference_period_end),
            "parameters": [[k, v] for k, v in self.parameters],
            "parameter_values": [[k, v] for k, v in self.parameter_values],
            "factor_sets": list(self.factor_sets),
            "exclusions": [_plain(e) for e in self.exclusions],
            "currency": self.currency,
            "notes": self.notes,
            "processes": [_process(p) for p in self.processes],
            **{k: v for k, v in (("fossil_carbon_kg", self.fossil_carbon_kg),
                                 ("biogenic_carbon_kg", self.biogenic_carbon_kg))
               if v is not None},  # only when given, so older models keep their hashes
        }


def _plain(obj: Any) -> dict[str, Any]:
    """Fields of a flat model dataclass (Quantity nested at most), leaving out unset ones."""
    return {k: (_plain(v) if isinstance(v, Quantity) else v)
            for k, v in vars(obj).items() if v is not None}


def _process(proc: Process) -> dict[str, Any]:
    return {
        "id": proc.id, "name": proc.name, "stage": proc.stage, "output": _plain(proc.output),
        "inputs": [_plain(i) for i in proc.inputs],
        "emissions": [_plain(e) for e in proc.emissions],
        "transport": [_plain(t) for t in proc.transport],
        "co_products": [_plain(c) for c in proc.co_products],
        "allocation": proc.allocation, "location": proc.location,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
