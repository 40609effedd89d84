"""The shape of a CBAM report input: marshmallow schemas, one per block of the document.

Shape rules (types, ranges, required keys, unknown keys as typos) live here so that every
error carries its field path; rules that need the whole document (references, cycles, CN
coverage, sector parameters) are in `cbam_input`.
"""

from __future__ import annotations

import re
from typing import Any

import pycountry
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lca_models.cbam_data import APPROACHES, EL_SOURCES, SECTOR_OF
from lca_models.inventory_shape import Unit
from lca_models.messages import N_

_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$", error="use letters, digits, _ . -")
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _ge0(**kw: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0), allow_nan=False, **kw)


def _share(**kw: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0, max=1), allow_nan=False, **kw)


def _country(value: str) -> None:
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(N_("'%(code)s' is not an ISO 3166-1 alpha-2 country code",
                                 code=value))


class _S(Schema):
    class Meta:
        unknown = RAISE


class QtySchema(_S):
    amount = fields.Float(required=True, allow_nan=False)
    unit = Unit(required=True)


class PositiveQtySchema(QtySchema):
    amount = fields.Float(required=True, allow_nan=False, validate=validate.Range(
        min=0, min_inclusive=False, error="must be greater than zero"))


class NonNegQtySchema(QtySchema):
    amount = _ge0(required=True)


class OperatorSchema(_S):
    name = fields.String(required=True, validate=validate.Length(min=1))
    identifier = fields.String(required=True, validate=validate.Length(min=1))
    identifier_type = fields.String(load_default="USCC")
    address = fields.String(required=True)

    @validates_schema
    def _uscc(self, data: dict[str, Any], **kw: Any) -> None:
        if data.get("identifier_type") == "USCC" and not _uscc_ok(data.get("identifier", "")):
            raise ValidationError(N_("not a valid unified social credit code (18 characters, "
                                     "check digit per GB 32100-2015)"), "identifier")


class AddressSchema(_S):
    street = fields.String(required=True)
    city = fields.String(required=True)
    postcode = fields.String(load_default=None)


class CoordinatesSchema(_S):
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class PeriodSchema(_S):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class InstallationSchema(_S):
    operator = fields.Nested(OperatorSchema, required=True)
    name_en = fields.String(required=True, validate=validate.Length(min=1))
    name_local = fields.String(load_default=None)
    address = fields.Nested(AddressSchema, required=True)
    economic_activity = fields.String(required=True)
    country = fields.String(required=True, validate=_country)
    subdivision = fields.String(load_default=None)
    unlocode = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Z]{2}[A-Z2-9]{3}$", error="a UN/LOCODE is 2 letters + 3 letters/digits"))
    coordinates = fields.Nested(CoordinatesSchema, required=True)
    reporting_period = fields.Nested(PeriodSchema, required=True)


class StreamSchema(_S):
    id = fields.String(required=True, validate=_ID)
    name = fields.String(load_default=None)
    process = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(
        ("combustion", "process", "mass_balance")))
    quantity = fields.Nested(NonNegQtySchema, required=True)
    ncv = fields.Nested(NonNegQtySchema, load_default=None)
    emission_factor = fields.Nested(NonNegQtySchema, load_default=None)
    factor = fields.String(load_default=None)
    oxidation_factor = _share(load_default=1.0)
    conversion_factor = _share(load_default=1.0)
    carbon_content = _share(load_default=None)
    direction = fields.String(load_default="input", validate=validate.OneOf(("input", "output")))
    biomass_share = _share(load_default=0.0)
    comment = fields.String(load_default=None)


class HeatSchema(_S):
    energy_tj = _ge0(required=True)
    emission_factor_t_per_tj = _ge0(required=True)


def _el_source(value: str) -> None:
    if "guarantee" in value.lower():
        raise ValidationError(N_("guarantees of origin do not qualify; use the country default"))
    validate.OneOf(EL_SOURCES)(value)


class ElFactorSchema(_S):
    source = fields.String(required=True, validate=_el_source)
    factor = fields.String(load_default=None)
    value_t_per_mwh = _ge0(load_default=None)
    evidence = fields.String(load_default=None)

    @validates_schema
    def _one(self, data: dict[str, Any], **kw: Any) -> None:
        if (data.get("factor") is None) == (data.get("value_t_per_mwh") is None):
            raise ValidationError(N_("give exactly one of 'factor' or 'value_t_per_mwh'"),
                                  "factor")


class OtherEmissionSchema(_S):
    approach = fields.String(required=True, validate=validate.OneOf(APPROACHES[1:]))
    amount_t = _ge0(required=True)
    description = fields.String(load_default=None)


class PrecursorUseSchema(_S):
    precursor = fields.String(required=True)
    mass_t = _ge0(required=True)


class ProcessSchema(_S):
    id = fields.String(required=True, validate=_ID)
    name = fields.String(load_default=None)
    goods_category = fields.String(required=True, validate=validate.OneOf(SECTOR_OF))
    route = fields.String(load_default=None)
    activity_level = fields.Nested(PositiveQtySchema, required=True)
    other_direct_emissions = fields.List(fields.Nested(OtherEmissionSchema), load_default=list)
    heat_imported = fields.Nested(HeatSchema, load_default=None)
    heat_exported = fields.Nested(HeatSchema, load_default=None)
    waste_gas_imported_t = _ge0(load_default=0.0)
    waste_gas_exported_t = _ge0(load_default=0.0)
    electricity_consumed_mwh = _ge0(load_default=0.0)
    electricity_exported_mwh = _ge0(load_default=0.0)
    electricity_exported_ef_t_per_mwh = _ge0(load_default=None)
    electricity_factor = fields.Nested(ElFactorSchema, load_default=None)
    precursors = fields.List(fields.Nested(PrecursorUseSchema), load_default=list)


class PrecursorSchema(_S):
    id = fields.String(required=True, validate=_ID)
    name = fields.String(load_default=None)
    goods_category = fields.String(required=True, validate=validate.OneOf(SECTOR_OF))
    cn_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{8}$"))
    origin = fields.String(required=True, validate=validate.OneOf(("own", "purchased")))
    process = fields.String(load_default=None)
    see_source = fields.String(load_default="actual", validate=validate.OneOf(
        ("actual", "default")))
    eu_origin = fields.Boolean(load_default=False)
    country = fields.String(load_default=None, validate=_country)
    supplier = fields.String(load_default=None)
    see_direct = _ge0(load_default=None)
    see_indirect = _ge0(load_default=None)
    embedded_electricity_mwh_per_t = _ge0(load_default=None)


class ProductFootprintSchema(_S):
    """The good's own cradle-to-gate carbon footprint, shown beside its SEE (never mixed in:
    the two are computed over different boundaries, which the report explains)."""

    kg_co2e_per_declared_unit = _ge0(required=True)
    declared_unit = fields.Nested(PositiveQtySchema, required=True)
    boundary = fields.String(required=True, validate=validate.Length(min=1))
    method = fields.String(load_default=None)
    reference = fields.String(load_default=None)
    calculation_id = fields.String(load_default=None)


class GoodSchema(_S):
    cn_code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{8}$", error="a CN code has 8 digits"))
    cn_name = fields.String(load_default=None)
    name = fields.String(required=True)
    process = fields.String(required=True)
    quantity_t = _ge0(load_default=None)
    see_source = fields.String(load_default="actual", validate=validate.OneOf(
        ("actual", "default")))
    parameters = fields.Dict(keys=fields.String(), load_default=dict)
    annex_i_checked = fields.Boolean(load_default=False)
    product_footprint = fields.Nested(ProductFootprintSchema, load_default=None)


class RebateSchema(_S):
    type = fields.String(required=True, validate=validate.OneOf(
        ("free_allocation", "compensation", "tax_deduction", "other")))
    share_covered = _share(load_default=None)
    amount_per_unit = _ge0(load_default=None)
    description = fields.String(load_default=None)

    @validates_schema
    def _one(self, data: dict[str, Any], **kw: Any) -> None:
        if (data.get("share_covered") is None) == (data.get("amount_per_unit") is None):
            raise ValidationError(N_("give exactly one of 'share_covered' or 'amount_per_unit'"),
                                  "share_covered")


class EvidenceSchema(_S):
    title = fields.String(required=True)
    reference = fields.String(required=True)


class CarbonPriceSchema(_S):
    instrument = fields.String(required=True, validate=validate.OneOf(
        ("ets", "carbon_tax", "other")))
    name = fields.String(required=True)
    legal_act = fields.String(required=True)
    country = fields.String(required=True, validate=_country)
    subdivision = fields.String(load_default=None)
    currency = fields.String(required=True, validate=lambda c: _ok(
        pycountry.currencies.get(alpha_3=c) is not None, f"'{c}' is not an ISO 4217 currency"))
    price_per_tco2e = _ge0(required=True)
    share_covered = _share(required=True)
    processes = fields.List(fields.String(), load_default=list)
    rebates = fields.List(fields.Nested(RebateSchema), load_default=list)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(
        min=1, error="the report must carry the evidence of the price paid (or not paid)"))


class DefaultRowSchema(_S):
    country = fields.String(required=True, validate=_country)
    cn_code = fields.String(required=True, validate=validate.Regexp(r"^\d{4,8}$"))
    description = fields.String(load_default="")
    direct = _ge0(required=True)
    indirect = _ge0(load_default=0.0)


class DefaultRefSchema(_S):
    workbook = fields.String(load_default=None)
    source = fields.String(load_default=None)
    year = fields.Integer(load_default=None, validate=validate.Range(min=2026, max=2100))
    markup_percent = _ge0(load_default=None)
    values = fields.List(fields.Nested(DefaultRowSchema), load_default=list)


class DataQualitySchema(_S):
    information = fields.String(load_default=None)
    default_value_justification = fields.String(load_default=None)
    quality_assurance = fields.String(load_default=None)


class CbamInputSchema(_S):
    schema_version = fields.Integer(load_default=1, validate=validate.Equal(1))
    installation = fields.Nested(InstallationSchema, required=True)
    source_streams = fields.List(fields.Nested(StreamSchema), load_default=list)
    processes = fields.List(fields.Nested(ProcessSchema), required=True,
                            validate=validate.Length(min=1))
    precursors = fields.List(fields.Nested(PrecursorSchema), load_default=list)
    goods = fields.List(fields.Nested(GoodSchema), required=True, validate=validate.Length(min=1))
    carbon_price = fields.List(fields.Nested(CarbonPriceSchema), load_default=list)
    default_values = fields.Nested(DefaultRefSchema, load_default=None)
    data_quality = fields.Nested(DataQualitySchema, load_default=None)
    notes = fields.String(load_default=None)


def _ok(condition: bool, message: str) -> None:
    if not condition:
        raise ValidationError(message)


def _uscc_ok(code: str) -> bool:
    if not re.fullmatch(rf"[{_USCC}]{{18}}", code):
        return False
    total = sum(_USCC.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return _USCC[(31 - total % 31) % 31] == code[17]
