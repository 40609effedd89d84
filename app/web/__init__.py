"""Server-rendered pages: public verification, and the exporter's and certifier's work."""

from __future__ import annotations

from flask import Flask

from app.messages import localize
from app.numbers import kg_co2e


def init_app(app: Flask) -> None:
    from flask_wtf.csrf import generate_csrf

    from app.web import (
        admin,
        body,
        cbam,
        certifier,
        exporter,
        i18n,
        impact,
        modelling,
        requests,
        session,
        timezones,
        verify,
        vocabulary,
    )

    i18n.init_app(app)
    vocabulary.init_app(app)
    timezones.init_app(app)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.filters["kg"] = kg_co2e  # the same rounding as the documents
    # the engine's messages and stored warnings in the page's language (app/messages.py)
    app.jinja_env.filters["localize"] = localize
    for module in (verify, session, exporter, modelling, requests, certifier, cbam, impact,
                   body, admin):
        app.register_blueprint(module.blp)
    app.add_url_rule("/", "root", _root, methods=["GET"])


def _root():
    """The bare address leads to the signed-in start page, so strangers to sign-in: those who
    type it are the service's users; buyers arrive through a label's QR code or link straight
    at its verification page, and the sign-in page links "Verify a label" for the rest."""
    from flask import redirect, url_for

    return redirect(url_for("session_pages.home"))
