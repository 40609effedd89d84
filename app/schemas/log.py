"""Transparency-log shapes: hashes are lowercase hex; entries are the UTF-8 JSON that was
hashed, so a verifier can recompute every leaf."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import StrictSchema


class TreeHeadSchema(Schema):
    tree_size = fields.Integer(attribute="size")
    root_hash = fields.Function(lambda h: h.root_hash.hex(), metadata={"description": "hex"})
    timestamp = fields.DateTime()
    key_id = fields.String(metadata={"description": "verification method fragment in the DID"})
    signature = fields.Function(lambda h: h.signature.hex(), metadata={
        "description": "Ed25519 over RFC 8785 JSON {tree_size, root_hash, timestamp}, hex"})


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
