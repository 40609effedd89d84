"""The public transparency log (RFC 9162 hashing): C2SP checkpoints, proofs, entries."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from app.api.labels import public_limit
from app.extensions import db, limiter
from app.schemas.log import (
    ConsistencyQuerySchema,
    ConsistencySchema,
    EntriesQuerySchema,
    InclusionQuerySchema,
    InclusionSchema,
    LogEntrySchema,
    TreeHeadSchema,
)
from app.services import publish
from app.services import transparency_log as tlog

blp = Blueprint("log", __name__, url_prefix="/log", description="Transparency log")


_TEXT = {200: {"description": "a C2SP signed-note checkpoint (origin, tree size, base64 "
                          "root hash), text/plain",
               "content": {"text/plain": {"schema": {"type": "string"}}}}}


CHECKPOINT_MAX_AGE = 5  # seconds; a checkpoint changes with every batch (docs/transparency-log.md)
IMMUTABLE = "public, max-age=31536000, immutable"


def _text(body: str, cache: str | None = None) -> Response:
    response = Response(body, mimetype="text/plain")
    if cache:
        response.headers["Cache-Control"] = cache
    return response


@blp.route("/checkpoint", methods=["GET"])
@limiter.limit(public_limit)
@blp.doc(responses=_TEXT)
def checkpoint() -> Response:
    """The latest signed checkpoint, verbatim (c2sp.org/tlog-checkpoint)."""
    return _text(tlog.checkpoint_text(tlog.signed_checkpoint(db.session)),
                 f"public, max-age={CHECKPOINT_MAX_AGE}")


@blp.route("/checkpoint/<int:size>", methods=["GET"])
@limiter.limit(public_limit)
@blp.doc(responses=_TEXT)
def checkpoint_at(size: int) -> Response:
    """The checkpoint signed when the log reached `size`, verbatim."""
    return _text(tlog.checkpoint_text(tlog.signed_checkpoint(db.session, size)), IMMUTABLE)


@blp.route("/tile/<path:name>", methods=["GET"])
@limiter.limit(public_limit)
@blp.doc(responses={200: {"description": "a C2SP tlog-tiles tile or entry bundle",
                          "content": {"application/octet-stream": {}}}})
def tile(name: str) -> Response:
    """A tile or entry bundle of the latest tree (c2sp.org/tlog-tiles); immutable, since a
    full tile never changes and a partial one is named by its width."""
    data = publish.tile_file(db.session, "tile/" + name)
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@blp.route("/sth", methods=["GET"])
@limiter.limit(public_limit)
@blp.response(200, TreeHeadSchema)
def latest() -> dict:
    """The latest checkpoint as JSON, parsed from the signed note it includes."""
    return tlog.checkpoint_view(tlog.signed_checkpoint(db.session))


@blp.route("/sth/<int:size>", methods=["GET"])
@limiter.limit(public_limit)
@blp.response(200, TreeHeadSchema)
def at_size(size: int) -> dict:
    """The checkpoint of `size` as JSON, parsed from the signed note it includes."""
    return tlog.checkpoint_view(tlog.signed_checkpoint(db.session, size))


@blp.route("/proof/inclusion", methods=["GET"])
@limiter.limit(public_limit)
@blp.arguments(InclusionQuerySchema, location="query")
@blp.response(200, InclusionSchema)
def inclusion(args: dict) -> dict:
    """Audit path of a leaf in the tree of `tree_size` (default: the latest)."""
    proof = tlog.inclusion(db.session, args["leaf_index"], args["tree_size"])
    return {"leaf_index": proof.leaf_index, "tree_size": proof.tree_size,
            "leaf_hash": proof.leaf_hash.hex(), "audit_path": [h.hex() for h in proof.hashes]}


@blp.route("/proof/consistency", methods=["GET"])
@limiter.limit(public_limit)
@blp.arguments(ConsistencyQuerySchema, location="query")
@blp.response(200, ConsistencySchema)
def consistency(args: dict) -> dict:
    """Proof that the tree of size `first` is a prefix of the tree of size `second`."""
    hashes = tlog.consistency(db.session, args["first"], args["second"])
    return {"first": args["first"], "second": args["second"],
            "consistency": [h.hex() for h in hashes]}


@blp.route("/entries", methods=["GET"])
@limiter.limit(public_limit)
@blp.arguments(EntriesQuerySchema, location="query")
@blp.response(200, LogEntrySchema(many=True))
def entries(args: dict):
    """Entries [start, end), at most 1000 at a time."""
    return tlog.entries(db.session, args["start"], args["end"])
