"""The certifier's pages: the review queue, and approving several of its requests at once;
revoking, suspending and reinstating an issued label; each change after a confirmation
page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app import clock
from app.domain import NotFound, ServiceError
from app.extensions import db
from app.schemas.certification import BulkApprovalFormSchema
from app.schemas.common import ReasonSchema
from app.services import certification, labels, recognition, suspension, transaction
from app.services.issuer import issuer_from_config
from app.services.workflow import STATES, allowed_actions
from app.web.common import form, paged, register_errors, signed_in, user
from app.web.requests import asked_validity, unanswered
from lca_models.messages import N_, Message, message_of

blp = Blueprint("certifier_pages", __name__, url_prefix="/app")
register_errors(blp)


@blp.route("/queue", methods=["GET"])
@signed_in("certifier", "admin")
def queue():
    wanted = request.args.get("state")
    state = wanted if wanted in STATES else None
    rows, pages = paged(lambda after, size: certification.list_requests(
        db.session, user(), after, size, state=state, open_only=state is None))
    role = user().role
    return render_template("pages/queue.html", requests=rows, pages=pages,
                           wanted=wanted if wanted in STATES else None, states=STATES,
                           approvable={r.id for r in rows
                                       if "approve" in allowed_actions(r.state, role)})


@blp.route("/queue/approve", methods=["GET"])
@signed_in("certifier")
def confirm_approve_selected():
    """The step before approving the requests ticked in the queue: each one's summary, how
    it fares against its own scheme and its unanswered comments; the POST below approves
    them all or none (`certification.approve_many`)."""
    ids = _selection(list(dict.fromkeys(request.args.getlist("request_id"))))
    if ids is None:
        return redirect(url_for(".queue"))
    who = user()
    valid_until = asked_validity()
    rows = []
    for request_id in ids:
        req = certification.get_request(db.session, who, request_id)
        home = recognition.home_evaluation(db.session, req, valid_until, clock.today())
        rows.append({"req": req, "etag": certification.etag(req), "home": home,
                     "fails": home is None or home.outcome == "not_recognised",
                     "unanswered": unanswered(req.comments),
                     "can_approve": "approve" in allowed_actions(req.state, who.role)})
    return render_template("pages/confirm_approve_selected.html", rows=rows,
                           valid_until=valid_until, schemes=recognition.schemes())


@blp.route("/queue/approve", methods=["POST"])
@signed_in("certifier")
def approve_selected():
    """Approve the requests confirmed, all or none. A refusal names the product it is about;
    another writer between reading and writing (StaleDataError) is answered by
    app/errors.py on this page, as for a single approval."""
    data = form(BulkApprovalFormSchema())
    ids = _selection(data["request_id"])
    if ids is None:
        return redirect(url_for(".queue"))
    items = [(request_id, request.form.get(f"etag-{request_id}")) for request_id in ids]
    try:
        with transaction() as session:
            done = certification.approve_many(
                session, user(), items, valid_until=data["valid_until"], reason=data["reason"],
                issuer=issuer_from_config(current_app.config))
    except ServiceError as exc:
        raise _named(exc, ids) from None
    flash(ngettext("Approved %(num)s request; %(num)s label is issued.",
                   "Approved %(num)s requests; %(num)s labels are issued.", len(done)), "info")
    return redirect(url_for(".queue"))


def _selection(ids: list[str]) -> list[str] | None:
    """The requests ticked, or None (with a message) when there are none or too many."""
    if not ids:
        flash(_("Select at least one request to approve."), "error")
        return None
    if len(ids) > certification.MAX_BULK:
        flash(_("At most %(count)s requests can be approved in one go; select fewer.",
                count=certification.MAX_BULK), "error")
        return None
    return ids


#: how approve_many names the request a refusal is about (certification._naming)
_PLACED = "requests[%(place)s]: %(message)s"


def _named(exc: ServiceError, ids: list[str]) -> ServiceError:
    """approve_many names a refused request by its place (`requests[i]: ...`, as the API
    answers); the page names its product instead (or its place in the selection, for one
    the certifier cannot see), and says that nothing was approved."""
    said = message_of(exc)
    if not (isinstance(said, Message) and said.msgid == _PLACED):
        exc.args = (N_("Nothing was approved. %(message)s", message=said),)
        return exc
    place, inner = said.params["place"], said.params["message"]
    try:
        req = certification.get_request(db.session, user(), ids[place])
    except NotFound:
        exc.args = (N_("Nothing was approved. Request %(number)s of the selection: "
                       "%(message)s", number=place + 1, message=inner),)
        return exc
    product = " ".join(filter(None, (req.product.name_zh, req.product.name)))
    exc.args = (N_("Nothing was approved. %(product)s: %(message)s", product=product,
                   message=inner),)
    return exc


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
