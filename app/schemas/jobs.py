"""Shapes of background jobs, factor-release diffs and impact runs."""

from marshmallow import Schema, fields, validate


class ProgressSchema(Schema):
    done = fields.Integer()
    total = fields.Integer()


class JobSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "calculation or impact"})
    state = fields.String(metadata={"description": "queued, running, done or failed"})
    progress = fields.Nested(ProgressSchema)
    attempts = fields.Integer(metadata={"description": "deliveries to a worker so far"})
    queued_by_broker = fields.Boolean(metadata={
        "description": "false while the broker has not accepted the job (it was unreachable);"
                       " the job is published again when it is back"})
    stalled = fields.Boolean()
    error = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    links = fields.Dict(keys=fields.String(), values=fields.String())


class ImpactRunInSchema(Schema):
    release = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "version of a factor release in the service's release folder"})
    threshold_percent = fields.Float(load_default=None,
                                     validate=validate.Range(min=0, max=1000))


class FactorChangeSchema(Schema):
    id = fields.String()
    name = fields.String()
    changes = fields.Dict(metadata={"description": "gas -> {old, new, relative_change}"})
    source_changed = fields.Boolean()


class FactorDiffSchema(Schema):
    old = fields.Dict()
    new = fields.Dict()
    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = fields.List(fields.Nested(FactorChangeSchema))


class ImpactEntrySchema(Schema):
    label_id = fields.String()
    calculation_id = fields.String()
    old_kg = fields.Float()
    new_kg = fields.Float(allow_none=True)
    change_percent = fields.Float(allow_none=True)
    flagged = fields.Boolean(metadata={"description": "re-certification recommended"})
    drivers = fields.List(fields.Dict())
    error = fields.String(allow_none=True)


class ImpactReportSchema(Schema):
    job = fields.Nested(JobSchema)
    threshold_percent = fields.Float()
    release = fields.Dict()
    entries = fields.List(fields.Nested(ImpactEntrySchema))
