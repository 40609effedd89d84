"""The certifier's pages: the review queue and revoking an issued label."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.schemas.common import ReasonSchema
from app.services import certification, labels, transaction
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
