"""Shapes of emission factors and releases in the API."""

from marshmallow import Schema, fields


class FactorSchema(Schema):
    id = fields.String()
    name = fields.String()
    category = fields.String()
    unit = fields.String()
    gases_kg = fields.Dict(keys=fields.String(), values=fields.Float(),
                           metadata={"description": "kg of each gas (or reported CO2e) per "
                                                    "one unit of activity"})
    geography = fields.String()
    reference_year = fields.Integer()
    is_aircraft = fields.Boolean()
    uncertainty_type = fields.String()
    dqr_pedigree = fields.String(allow_none=True)
    source_publisher = fields.String()
    source_document = fields.String(allow_none=True)
    source_table = fields.String(allow_none=True)
    source_url = fields.String(allow_none=True)
    licence = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class FactorQuerySchema(Schema):
    category = fields.String()
    geography = fields.String()


class ReleaseSchema(Schema):
    version = fields.String()
    sha256 = fields.String()
    description = fields.String()
    factor_count = fields.Integer()
    factors = fields.List(fields.Nested(FactorSchema))
