"""Administration pages: organisations and certification bodies, users and roles, signing
keys, PACT partners and jobs. Admin accounts only; every change goes through the service the
API uses (same rules, same audit entries). A refused form comes back on its page with a
message in the reader's language naming the field, and nothing is stored."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.domain import ServiceError
from app.extensions import db
from app.schemas.accounts import (
    AccreditationSchema,
    ActiveChangeSchema,
    OrganisationInSchema,
    RoleChangeSchema,
    UserInSchema,
)
from app.services import accounts, admin, keys, pact_host, transaction
from app.services.issuer import issuer_from_config
from app.web import field_names
from app.web.common import FormError, form, register_errors, signed_in, user

blp = Blueprint("admin_pages", __name__, url_prefix="/app/admin")
register_errors(blp)

def _refused(exc: ServiceError) -> None:
    """Flash each problem as "field: detail", the field named in the reader's language."""
    problems = exc.errors if isinstance(exc, FormError) else {
        getattr(exc, "field", None) or "": [str(exc)]}
    for field, details in problems.items():
        label = field_names.NAMES.get(field.split(".")[0])
        for detail in details:
            flash(_("%(field)s: %(detail)s", field=label, detail=detail) if label else detail,
                  "error")


def _confirmed() -> bool:
    if request.form.get("confirm") == "yes":
        return True
    flash(_("%(field)s: tick the box to confirm.", field=field_names.NAMES["confirm"]), "error")
    return False


@blp.route("", methods=["GET"])
@signed_in("admin")
def overview():
    return redirect(url_for(".organisations"))


@blp.route("/organisations", methods=["GET"])
@signed_in("admin")
def organisations():
    return render_template("pages/admin/organisations.html",
                           orgs=admin.organisations(db.session), kinds=accounts.ORG_KINDS)


@blp.route("/organisations", methods=["POST"])
@signed_in("admin")
def create_organisation():
    try:
        data = form(OrganisationInSchema())
        scope = request.form.get("accreditation_scope_text", "")
        data["accreditation_scope"] = form_scope(scope)
        with transaction() as session:
            org = accounts.create_organisation(session, user(), data)
            name = org.name
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("Organisation %(name)s added.", name=name), "info")
    return redirect(url_for(".organisations"))


@blp.route("/organisations/<string:org_id>/accreditation", methods=["POST"])
@signed_in("admin")
def set_accreditation(org_id: str):
    """The accreditor renewed, re-scoped or ended a body's accreditation: all of it again,
    with a reason; old and new go to the audit trail."""
    try:
        data = form(AccreditationSchema())
        data["accreditation_scope"] = form_scope(request.form.get("accreditation_scope_text",
                                                                  ""))
        reason = data.pop("reason")
        with transaction() as session:
            name = accounts.set_accreditation(session, user(), org_id, data, reason).name
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("Accreditation of %(name)s updated.", name=name), "info")
    return redirect(url_for(".organisations"))


def form_scope(text: str) -> list[str]:
    """HS chapters typed as "72, 76" -> ["72", "76"], each two digits."""
    chapters = [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
    bad = [c for c in chapters if not (len(c) == 2 and c.isdigit())]
    if bad:
        raise FormError({"accreditation_scope": [_("HS chapters are two digits: %(bad)s",
                                                   bad=", ".join(bad))]})
    return chapters


@blp.route("/users", methods=["GET"])
@signed_in("admin")
def users():
    return render_template("pages/admin/users.html", people=admin.users(db.session),
                           orgs=admin.organisations(db.session), roles=accounts.ROLES)


@blp.route("/users", methods=["POST"])
@signed_in("admin")
def create_user():
    try:
        data = form(UserInSchema())
        with transaction() as session:
            email = accounts.create_user(session, user(), **data).email
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("User %(email)s added.", email=email), "info")
    return redirect(url_for(".users"))


@blp.route("/users/<string:user_id>/role", methods=["POST"])
@signed_in("admin")
def change_role(user_id: str):
    try:
        data = form(RoleChangeSchema())
        with transaction() as session:
            accounts.set_role(session, user(), user_id, data["role"], data["reason"])
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("Role changed."), "info")
    return redirect(url_for(".users"))


@blp.route("/users/<string:user_id>/active", methods=["POST"])
@signed_in("admin")
def set_active(user_id: str):
    """Deactivate (ends the account's sessions and tokens at once) or reactivate, after the
    admin ticks the confirmation."""
    try:
        data = form(ActiveChangeSchema())
        if not _confirmed():
            return redirect(url_for(".users"))
        with transaction() as session:
            accounts.set_active(session, user(), user_id, data["active"], data["reason"])
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("Account reactivated.") if data["active"] else _("Account deactivated."),
              "info")
    return redirect(url_for(".users"))


@blp.route("/keys", methods=["GET"])
@signed_in("admin")
def signing_keys():
    return render_template("pages/admin/keys.html", keys=keys.all_keys(db.session))


@blp.route("/keys/rotate", methods=["POST"])
@signed_in("admin")
def rotate_key():
    if not _confirmed():
        return redirect(url_for(".signing_keys"))
    config = current_app.config
    try:
        with transaction() as session:
            key_id = keys.generate(session, config["KEYS_DIR"], rotate=True, actor=user(),
                                   did=issuer_from_config(config).did).id
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("New signing key %(id)s is active; the old one is retired and stays published.",
                id=key_id), "info")
    return redirect(url_for(".signing_keys"))


@blp.route("/pact", methods=["GET"])
@signed_in("admin")
def partners():
    clients, exporters = admin.partners(db.session), admin.exporters(db.session)
    names = {o.id: o.name for o in exporters}
    return render_template("pages/admin/pact.html", clients=clients, exporters=exporters,
                           names=names)


@blp.route("/pact", methods=["POST"])
@signed_in("admin")
def register_partner():
    name = request.form.get("name", "").strip()
    org_ids = request.form.getlist("organisation_ids")
    events_url = request.form.get("events_url", "").strip() or None
    try:
        problems: dict[str, list[Any]] = {}
        if not name or len(name) > 200:
            problems["name"] = [_("give a name of 1 to 200 characters")]
        if not org_ids:
            problems["organisation_ids"] = [_("choose at least one exporter")]
        if problems:
            raise FormError(problems)
        with transaction() as session:
            try:
                client, secret = pact_host.register_client(
                    session, user(), name=name, organisation_ids=org_ids)
            except ValueError as exc:
                raise FormError({"organisation_ids": [str(exc)]}) from None
            if events_url:
                admin.set_events_url(session, user(), client.id, events_url,
                                     allow_http=current_app.config.get("DEV_MODE", False))
            client_id = client.client_id
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("PACT partner registered. Client id %(id)s, secret %(secret)s: give both to the "
                "partner now; the secret is not shown again.", id=client_id, secret=secret), "info")
    return redirect(url_for(".partners"))


@blp.route("/pact/<string:partner_id>/events-url", methods=["POST"])
@signed_in("admin")
def partner_events_url(partner_id: str):
    url = request.form.get("events_url", "").strip() or None
    try:
        with transaction() as session:
            admin.set_events_url(session, user(), partner_id, url,
                                 allow_http=current_app.config.get("DEV_MODE", False))
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("Events URL saved."), "info")
    return redirect(url_for(".partners"))


@blp.route("/pact/<string:partner_id>/revoke", methods=["POST"])
@signed_in("admin")
def revoke_partner(partner_id: str):
    if not _confirmed():
        return redirect(url_for(".partners"))
    try:
        with transaction() as session:
            admin.revoke_partner(session, user(), partner_id)
    except ServiceError as exc:
        _refused(exc)
    else:
        flash(_("PACT partner revoked."), "info")
    return redirect(url_for(".partners"))


@blp.route("/jobs", methods=["GET"])
@signed_in("admin")
def jobs():
    return render_template("pages/admin/jobs.html", jobs=admin.recent_jobs(db.session))
