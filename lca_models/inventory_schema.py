"""Reading and validating inventory models (YAML, JSON or Python dicts).

Marshmallow checks the shape (types, required fields, unknown keys caught as typos; the schemas
are in `inventory_shape`); a second pass, here, checks what needs the whole model (formulas,
process references, boundaries, units) and builds the InventoryModel. Every error is keyed by
its field path, e.g. `stages[1].processes[0].inputs[2].unit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from lca_models.errors import ModelValidationError
from lca_models.factor_rows import is_valid_geography
from lca_models.gwp import flows
from lca_models.inventory import (
    ALLOCATION_METHODS,
    STAGES_BY_BOUNDARY,
    Emission,
    Exclusion,
    Input,
    InventoryModel,
    Output,
    Process,
    Product,
    Quantity,
    TransportLeg,
)
from lca_models.inventory_shape import ModelSchema
from lca_models.messages import N_, message_of
from lca_models.parameters import FormulaProblem, evaluate, resolve_parameters
from lca_models.safe_load import load_document
from lca_models.units import UnitProblem, conversion_factor, is_mass


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {'a.b[2].c': [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, list | tuple):
        out.setdefault(prefix or "_schema", []).extend(  # a Message stays one
            m if isinstance(m, str) else str(m) for m in messages)
        return out
    for key, value in messages.items():
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        elif key == "_schema":
            path = prefix or "_schema"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        for p, msgs in flatten_errors(value, path).items():
            out.setdefault(p, []).extend(msgs)
    return out


def load_model(data: Mapping[str, Any]) -> InventoryModel:
    """Validate a model given as plain data; raise ModelValidationError naming every field."""
    if data is None or (isinstance(data, str | Mapping | list) and not data):
        raise ModelValidationError({"_schema": N_(
            "the file is empty: a model needs at least product, declared_unit, boundary, "
            "reference_process and stages")})
    if not isinstance(data, Mapping):
        raise ModelValidationError({"_schema": N_(
            "a model is a set of named fields (product, declared_unit, boundary, "
            "reference_process, stages), not a %(kind)s", kind=type(data).__name__)})
    try:
        raw = ModelSchema().load(data)
    except ValidationError as exc:
        raise ModelValidationError(flatten_errors(exc.messages)) from None
    return _Builder(raw).build()


def parse_model_text(text: str, fmt: str = "yaml") -> Any:
    """Parse outside YAML or JSON within the input limits (`safe_load`): syntax errors and
    duplicate keys are a ModelValidationError with line and column, a limit an
    InputLimitError naming it."""
    return load_document(text, fmt)


def load_model_text(text: str, fmt: str = "yaml") -> InventoryModel:
    return load_model(parse_model_text(text, fmt))


def load_model_file(path: str | Path) -> InventoryModel:
    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return load_model_text(path.read_text("utf-8"), fmt)


class _Builder:
    """The whole-model pass: formulas, references, boundary and unit rules."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.errors: dict[str, list[str]] = {}
        self.values: dict[str, float] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def build(self) -> InventoryModel:
        raw = self.raw
        self.values, param_errors = resolve_parameters(raw["parameters"])
        for name, msg in param_errors.items():
            self.fail(f"parameters.{name}", msg)
        declared = self.quantity(raw["declared_unit"], "declared_unit", positive=True)
        mass = raw["product_mass"] and self.quantity(raw["product_mass"], "product_mass",
                                                     positive=True)
        if mass and not is_mass(mass.unit):
            self.fail("product_mass.unit", N_("'%(unit)s' is not a unit of mass",
                                              unit=mass.unit))
        processes = self.processes()
        self.check_references(processes)
        self.check_exclusions()
        carbon = {kind: self.carbon(raw["carbon_content"], kind) for kind in
                  ("fossil", "biogenic")} if raw["carbon_content"] else {}
        period = raw["reference_period"]
        if period and period["end"] < period["start"]:
            self.fail("reference_period.end", N_("ends before it starts"))
        if self.errors:
            raise ModelValidationError(self.errors)
        return InventoryModel(
            product=Product(**raw["product"]),
            declared_unit=declared,
            boundary=raw["boundary"],
            reference_process=raw["reference_process"],
            processes=tuple(processes),
            product_mass=mass or None,
            reference_period_start=period["start"] if period else None,
            reference_period_end=period["end"] if period else None,
            parameters=tuple(sorted(raw["parameters"].items())),
            parameter_values=tuple(sorted(self.values.items())),
            factor_sets=tuple(raw["factor_sets"]),
            exclusions=tuple(Exclusion(**e) for e in raw["exclusions"]),
            currency=raw["currency"],
            fossil_carbon_kg=carbon.get("fossil"),
            biogenic_carbon_kg=carbon.get("biogenic"),
            notes=raw["notes"],
            schema_version=raw["schema_version"],
        )

    def amount(self, value: float | str, path: str, *, positive: bool = False) -> tuple[
            float, str | None]:
        formula = value if isinstance(value, str) else None
        number = 0.0
        if formula is not None:
            try:
                number = evaluate(formula, self.values)
            except FormulaProblem as exc:
                self.fail(path, message_of(exc))
                return 0.0, formula
        else:
            number = float(value)
        if number < 0 or (positive and number == 0):
            shown = format(number, "g")
            self.fail(path, N_("%(number)s is not allowed: must be greater than zero",
                               number=shown) if positive else
                      N_("%(number)s is not allowed: must be zero or more", number=shown))
        return number, formula

    def carbon(self, raw: Mapping[str, Any], kind: str) -> float | None:
        if raw.get(kind) is None:
            return None
        quantity = self.quantity(raw[kind], f"carbon_content.{kind}", positive=False)
        if not is_mass(quantity.unit):
            self.fail(f"carbon_content.{kind}.unit",
                      N_("'%(unit)s' is not a unit of mass", unit=quantity.unit))
            return None
        return quantity.amount * conversion_factor(quantity.unit, "kg")

    def quantity(self, raw: Mapping[str, Any], path: str, *, positive: bool) -> Quantity:
        number, _ = self.amount(raw["amount"], f"{path}.amount", positive=positive)
        return Quantity(number, raw["unit"])

    def processes(self) -> list[Process]:
        allowed = STAGES_BY_BOUNDARY[self.raw["boundary"]]
        out: list[Process] = []
        for s, stage in enumerate(self.raw["stages"]):
            if stage["stage"] not in allowed:
                self.fail(f"stages[{s}].stage", N_(
                    "'%(stage)s' is outside a %(boundary)s boundary (allowed: %(allowed)s)",
                    stage=stage["stage"], boundary=self.raw["boundary"],
                    allowed=", ".join(allowed)))
            for p, proc in enumerate(stage["processes"]):
                out.append(self.process(proc, stage["stage"], f"stages[{s}].processes[{p}]"))
        return out

    def process(self, raw: Mapping[str, Any], stage: str, path: str) -> Process:
        output = self.output(raw["output"], f"{path}.output", raw["name"] or raw["id"])
        co_products = tuple(self.output(c, f"{path}.co_products[{i}]", None)
                            for i, c in enumerate(raw["co_products"]))
        self.check_allocation(raw, output, co_products, path)
        if raw["location"] and not is_valid_geography(raw["location"]):
            self.fail(f"{path}.location", N_("'%(code)s' is not an ISO 3166 code",
                                             code=raw["location"]))
        inputs = tuple(self.input(x, f"{path}.inputs[{i}]") for i, x in enumerate(raw["inputs"]))
        emissions = tuple(self.emission(x, f"{path}.emissions[{i}]")
                          for i, x in enumerate(raw["emissions"]))
        legs = tuple(self.leg(x, f"{path}.transport[{i}]") for i, x in enumerate(raw["transport"]))
        return Process(id=raw["id"], name=raw["name"] or raw["id"], stage=stage, output=output,
                       inputs=inputs, emissions=emissions, transport=legs,
                       co_products=co_products, allocation=raw["allocation"],
                       location=raw["location"], path=path)

    def output(self, raw: Mapping[str, Any], path: str, default_name: str | None) -> Output:
        amount, _ = self.amount(raw["amount"], f"{path}.amount", positive=True)
        name = raw["name"] or default_name
        if not name:
            self.fail(f"{path}.name", N_("a co-product needs a name"))
        return Output(name=name or "", amount=amount, unit=raw["unit"], price=raw["price"],
                      allocation_value=raw["allocation_value"])

    def check_allocation(self, raw: Mapping[str, Any], output: Output,
                         co_products: tuple[Output, ...], path: str) -> None:
        method = raw["allocation"]
        if not co_products:
            if method:
                self.fail(f"{path}.allocation", N_("allocation needs co_products"))
            return
        if not method:
            self.fail(f"{path}.allocation", N_(
                "a process with co_products needs an allocation method (%(methods)s)",
                methods=", ".join(ALLOCATION_METHODS)))
            return
        for i, out in enumerate((output, *co_products)):
            where = f"{path}.output" if i == 0 else f"{path}.co_products[{i - 1}]"
            if method == "mass" and not is_mass(out.unit):
                self.fail(f"{where}.unit", N_(
                    "mass allocation needs a mass unit, not '%(unit)s'", unit=out.unit))
            if method == "economic" and out.price is None:
                self.fail(f"{where}.price", N_("economic allocation needs a price per unit"))
            if method == "physical" and out.allocation_value is None:
                self.fail(f"{where}.allocation_value",
                          N_("physical allocation needs an allocation_value per unit"))

    def input(self, raw: Mapping[str, Any], path: str) -> Input:
        amount, formula = self.amount(raw["amount"], f"{path}.amount")
        return Input(amount=amount, unit=raw["unit"], factor=raw["factor"],
                     process=raw["process"], formula=formula, primary=raw["primary"],
                     dqr_pedigree=raw["dqr_pedigree"],
                     uncertainty_sigma=raw["uncertainty_sigma"], comment=raw["comment"])

    def emission(self, raw: Mapping[str, Any], path: str) -> Emission:
        amount, formula = self.amount(raw["amount"], f"{path}.amount")
        gas = raw["gas"]
        if gas not in flows() or gas.startswith("co2e_"):
            known = ", ".join(c for c in flows() if not c.startswith("co2e_"))
            self.fail(f"{path}.gas", N_("'%(gas)s' is not a known gas (%(known)s)",
                                        gas=gas, known=known))
        if not is_mass(raw["unit"]):
            self.fail(f"{path}.unit", N_("'%(unit)s' is not a unit of mass", unit=raw["unit"]))
        return Emission(gas=gas, amount=amount, unit=raw["unit"], formula=formula,
                        primary=raw["primary"], comment=raw["comment"])

    def leg(self, raw: Mapping[str, Any], path: str) -> TransportLeg:
        mass = self.quantity(raw["mass"], f"{path}.mass", positive=False)
        distance = self.quantity(raw["distance"], f"{path}.distance", positive=False)
        if not is_mass(mass.unit):
            self.fail(f"{path}.mass.unit", N_("'%(unit)s' is not a unit of mass",
                                              unit=mass.unit))
        try:
            conversion_factor(distance.unit, "km")
        except UnitProblem:
            self.fail(f"{path}.distance.unit", N_("'%(unit)s' is not a unit of length",
                                                  unit=distance.unit))
        return TransportLeg(factor=raw["factor"], mass=mass, distance=distance,
                            primary=raw["primary"], comment=raw["comment"])

    def check_references(self, processes: list[Process]) -> None:
        ids: dict[str, str] = {}
        for proc in processes:
            if proc.id in ids:
                self.fail(f"{proc.path}.id", N_("'%(id)s' is already used by %(path)s",
                                                id=proc.id, path=ids[proc.id]))
            ids.setdefault(proc.id, proc.path)
        if self.raw["reference_process"] not in ids:
            self.fail("reference_process", N_(
                "'%(id)s' is not the id of a process in the model",
                id=self.raw["reference_process"]))
        by_id = {p.id: p for p in processes}
        for proc in processes:
            for i, inp in enumerate(proc.inputs):
                if inp.process is None:
                    continue
                target = by_id.get(inp.process)
                if target is None:
                    self.fail(f"{proc.path}.inputs[{i}].process",
                              N_("'%(id)s' is not the id of a process in the model",
                                 id=inp.process))
                    continue
                try:
                    conversion_factor(inp.unit, target.output.unit)
                except UnitProblem as exc:
                    self.fail(f"{proc.path}.inputs[{i}].unit",
                              N_("%(problem)s (the output unit of process '%(process)s')",
                                 problem=message_of(exc), process=target.id))

    def check_exclusions(self) -> None:
        total = sum(e["share_percent"] for e in self.raw["exclusions"])
        if total >= 100:
            self.fail("exclusions", N_(
                "excluded shares add up to %(total)s %%, which leaves nothing to declare",
                total=format(total, "g")))


__all__ = ["flatten_errors", "load_model", "load_model_file", "load_model_text"]
