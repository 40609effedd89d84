"""Shapes of footprint calculation requests and results."""

from marshmallow import Schema, fields, validate

from app.schemas.common import SEED_RANGE


class FootprintRequestSchema(Schema):
    model = fields.Dict(required=True, metadata={
        "description": "An inventory model as documented in docs/inventory-models.md"})
    gwp_set = fields.String(load_default="AR6", validate=validate.OneOf(["AR6", "AR5"]))
    monte_carlo = fields.Integer(load_default=None, validate=validate.Range(min=2))
    seed = fields.Integer(load_default=0, validate=SEED_RANGE)


class QuantitySchema(Schema):
    amount = fields.Float()
    unit = fields.String()


class ProcessContributionSchema(Schema):
    process = fields.String()
    name = fields.String()
    stage = fields.String()
    kg_co2e = fields.Float()
    activity = fields.Float()
    allocation_method = fields.String(allow_none=True)
    allocation_factor = fields.Float()


class InputContributionSchema(Schema):
    process = fields.String()
    stage = fields.String()
    path = fields.String()
    kind = fields.String()
    reference = fields.String()
    amount = fields.Float()
    unit = fields.String()
    kg_co2e = fields.Float()
    primary = fields.Boolean()
    source = fields.String()


class MonteCarloSchema(Schema):
    iterations = fields.Integer()
    seed = fields.Integer()
    mean = fields.Float()
    std = fields.Float()
    p2_5 = fields.Float()
    p50 = fields.Float()
    p97_5 = fields.Float()
    rejected = fields.Integer(metadata={"description": "draws describing an infeasible system "
                                                       "(negative activity, singular matrix), "
                                                       "left out of the statistics"})
    histogram = fields.List(fields.List(fields.Float()), metadata={
        "description": "the accepted draws in equal-width bins: [lower edge, upper edge, "
                       "count] (results stored before this field have none)"})


class FootprintResultSchema(Schema):
    product = fields.String()
    declared_unit = fields.Nested(QuantitySchema)
    boundary = fields.String()
    kg_co2e_per_declared_unit = fields.Float()
    gwp_set = fields.String()
    method = fields.String()
    by_stage = fields.Dict(keys=fields.String(), values=fields.Float())
    by_process = fields.List(fields.Nested(ProcessContributionSchema))
    by_input = fields.List(fields.Nested(InputContributionSchema))
    by_gas = fields.Dict(keys=fields.String(), values=fields.Float())
    gas_mass_kg = fields.Dict(keys=fields.String(), values=fields.Float())
    iso14067 = fields.Dict(keys=fields.String(), values=fields.Float())
    primary_data_share = fields.Float()
    data_quality = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    exclusions_percent = fields.Float()
    factor_release = fields.Dict(keys=fields.String(), values=fields.String())
    user_factor_sets = fields.Dict(keys=fields.String(), values=fields.String())
    engine = fields.Dict(keys=fields.String(), values=fields.String())
    inputs_sha256 = fields.String()
    warnings = fields.List(fields.String())
    monte_carlo = fields.Nested(MonteCarloSchema)
