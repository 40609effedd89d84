"""The certifier's pages: the review queue; revoking, suspending and reinstating an issued
label, each after a confirmation page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.schemas.common import ReasonSchema
from app.services import certification, labels, suspension, transaction
from app.services.issuer import issuer_from_config
from app.services.workflow import STATES
from app.web.common import form, paged, register_errors, signed_in, user

blp = Blueprint("certifier_pages", __name__, url_prefix="/app")
register_errors(blp)


@blp.route("/queue", methods=["GET"])
@signed_in("certifier", "admin")
def queue():
    wanted = request.args.get("state")
    state = wanted if wanted in STATES else None
    rows, pages = paged(lambda after, size: certification.list_requests(
        db.session, user(), after, size, state=state, open_only=state is None))
    return render_template("pages/queue.html", requests=rows, pages=pages,
                           wanted=wanted if wanted in STATES else None, states=STATES)


@blp.route("/labels/<string:label_id>/revoke", methods=["GET"])
@signed_in("certifier", "admin")
def confirm_revoke(label_id: str):
    """The step before revoking: what is revoked and what that does; the reason is asked
    here and the POST below revokes."""
    label = labels.get_label(db.session, label_id)
    req = certification.get_request(db.session, user(), label.request_id)
    return render_template("pages/confirm_revoke.html", label=label, req=req)


@blp.route("/labels/<string:label_id>/revoke", methods=["POST"])
@signed_in("certifier", "admin")
def revoke(label_id: str):
    data = form(ReasonSchema())
    with transaction() as session:
        label = labels.revoke(session, user(), label_id, data["reason"],
                              issuer_from_config(current_app.config))
    flash(_("Label %(id)s is revoked.", id=label.id), "info")
    return redirect(url_for("request_pages.request_page", request_id=label.request_id))


@blp.route("/labels/<string:label_id>/suspend", methods=["GET"])
@signed_in("certifier", "admin")
def confirm_suspend(label_id: str):
    """The step before suspending: what a suspension does and how it ends; the reason is
    asked here and the POST below suspends."""
    return _confirm(label_id, "suspend")


@blp.route("/labels/<string:label_id>/suspend", methods=["POST"])
@signed_in("certifier", "admin")
def suspend(label_id: str):
    data = form(ReasonSchema())
    with transaction() as session:
        label = suspension.suspend(session, user(), label_id, data["reason"],
                                   issuer_from_config(current_app.config))
    flash(_("Label %(id)s is suspended.", id=label.id), "info")
    return redirect(url_for("request_pages.request_page", request_id=label.request_id))


@blp.route("/labels/<string:label_id>/reinstate", methods=["GET"])
@signed_in("certifier", "admin")
def confirm_reinstate(label_id: str):
    """The step before lifting a suspension."""
    return _confirm(label_id, "reinstate")


@blp.route("/labels/<string:label_id>/reinstate", methods=["POST"])
@signed_in("certifier", "admin")
def reinstate(label_id: str):
    data = form(ReasonSchema())
    with transaction() as session:
        label = suspension.reinstate(session, user(), label_id, data["reason"],
                                     issuer_from_config(current_app.config))
    flash(_("The suspension of label %(id)s is lifted.", id=label.id), "info")
    return redirect(url_for("request_pages.request_page", request_id=label.request_id))


def _confirm(label_id: str, action: str):
    label = labels.get_label(db.session, label_id)
    req = certification.get_request(db.session, user(), label.request_id)
    return render_template("pages/confirm_suspension.html", label=label, req=req,
                           action=action)
