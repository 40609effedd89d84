"""Labels and their verification."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.common import Instant, PageSchema


class LabelSchema(Schema):
    id = fields.String()
    request_id = fields.String()
    product_id = fields.String()
    certification_body_id = fields.String()
    issued_at = Instant()
    valid_from = fields.Date()
    valid_until = fields.Date()
    key_id = fields.String()
    credential_sha256 = fields.String()
    revoked_at = Instant(allow_none=True)
    revocation_reason = fields.String(allow_none=True)
    supersedes_id = fields.String(allow_none=True)
    superseded_by_id = fields.String(allow_none=True)


class LabelPageSchema(PageSchema):
    items = fields.List(fields.Nested(LabelSchema))


class VerificationSchema(Schema):
    label_id = fields.String()
    status = fields.String(metadata={"enum": ["valid", "revoked", "superseded", "expired",
                                              "invalid"]})
    checks = fields.Dict(keys=fields.String(), values=fields.Boolean(), metadata={
        "description": "signature, status_list, transparency_log"})
    reasons = fields.List(fields.String())
    details = fields.Dict()
    log = fields.Dict(allow_none=True)


class RecognitionQuerySchema(Schema):
    scheme = fields.String(load_default=None, metadata={"description": "one scheme id"})
    on = fields.Date(load_default=None, metadata={"description": "also check validity on"})


class RecognitionReasonSchema(Schema):
    code = fields.String()
    field = fields.String()
    expected = fields.Raw()
    found = fields.Raw()
    severity = fields.String()
    source = fields.Dict(allow_none=True)
    illustrative = fields.Boolean()


class EvaluationSchema(Schema):
    scheme_id = fields.String()
    outcome = fields.String(metadata={"enum": ["recognised", "recognised_with_conditions",
                                               "not_recognised"]})
    reasons = fields.List(fields.Nested(RecognitionReasonSchema))
    adjustments = fields.List(fields.String())
    notes = fields.List(fields.String())
    home_scheme = fields.Boolean()
    illustrative = fields.Boolean()
