"""The audit trail."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.common import Instant, PageSchema


class AuditEntrySchema(Schema):
    seq = fields.Integer()
    at = Instant()
    actor_id = fields.String(allow_none=True)
    actor = fields.String()
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict()
    prev_hash = fields.String()
    entry_hash = fields.String()


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEntrySchema))


class ChainReportSchema(Schema):
    entries = fields.Integer()
    ok = fields.Boolean()
    first_broken_seq = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
    pending = fields.Integer(metadata={
        "description": "approvals' audit events waiting for the sequencer to chain them "
                       "(within the log's merge delay)"})
