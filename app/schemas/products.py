"""Products, model versions and calculations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import SEED_RANGE, Instant, PageSchema, StrictSchema
from app.schemas.footprints import FootprintResultSchema


class ProductInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_zh = fields.String(load_default=None, validate=validate.Length(max=300))
    gtin = fields.String(load_default=None, validate=validate.Regexp(r"^\d{8}$|^\d{12,14}$"))
    hs_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4,10}$"))
    cn_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{8}$"))


class ProductSchema(ProductInSchema):
    class Meta:
        unknown = "exclude"

    id = fields.String(dump_only=True)
    organisation_id = fields.String(dump_only=True)
    created_at = Instant(dump_only=True)


class ProductPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProductSchema))


class ModelInSchema(StrictSchema):
    model = fields.Dict(required=True, metadata={
        "description": "an inventory model (docs/inventory-models.md)"})


class ModelVersionSchema(Schema):
    id = fields.String()
    product_id = fields.String()
    number = fields.Integer()
    source_format = fields.String()
    content_sha256 = fields.String()
    frozen = fields.Boolean()
    created_by = fields.String()
    created_at = Instant()


class ModelVersionDetailSchema(ModelVersionSchema):
    content = fields.Dict()


class ModelVersionPageSchema(PageSchema):
    items = fields.List(fields.Nested(ModelVersionSchema))


class CalculationInSchema(StrictSchema):
    gwp_set = fields.String(load_default="AR6", validate=validate.OneOf(["AR6", "AR5"]))
    monte_carlo = fields.Integer(load_default=None, validate=validate.Range(min=2))
    seed = fields.Integer(load_default=0, validate=SEED_RANGE)


class CalculationSchema(Schema):
    id = fields.String()
    model_version_id = fields.String()
    gwp_set = fields.String()
    monte_carlo_iterations = fields.Integer(allow_none=True)
    seed = fields.Integer()
    kg_co2e_per_declared_unit = fields.Float()
    factor_release_version = fields.String()
    factor_release_sha256 = fields.String()
    engine = fields.Dict(keys=fields.String(), values=fields.String())
    inputs_sha256 = fields.String()
    result_sha256 = fields.String()
    result = fields.Nested(FootprintResultSchema)
    created_by = fields.String()
    created_at = Instant()


class RecomputeSchema(Schema):
    calculation_id = fields.String()
    reproduced = fields.Boolean()
