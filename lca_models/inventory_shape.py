"""The shape of an inventory model as marshmallow schemas: types, required fields, allowed
values, and unknown keys refused (caught as typos). Only what one field or object can show is
checked here; what needs the whole model is `inventory_schema`'s second pass. Apart from the
loader so the vocabulary of the format (also used by `cbam_schema`) reads on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lca_models.inventory import (
    ALLOCATION_METHODS,
    BOUNDARIES,
    STAGES,
)
from lca_models.messages import N_, message_of
from lca_models.units import UnitProblem, parse_unit

_IDENT = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_PROCESS_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"


class Amount(fields.Field[float | str]):
    """A number, or a formula over the model's parameters (kept as text until evaluated)."""

    # a class-wide default in marshmallow, though its stubs declare it per instance
    default_error_messages: ClassVar[dict[str, str | list[Any] | dict[Any, Any]]] = {  # type: ignore[misc]
        "invalid": N_("must be a number or a formula (text)")}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> float | str:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.make_error("invalid")
        if isinstance(value, str) and not value.strip():
            raise self.make_error("invalid")
        return value.strip() if isinstance(value, str) else float(value)


class Unit(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_unit(text)
        except UnitProblem as exc:
            raise ValidationError(message_of(exc)) from None
        return text


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class QuantitySchema(_Strict):
    amount = Amount(required=True)
    unit = Unit(required=True)


class ProductSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_zh = fields.String(load_default=None)
    gtin = fields.String(load_default=None, validate=validate.Regexp(r"^\d{8}$|^\d{12,14}$"))
    hs_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4,10}$"))
    cn_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{8}$"))
    description = fields.String(load_default=None)

    @validates_schema
    def _gtin_check_digit(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        gtin = data.get("gtin")
        if gtin and not _gtin_ok(gtin):
            raise ValidationError(N_("check digit is wrong"), "gtin")


class OutputSchema(_Strict):
    name = fields.String(load_default=None)
    amount = Amount(required=True)
    unit = Unit(required=True)
    price = fields.Float(load_default=None, validate=validate.Range(min=0))
    allocation_value = fields.Float(load_default=None, validate=validate.Range(min=0))


class InputSchema(_Strict):
    factor = fields.String(load_default=None)
    process = fields.String(load_default=None)
    amount = Amount(required=True)
    unit = Unit(required=True)
    primary = fields.Boolean(load_default=False)
    dqr_pedigree = fields.String(load_default=None, validate=validate.Regexp(r"^[1-5]{5}$"))
    uncertainty_sigma = fields.Float(load_default=None,
                                     validate=validate.Range(min=0, max=3, min_inclusive=False))
    comment = fields.String(load_default=None)

    @validates_schema
    def _one_source(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if (data.get("factor") is None) == (data.get("process") is None):
            raise ValidationError(N_("give exactly one of 'factor' or 'process'"), "factor")


class EmissionSchema(_Strict):
    gas = fields.String(required=True)
    amount = Amount(required=True)
    unit = Unit(required=True)
    primary = fields.Boolean(load_default=True)
    comment = fields.String(load_default=None)


class TransportSchema(_Strict):
    factor = fields.String(required=True)
    mass = fields.Nested(QuantitySchema, required=True)
    distance = fields.Nested(QuantitySchema, required=True)
    primary = fields.Boolean(load_default=False)
    comment = fields.String(load_default=None)


class ProcessSchema(_Strict):
    id = fields.String(required=True, validate=validate.Regexp(
        _PROCESS_ID,
        error=N_("must start with a letter or digit and use letters, digits, _ . -")))
    name = fields.String(load_default=None)
    output = fields.Nested(OutputSchema, required=True)
    co_products = fields.List(fields.Nested(OutputSchema), load_default=list)
    allocation = fields.String(load_default=None, validate=validate.OneOf(ALLOCATION_METHODS))
    location = fields.String(load_default=None)
    inputs = fields.List(fields.Nested(InputSchema), load_default=list)
    emissions = fields.List(fields.Nested(EmissionSchema), load_default=list)
    transport = fields.List(fields.Nested(TransportSchema), load_default=list)


class StageSchema(_Strict):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    processes = fields.List(fields.Nested(ProcessSchema), required=True)


class PeriodSchema(_Strict):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class ExclusionSchema(_Strict):
    description = fields.String(required=True)
    share_percent = fields.Float(required=True, validate=validate.Range(min=0, max=100))


class CarbonContentSchema(_Strict):
    """Carbon contained in the product per declared unit (PACT v3 asks for it)."""

    fossil = fields.Nested(QuantitySchema, load_default=None)
    biogenic = fields.Nested(QuantitySchema, load_default=None)


class PcrRefSchema(_Strict):
    """The product-category rule the model follows; checked against the PCR registry."""

    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$"))
    version = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ModelSchema(_Strict):
    schema_version = fields.Integer(load_default=1, validate=validate.Equal(1))
    product = fields.Nested(ProductSchema, required=True)
    declared_unit = fields.Nested(QuantitySchema, required=True)
    product_mass = fields.Nested(QuantitySchema, load_default=None)
    boundary = fields.String(required=True, validate=validate.OneOf(BOUNDARIES))
    reference_period = fields.Nested(PeriodSchema, load_default=None)
    reference_process = fields.String(required=True)
    currency = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Z]{3}$"))
    parameters = fields.Dict(keys=fields.String(validate=validate.Regexp(_IDENT)),
                             values=Amount(), load_default=dict)
    factor_sets = fields.List(fields.String(), load_default=list)
    stages = fields.List(fields.Nested(StageSchema), required=True,
                         validate=validate.Length(min=1))
    exclusions = fields.List(fields.Nested(ExclusionSchema), load_default=list)
    carbon_content = fields.Nested(CarbonContentSchema, load_default=None)
    pcr = fields.Nested(PcrRefSchema, load_default=None)
    notes = fields.String(load_default=None)


def _gtin_ok(gtin: str) -> bool:
    digits = [int(c) for c in gtin]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check
