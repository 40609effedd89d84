"""Carbon label web service."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from app import errors, input_limits, queue, ratelimit, security_headers, web
    from app.api import BLUEPRINTS
    from app.api.docs import swagger_ui
    from app.auth import load_caller
    from app.config import load_config
    from app.cookie_session import CookieSessions
    from app.extensions import api, db, limiter
    from app.instance import ensure_secret_key, secure_instance

    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = CookieSessions()
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    secure_instance(app.config["INSTANCE_DIR"], app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(app.config["INSTANCE_DIR"])
    _clock(app)
    _pcr_registry(app)
    db.init_app(app)
    # Fixed windows (flask-limiter's recommended strategy), in a storage that starts no
    # thread per request: Redis when configured, else app.ratelimit's in-memory counters.
    app.config["RATELIMIT_STORAGE_URI"] = ratelimit.storage_uri(
        app.config.get("RATELIMIT_STORAGE_URI"))
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    limiter.init_app(app)
    ratelimit.check_only_what_applies(app, limiter)
    _sqlite_pragmas(app)
    api.init_app(app)
    app.register_blueprint(swagger_ui)
    web.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.before_request(load_caller)
    input_limits.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    queue.init_app(app)
    _proxies(app)
    _issuer(app)
    return app


def _clock(app: Flask) -> None:
    """The app's one clock (config CLOCK, else the system's) is current in each of its app
    contexts, so services and model defaults read it; tests swap app.extensions["clock"]."""
    from contextlib import suppress

    from flask import appcontext_pushed, g

    from app import clock

    app.extensions["clock"] = app.config.get("CLOCK") or clock.SYSTEM

    def _push(sender: Flask, **_kw) -> None:
        g._clock_token = clock.activate(sender.extensions["clock"])

    def _pop(_exc: BaseException | None = None) -> None:
        token = g.pop("_clock_token", None)
        if token is not None:
            # popped in another context than pushed: nothing of this context to undo
            with suppress(ValueError):
                clock.deactivate(token)

    appcontext_pushed.connect(_push, app, weak=False)
    app.teardown_appcontext(_pop)


def _pcr_registry(app: Flask) -> None:
    """The PCR registry directory (config PCR_DIR) is handed to app/services/pcrs.py in each
    app context and again at each request, so the service reads no Flask configuration and
    a changed PCR_DIR is used by the next request."""
    from flask import appcontext_pushed

    from app.services import pcrs

    def _use(sender: Flask = app, **_kw) -> None:
        pcrs.use_directory(sender.config.get("PCR_DIR"))

    appcontext_pushed.connect(_use, app, weak=False)
    app.before_request(lambda: _use(app))


def _issuer(app: Flask) -> None:
    """Refuse to start as an issuer other than the one the stored keys and labels belong to,
    or (outside development mode) with an http or IP-address did:web. A database without
    the schema yet (before `carbonlabel init`) has nothing pinned."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from app.extensions import db
    from app.services import issuer_pin
    from app.services.issuer import issuer_from_config
    from app.trust import did_web

    public_url = app.config["PUBLIC_URL"]
    did_web.check_public_url(public_url, app.config.get("DEV_MODE", False))
    if app.config.get("ISSUER_PIN_CHECK", True):
        issuer = issuer_from_config(app.config)
        with app.app_context():
            try:
                issuer_pin.check(db.session, issuer.did, public_url)
            except (OperationalError, ProgrammingError):
                db.session.rollback()  # no tables or no issuer_did column: not migrated yet
            finally:
                db.session.remove()
    if app.config.get("DEV_MODE"):
        app.logger.warning("CARBONLABEL_DEV=1: development mode; the issuer %s may be http "
                           "or an IP address, which no outside verifier should accept",
                           app.config["PUBLIC_URL"])


def _proxies(app: Flask) -> None:
    """Behind a TLS-terminating proxy, trust its X-Forwarded-* headers (so request.is_secure
    and the Link URLs are right) only for the number of proxies configured."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if app.config.get("PACT_ALLOW_HTTP"):
        app.logger.warning("CARBONLABEL_PACT_ALLOW_HTTP=1: PACT endpoints accept plain HTTP; "
                           "development only")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware; its stubs declare wsgi_app a method
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _sqlite_pragmas(app: Flask) -> None:
    """Foreign keys on, WAL for concurrent readers, a busy timeout instead of instant locks
    (past it, a writer's request gets a 503 with Retry-After: app/errors.py)."""
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()
