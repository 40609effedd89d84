"""Issued labels: public credential, verification and status lists; revocation and
suspension."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, current_app, jsonify
from flask_smorest import Blueprint

from app import ratelimit
from app.api.pagination import Page, cursor, paginate
from app.auth import caller, requires
from app.extensions import db, limiter
from app.schemas.common import PageQuerySchema, ReasonSchema
from app.schemas.labels import (
    EvaluationSchema,
    LabelPageSchema,
    LabelSchema,
    ReceiptSchema,
    RecognitionQuerySchema,
    VerificationSchema,
)
from app.services import (
    labels,
    receipts,
    recognition,
    status_lists,
    suspension,
    transaction,
    verification,
)
from app.services.issuer import issuer_from_config
from app.web import http_cache

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import Label


blp = Blueprint("labels", __name__, url_prefix="/api/v1",
                description="Issued labels, their credentials and verification")


def public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


@blp.route("/labels", methods=["GET"])
@requires()
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, LabelPageSchema)
def list_labels(args: dict) -> Page:
    """Exporters: your labels. Certifiers: labels your body issued. Admins: all."""
    return paginate(labels.list_labels(db.session, caller().user, *cursor(args)), args)


@blp.route("/labels/<string:label_id>/credential", methods=["GET"])
@limiter.limit(public_limit)
@blp.response(200)
def credential(label_id: str) -> dict:
    """The signed W3C Verifiable Credential of a label (public)."""
    return labels.get_label(db.session, label_id).credential


@blp.route("/labels/<string:label_id>/verification", methods=["GET"])
@ratelimit.public
@blp.response(200, VerificationSchema)
def verify(label_id: str) -> Response:
    """Status and every check, with reasons (public). A mistyped ID answers 422. Cached
    like the page (app/web/http_cache.py): ETag, a short max-age, 304 when unchanged."""
    return http_cache.respond(label_id, ("json",), _json)


def _json(result: verification.Verification) -> tuple[bytes, str]:
    """The body flask-smorest would make of `result` (VerificationSchema, then jsonify),
    made once per version of the answer: the view returns the kept bytes as a Response."""
    return jsonify(_VERIFICATION.dump(result)).get_data(), "application/json"


_VERIFICATION = VerificationSchema()


@blp.route("/labels/<string:label_id>/receipt", methods=["GET"])
@limiter.limit(public_limit)
@blp.response(200, ReceiptSchema)
def receipt(label_id: str) -> Page:
    """A verification receipt to check the label offline (`carbonlabel verify RECEIPT`):
    credential, log entry, tlog-proof to a signed checkpoint, DID document, status list.
    409 problem+json with `current_state` "inclusion_pending" while the label's log entry
    waits for the sequencer: there is no proof to give yet (`Retry-After`: the merge delay,
    in whole seconds)."""
    issuer = issuer_from_config(current_app.config)
    body = receipts.build_receipt(db.session, label_id, issuer,
                                  merge_delay=current_app.config["LOG_MERGE_DELAY"])
    return body, 200, {"Content-Disposition":
                       f'attachment; filename="{body["label_id"]}.receipt.json"'}


@blp.route("/labels/<string:label_id>/recognition", methods=["GET"])
@limiter.limit(public_limit)
@blp.arguments(RecognitionQuerySchema, location="query")
@blp.response(200, EvaluationSchema(many=True))
def recognition_(args: dict, label_id: str) -> list[dict]:
    """Is the label acceptable under each scheme (or `?scheme=`), and why (public)."""
    credential = labels.get_label(db.session, label_id).credential
    return [e.to_dict() for e in recognition.evaluate_credential(credential, args["scheme"],
                                                                 args["on"])]


@blp.route("/labels/<string:label_id>/revocation", methods=["POST"])
@requires("certifier", "admin", scope="read")
@blp.arguments(ReasonSchema)
@blp.response(200, LabelSchema)
def revoke(body: dict, label_id: str) -> Label:
    """Revoke a label (its issuing certification body, or an admin); logged and listed."""
    from app.services.accounts import require_acting_scope

    require_acting_scope(caller().scopes, caller().user.role)
    with transaction() as session:
        return labels.revoke(session, caller().user, label_id, body["reason"],
                             issuer_from_config(current_app.config))


@blp.route("/labels/<string:label_id>/suspension", methods=["POST"])
@requires("certifier", "admin", scope="read")
@blp.arguments(ReasonSchema)
@blp.response(200, LabelSchema)
def suspend(body: dict, label_id: str) -> Label:
    """Suspend a label in force (its issuing certification body, or an admin): not in force
    until reinstated; listed in its suspension list. 409 for a revoked, superseded, expired
    or already suspended label, and for one issued before suspension existed."""
    _require_acting_scope()
    with transaction() as session:
        return suspension.suspend(session, caller().user, label_id, body["reason"],
                                  issuer_from_config(current_app.config))


@blp.route("/labels/<string:label_id>/reinstatement", methods=["POST"])
@requires("certifier", "admin", scope="read")
@blp.arguments(ReasonSchema)
@blp.response(200, LabelSchema)
def reinstate(body: dict, label_id: str) -> Label:
    """Lift a label's suspension (its issuing certification body, or an admin). 409 when it
    is not suspended, or revoked."""
    _require_acting_scope()
    with transaction() as session:
        return suspension.reinstate(session, caller().user, label_id, body["reason"],
                                    issuer_from_config(current_app.config))


def _require_acting_scope() -> None:
    """As for revocation: a certifier's token needs `review`, an admin's `admin`."""
    from app.services.accounts import require_scope

    require_scope(list(caller().scopes),
                  "review" if caller().user.role == "certifier" else "admin")


@blp.route("/status-lists/revocation", methods=["GET"])
@limiter.limit(public_limit)
@blp.response(200)
def status_list() -> Any:
    """The signed Bitstring Status List credential of revocation list 0 (public): the URL
    labels issued before lists were numbered name."""
    return http_cache.published(labels.status_list_credential(
        db.session, issuer_from_config(current_app.config)))


@blp.route("/status-lists/revocation/<int:number>", methods=["GET"])
@limiter.limit(public_limit)
@blp.response(200)
def numbered_status_list(number: int) -> Any:
    """The signed Bitstring Status List credential of revocation list `number` (public); a
    label's credentialStatus names its list. 404 for a list no label is in."""
    return http_cache.published(labels.status_list_credential(
        db.session, issuer_from_config(current_app.config), number))


@blp.route("/status-lists/suspension/<int:number>", methods=["GET"])
@limiter.limit(public_limit)
@blp.response(200)
def suspension_list(number: int) -> Any:
    """The signed Bitstring Status List credential of suspension list `number` (public); a
    label issued since suspension exists names it in its credentialStatus. 404 for a list
    no such label is in."""
    return http_cache.published(labels.status_list_credential(
        db.session, issuer_from_config(current_app.config), number, status_lists.SUSPENSION))
