"""A certification body's own page: the electronic seal printed on its certificates.

The upload goes through the same service as `PUT /api/v1/organisations/{id}/seal`; a refused
image comes back as a message in the reader's language naming the field, and nothing is
stored."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain import InvalidInput
from app.extensions import db
from app.services import accounts, seal, transaction
from app.web.common import register_errors, signed_in, user

blp = Blueprint("body_pages", __name__, url_prefix="/app/body")
register_errors(blp)

SEAL_MESSAGES = {
    "empty": _l("Seal: choose a PNG or SVG file."),
    "too_large": _l("Seal: the image is larger than 256 KiB."),
    "png": _l("Seal: the file is not a readable PNG image."),
    "pixels": _l("Seal: the image may be at most 2000 × 2000 pixels."),
    "svg": _l("Seal: use a PNG or a plain SVG image (no scripts, entities or links to other "
              "files)."),
}


@blp.route("/seal", methods=["GET"])
@signed_in("certifier")
def seal_page():
    body = accounts.own_organisation(db.session, user())
    return render_template("pages/body_seal.html", body=body,
                           has_seal=bool(body and body.seal_image))


@blp.route("/seal.img", methods=["GET"])
@signed_in("certifier")
def seal_image():
    """The stored seal for the preview (an image URL, so a page CSP without data: holds);
    an SVG is sent with a CSP of its own that allows nothing to run."""
    body = accounts.own_organisation(db.session, user())
    if body is None or not body.seal_image:
        return Response(status=404)
    return Response(body.seal_image, mimetype=body.seal_mime, headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


@blp.route("/seal", methods=["POST"])
@signed_in("certifier")
def upload_seal():
    upload = request.files.get("seal")
    try:
        with transaction() as session:
            seal.set_seal(session, user(), user().organisation_id,
                          upload.read() if upload else b"")
    except InvalidInput as exc:
        flash(str(SEAL_MESSAGES.get(getattr(exc, "code", ""), exc)), "error")
        return redirect(url_for(".seal_page"))
    flash(_("The seal is saved; new certificates show it."), "info")
    return redirect(url_for(".seal_page"))
