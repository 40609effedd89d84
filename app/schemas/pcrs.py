"""Shapes of product-category rules in the API."""

from marshmallow import Schema, fields


class PcrSchema(Schema):
    id = fields.String()
    version = fields.String()
    name = fields.String()
    name_zh = fields.String(allow_none=True)
    publisher = fields.String()
    source_type = fields.String()
    product_group = fields.String()
    note = fields.String(allow_none=True)
    rules = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "each rule as published (hs_codes, declared_unit, boundary, cut_off, "
                       "allocation, required_primary_data, reference_period, benchmark) with "
                       "its source, or illustrative: true and a note"})
    rating_possible = fields.Boolean(metadata={
        "description": "the PCR has a sourced benchmark, so a rating label can be graded"})


class PcrListSchema(Schema):
    pcrs = fields.List(fields.Nested(PcrSchema))
