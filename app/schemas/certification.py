"""Label requests, transitions, comments and the review view."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.schemas.common import Instant, PageQuerySchema, PageSchema, StrictSchema
from app.schemas.products import CalculationSchema, ModelVersionDetailSchema, ProductSchema
from app.services.certification import LABEL_TYPES, MAX_BULK
from app.services.workflow import STATES, TRANSITIONS


class StandardSchema(StrictSchema):
    """A standard by `name` and `version`. `id` is the name's old spelling, still accepted
    from clients but stored as `name`: in a credential `id` means the node's IRI (JSON-LD)."""

    name = fields.String(validate=validate.Length(min=1, max=80),
                         metadata={"example": "ISO 14067"})
    id = fields.String(load_only=True, validate=validate.Length(min=1, max=80),
                       metadata={"deprecated": True, "description": "old spelling of name"})
    version = fields.String(load_default=None, metadata={"example": "2018"})

    @validates_schema
    def _one_name(self, data: dict, **_: object) -> None:
        if ("name" in data) == ("id" in data):
            raise ValidationError("give the standard's name (name, or its old spelling id)",
                                  "name")

    @post_load
    def _renamed(self, data: dict, **_: object) -> dict:
        return {"name": data.get("name") or data["id"], "version": data["version"]}


class ProductRulesSchema(StrictSchema):
    operator = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.String(load_default=None)
    source_type = fields.String(required=True, validate=validate.OneOf(
        ["national", "group", "pcr_programme", "none"]))


class ElectricitySchema(StrictSchema):
    approach = fields.String(required=True, validate=validate.OneOf(
        ["location-based", "market-based"]))
    certificates_used = fields.Boolean(required=True)


class DeclaredMetadataSchema(StrictSchema):
    """What the exporter declares for mutual recognition; the rest is derived from the model
    and calculation, and the certifier confirms all of it by approving."""

    standards = fields.List(fields.Nested(StandardSchema), load_default=list)
    product_rules = fields.Nested(ProductRulesSchema, load_default=None)
    electricity = fields.Nested(ElectricitySchema, load_default=None, metadata={
        "description": "default: location-based without certificates (grid-average factors)"})
    uncertainty_statement = fields.String(load_default=None, validate=validate.Length(max=2000))
    exemptions = fields.List(fields.String(), load_default=list)


class LabelRequestInSchema(StrictSchema):
    calculation_id = fields.String(required=True)
    certification_body_id = fields.String(required=True)
    label_type = fields.String(required=True, validate=validate.OneOf(LABEL_TYPES))
    home_scheme = fields.String(required=True)
    baseline_request_id = fields.String(load_default=None)
    declared = fields.Nested(DeclaredMetadataSchema, load_default=None)


class LabelRequestSchema(Schema):
    id = fields.String()
    product_id = fields.String()
    organisation_id = fields.String()
    certification_body_id = fields.String()
    calculation_id = fields.String()
    label_type = fields.String()
    baseline_request_id = fields.String(allow_none=True)
    home_scheme = fields.String()
    declared_metadata = fields.Dict(allow_none=True)
    state = fields.String(metadata={"enum": list(STATES)})
    version = fields.Integer()
    created_at = Instant()
    updated_at = Instant()
    reviewer_id = fields.String(allow_none=True)
    decided_at = Instant(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    reviewed_inputs_sha256 = fields.String(allow_none=True)
    reviewed_result_sha256 = fields.String(allow_none=True)


class LabelRequestPageSchema(PageSchema):
    items = fields.List(fields.Nested(LabelRequestSchema))


class RequestQuerySchema(PageQuerySchema):
    state = fields.String(validate=validate.OneOf(STATES))


class TransitionInSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(sorted(TRANSITIONS)))
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))
    calculation_id = fields.String(load_default=None)
    valid_until = fields.Date(load_default=None, metadata={
        "description": "approve: the last day the label is valid (your scheme's rule)"})


class ApprovalItemSchema(StrictSchema):
    id = fields.String(required=True)
    etag = fields.String(required=True, metadata={
        "description": "the request's ETag as you read it (what If-Match carries for one)"})


class BulkApprovalInSchema(StrictSchema):
    requests = fields.List(fields.Nested(ApprovalItemSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_BULK))
    valid_until = fields.Date(required=True, metadata={
        "description": "the last day every label is valid (your scheme's rule)"})
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class BulkApprovalFormSchema(StrictSchema):
    """The certifier's page for approving several requests at once (app/web/certifier.py):
    the requests chosen in the queue (each posted with its ETag as `etag-<id>`, which the
    page reads), the validity and an optional reason."""

    request_id = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                             load_default=list)
    valid_until = fields.Date(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class ApprovedSchema(Schema):
    request = fields.Nested(LabelRequestSchema)
    etag = fields.String()
    label_id = fields.String()


class BulkApprovalSchema(Schema):
    items = fields.List(fields.Nested(ApprovedSchema))


class CommentInSchema(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    path = fields.String(load_default=None, validate=validate.Regexp(
        r"^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?)*$",
        error="a model path such as stages[1].processes[0].inputs[2]"))
    parent_id = fields.String(load_default=None)


class CommentSchema(Schema):
    id = fields.String()
    request_id = fields.String()
    author_id = fields.String()
    path = fields.String(allow_none=True)
    parent_id = fields.String(allow_none=True)
    body = fields.String()
    calculation_id = fields.String()
    created_at = Instant()


class ReviewSchema(Schema):
    request = fields.Nested(LabelRequestSchema)
    etag = fields.String()
    allowed_actions = fields.List(fields.String())
    product = fields.Nested(ProductSchema)
    model_version = fields.Nested(ModelVersionDetailSchema)
    calculation = fields.Nested(CalculationSchema)
    factors = fields.List(fields.Dict(), metadata={
        "description": "every factor the calculation used, with source, licence and release"})
    comparison = fields.Dict(allow_none=True, metadata={
        "description": "changes against the previous model version of the product"})
    comments = fields.List(fields.Nested(CommentSchema))
    pcr_check = fields.Dict(allow_none=True, metadata={
        "description": "the model against the product-category rule it names (id, version, "
                       "checked_rules, gaps with code, model path, expected, found, source); "
                       "null when the model names none"})
