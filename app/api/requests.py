"""Label requests: create, list, read (with ETag), transitions, comments, review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, request
from flask_smorest import Blueprint

from app.api.pagination import Page, cursor, paginate
from app.auth import caller, requires
from app.extensions import db
from app.schemas.certification import (
    BulkApprovalInSchema,
    BulkApprovalSchema,
    CommentInSchema,
    CommentSchema,
    LabelRequestInSchema,
    LabelRequestPageSchema,
    LabelRequestSchema,
    RequestQuerySchema,
    ReviewSchema,
    TransitionInSchema,
)
from app.services import accounts, certification, review, transaction
from app.services.issuer import issuer_from_config
from app.services.workflow import TRANSITIONS

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import Comment


blp = Blueprint("label_requests", __name__, url_prefix="/api/v1/label-requests",
                description="Label requests and their review")


@blp.route("", methods=["GET"])
@requires()
@blp.arguments(RequestQuerySchema, location="query")
@blp.response(200, LabelRequestPageSchema)
def list_requests(args: dict) -> Page:
    """Exporters: your requests. Certifiers: the review queue of your body."""
    return paginate(certification.list_requests(db.session, caller().user, *cursor(args),
                                                state=args.get("state")), args)


@blp.route("", methods=["POST"])
@requires("exporter", scope="write")
@blp.arguments(LabelRequestInSchema)
@blp.response(201, LabelRequestSchema)
def create_request(body: dict) -> tuple:
    """Start a request (state draft) for a stored calculation."""
    with transaction() as session:
        req = certification.create_request(session, caller().user, body)
    return req, 201, {"ETag": certification.etag(req)}


@blp.route("/approvals", methods=["POST"])
@requires("certifier", scope="review")
@blp.arguments(BulkApprovalInSchema)
@blp.response(200, BulkApprovalSchema)
def approve_many(body: dict) -> dict:
    """Approve several requests in review at once (an exporter's catalogue after one audit):
    one transaction, all or nothing; each request is checked as a single approval is (its
    ETag as If-Match) and each label gets its own credential, status-list entry, log entry
    and audit events. 412 if one changed since you read it, 409 if one is not in review."""
    with transaction() as session:
        done = certification.approve_many(
            session, caller().user, [(item["id"], item["etag"]) for item in body["requests"]],
            valid_until=body["valid_until"], reason=body["reason"],
            issuer=issuer_from_config(current_app.config))
    return {"items": [{"request": req, "etag": certification.etag(req), "label_id": label_id}
                      for req, label_id in done]}


@blp.route("/<string:request_id>", methods=["GET"])
@requires()
@blp.response(200, LabelRequestSchema)
def get_request(request_id: str) -> tuple:
    """One request; its ETag is what If-Match needs for a transition."""
    req = certification.get_request(db.session, caller().user, request_id)
    return req, 200, {"ETag": certification.etag(req)}


@blp.route("/<string:request_id>/transitions", methods=["POST"])
@requires("exporter", "certifier")
@blp.arguments(TransitionInSchema)
@blp.response(200, LabelRequestSchema)
@blp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True,
                      "schema": {"type": "string"}}])
def transition(body: dict, request_id: str) -> tuple:
    """Move the request on: submit, start_review, request_changes, resubmit, approve,
    reject, withdraw. 409 from the wrong state, 412 if someone acted first."""
    accounts.require_acting_scope(caller().scopes, TRANSITIONS[body["action"]].role)
    with transaction() as session:
        req = certification.transition(session, caller().user, request_id, body["action"],
                                       if_match=request.headers.get("If-Match"),
                                       reason=body["reason"],
                                       calculation_id=body["calculation_id"],
                                       valid_until=body["valid_until"],
                                       issuer=issuer_from_config(current_app.config))
    return req, 200, {"ETag": certification.etag(req)}


@blp.route("/<string:request_id>/comments", methods=["GET"])
@requires("exporter", "certifier", "admin")
@blp.response(200, CommentSchema(many=True))
def list_comments(request_id: str) -> list[Comment]:
    """Comments and answers, oldest first."""
    return certification.get_request(db.session, caller().user, request_id).comments


@blp.route("/<string:request_id>/comments", methods=["POST"])
@requires("exporter", "certifier")
@blp.arguments(CommentInSchema)
@blp.response(201, CommentSchema)
def add_comment(body: dict, request_id: str) -> Comment:
    """Certifiers comment on a model path during review; exporters answer a comment."""
    accounts.require_acting_scope(caller().scopes, caller().user.role)
    with transaction() as session:
        return certification.add_comment(session, caller().user, request_id, **body)


@blp.route("/<string:request_id>/review", methods=["GET"])
@requires("certifier", "exporter", "admin")
@blp.response(200, ReviewSchema)
def get_review(request_id: str) -> dict:
    """Everything behind the request: model, result, factor sources, diff, comments."""
    return review.review(db.session, caller().user, request_id)
