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
    suspended_at = Instant(allow_none=True)
    suspension_reason = fields.String(allow_none=True)
    supersedes_id = fields.String(allow_none=True)
    superseded_by_id = fields.String(allow_none=True)
    log_inclusion = fields.Function(
        lambda label: "pending" if label.inclusion_pending else "included",
        metadata={"enum": ["pending", "included"],
                  "description": "pending: the issuance is committed but the sequencer has not "
                                 "given it a leaf in the transparency log yet (at most the "
                                 "merge delay, docs/transparency-log.md)"})


class LabelPageSchema(PageSchema):
    items = fields.List(fields.Nested(LabelSchema))


class VerificationSchema(Schema):
    label_id = fields.String()
    status = fields.String(metadata={"enum": ["valid", "revoked", "superseded", "suspended",
                                              "expired",
                                              "invalid", "inclusion_pending"],
                                     "description": "inclusion_pending: signature and "
                                     "revocation list verify, the log entry waits for the "
                                     "sequencer (checks.transparency_log false, log.pending "
                                     "true)"})
    checks = fields.Dict(keys=fields.String(), values=fields.Boolean(), metadata={
        "description": "signature, status_list, transparency_log; suspension_list for a "
                       "label whose credential has a suspension entry"})
    reasons = fields.List(fields.String())
    details = fields.Dict()
    log = fields.Dict(allow_none=True)
    receipt = fields.Function(lambda v: f"/api/v1/labels/{v.label_id}/receipt", metadata={
        "description": "everything to repeat these checks offline: credential, log entry, "
                       "inclusion proof to a signed checkpoint, DID document, status list"})


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


class ReceiptLogEntrySchema(Schema):
    index = fields.Integer()
    entry = fields.String(metadata={"description": "the exact UTF-8 JSON bytes of the leaf"})


class ReceiptSchema(Schema):
    """A verification receipt (docs/transparency-log.md); the documents are passed through
    exactly as signed."""

    type = fields.String(metadata={"description": "CarbonLabelVerificationReceipt"})
    version = fields.Integer()
    label_id = fields.String()
    created = fields.String(metadata={"description": "UTC, when the receipt was assembled"})
    credential = fields.Dict(metadata={"description": "the signed label credential"})
    log_entry = fields.Nested(ReceiptLogEntrySchema)
    inclusion_proof = fields.String(metadata={
        "description": "c2sp.org/tlog-proof@v1 text ending in the signed checkpoint"})
    did_document = fields.Dict()
    log_verifier_keys = fields.List(fields.String(), metadata={
        "description": "signed-note verifier keys (informational: derive them from the DID "
                       "document)"})
    status_list_credential = fields.Dict(metadata={
        "description": "the signed Bitstring Status List credential in force"})
    suspension_list_credential = fields.Dict(metadata={
        "description": "the signed suspension list in force (labels whose credential has a "
                       "suspension entry)"})
