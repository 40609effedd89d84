"""One page per label request, shown to each side as it needs it: the exporter follows it and
answers comments; the certifier reviews every input, comments on model paths and decides.

Every decision carries the ETag the page was rendered with, so two certifiers (or a certifier
and a resubmitting exporter) cannot overwrite each other unseen: the second gets a message.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.schemas.certification import CommentInSchema, TransitionInSchema
from app.services import certification, impact, recognition, review, transaction
from app.services.issuer import issuer_from_config
from app.services.workflow import allowed_actions
from app.web import charts
from app.web.common import form, iso_day, pact_reason, register_errors, signed_in, user

blp = Blueprint("request_pages", __name__, url_prefix="/app/requests")
register_errors(blp)

_DONE = {"submit": _l("Submitted for review."),
         "start_review": _l("Review started."),
         "request_changes": _l("Changes requested."),
         "resubmit": _l("Resubmitted."),
         "approve": _l("Approved; the label is issued."),
         "reject": _l("Rejected."), "withdraw": _l("Withdrawn.")}


@blp.route("/<string:request_id>", methods=["GET"])
@signed_in()
def request_page(request_id: str):
    who = user()
    if who.role == "exporter":
        req = certification.get_request(db.session, who, request_id)
        label = certification.label_of(db.session, req)
        return render_template("pages/request.html", req=req, etag=certification.etag(req),
                               actions=allowed_actions(req.state, who.role),
                               result=req.calculation.result,
                               charts=charts.for_result(req.calculation.result),
                               label=label, pact_reason=pact_reason(label),
                               flags=impact.flags_for_label(db.session, label.id)
                               if label else [],
                               revisions=certification.revisions(db.session, req),
                               threads=_threads(req.comments))
    view = review.review(db.session, who, request_id)
    req = view["request"]
    label = certification.label_of(db.session, req)
    valid_until = clock.today() + timedelta(days=365)
    home = (recognition.home_evaluation(db.session, req, valid_until, clock.today())
            if "approve" in view["allowed_actions"] else None)
    matrix = recognition.evaluate_credential(label.credential) if label else []
    others = [e for e in matrix if not e.home_scheme]
    return render_template("pages/review.html", **view, result=view["calculation"].result,
                           charts=charts.for_result(view["calculation"].result),
                           threads=_threads(req.comments), label=label, home=home,
                           pact_reason=pact_reason(label),
                           flags=impact.flags_for_label(db.session, label.id) if label else [],
                           label_home=next((e for e in matrix if e.home_scheme), None),
                           label_others=others, label_counts=outcome_counts(others),
                           schemes=recognition.schemes(), default_valid_until=valid_until)


@blp.route("/<string:request_id>/approve", methods=["GET"])
@signed_in("certifier")
def confirm_approve(request_id: str):
    """The step before approving: what will be issued, how it fares against its own scheme,
    and the comments still waiting for the exporter; the POST is the usual decision."""
    who = user()
    req = certification.get_request(db.session, who, request_id)
    valid_until = asked_validity()
    return render_template(
        "pages/confirm_approve.html", req=req, etag=certification.etag(req),
        valid_until=valid_until, schemes=recognition.schemes(),
        home=recognition.home_evaluation(db.session, req, valid_until, clock.today()),
        unanswered=unanswered(req.comments),
        can_approve="approve" in allowed_actions(req.state, who.role))


def asked_validity() -> date:
    """The validity a confirmation page proposes: the one typed on the review page
    (`?valid_until=`), else a year from today."""
    return iso_day(request.args.get("valid_until")) or clock.today() + timedelta(days=365)


def unanswered(comments) -> int:
    """The certifier's comments the exporter has not answered yet."""
    return sum(1 for _c, replies in _threads(comments) if not replies)


def outcome_counts(evaluations) -> dict[str, int]:
    return {outcome: sum(1 for e in evaluations if e.outcome == outcome)
            for outcome in ("recognised", "recognised_with_conditions", "not_recognised")}


@blp.route("/<string:request_id>/actions", methods=["POST"])
@signed_in("exporter", "certifier")
def act(request_id: str):
    data = form(TransitionInSchema())
    with transaction() as session:
        certification.transition(session, user(), request_id, data["action"],
                                 if_match=request.form.get("etag"), reason=data["reason"],
                                 calculation_id=data["calculation_id"],
                                 valid_until=data["valid_until"],
                                 issuer=issuer_from_config(current_app.config))
    flash(str(_DONE[data["action"]]), "info")
    return redirect(url_for(".request_page", request_id=request_id))


@blp.route("/<string:request_id>/comments", methods=["POST"])
@signed_in("exporter", "certifier")
def comment(request_id: str):
    data = form(CommentInSchema())
    with transaction() as session:
        certification.add_comment(session, user(), request_id, body=data["body"],
                                  path=data["path"], parent_id=data["parent_id"])
    flash(_("Comment posted."), "info")
    return redirect(url_for(".request_page", request_id=request_id) + "#comments")


def _threads(comments) -> list[tuple]:
    """Certifier comments, each followed by its answers (oldest first)."""
    top = [c for c in comments if c.parent_id is None]
    return [(c, [r for r in comments if r.parent_id == c.id]) for c in top]
