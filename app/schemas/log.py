"""Transparency-log shapes: hashes are lowercase hex; entries are the UTF-8 JSON that was
hashed, so a verifier can recompute every leaf."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import StrictSchema


class TreeHeadSchema(Schema):
    """Parsed from the signed checkpoint it carries: nothing here is outside the signature
    but `key_id`, which only names the key (the verifier still checks the note)."""

    origin = fields.String(metadata={"description": "the checkpoint's origin line"})
    tree_size = fields.Integer()
    root_hash = fields.String(metadata={"description": "hex"})
    root_hash_base64 = fields.String(metadata={"description": "as in the checkpoint"})
    key_id = fields.String(metadata={"description": "verification method fragment in the DID"})
    signature = fields.String(metadata={
        "description": "the Ed25519 signature inside the checkpoint note, hex"})
    checkpoint = fields.String(metadata={
        "description": "the C2SP signed-note checkpoint, verbatim (docs/transparency-log.md)"})


class InclusionQuerySchema(StrictSchema):
    leaf_index = fields.Integer(required=True, validate=validate.Range(min=0))
    tree_size = fields.Integer(load_default=None, validate=validate.Range(min=1))


class InclusionSchema(Schema):
    leaf_index = fields.Integer()
    tree_size = fields.Integer()
    leaf_hash = fields.String()
    audit_path = fields.List(fields.String(), metadata={"description": "hex, RFC 9162 PATH"})


class ConsistencyQuerySchema(StrictSchema):
    first = fields.Integer(required=True, validate=validate.Range(min=1))
    second = fields.Integer(required=True, validate=validate.Range(min=1))


class ConsistencySchema(Schema):
    first = fields.Integer()
    second = fields.Integer()
    consistency = fields.List(fields.String(), metadata={"description": "hex, RFC 9162 PROOF"})


class EntriesQuerySchema(StrictSchema):
    start = fields.Integer(required=True, validate=validate.Range(min=0))
    end = fields.Integer(required=True, validate=validate.Range(min=0))


class LogEntrySchema(Schema):
    leaf_index = fields.Integer()
    kind = fields.String()
    label_id = fields.String()
    entry = fields.Function(lambda e: e.entry.decode(), metadata={
        "description": "the exact UTF-8 JSON bytes that were hashed (leaf = SHA-256(0x00||entry))"})
    leaf_hash = fields.Function(lambda e: e.leaf_hash.hex())
