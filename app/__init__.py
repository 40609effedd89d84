"""Carbon label web service."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from app import errors
    from app.api import factors, footprints, health
    from app.config import load_config
    from app.extensions import api

    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    api.init_app(app)
    for blueprint in (health.blp, factors.blp, footprints.blp):
        api.register_blueprint(blueprint)
    errors.init_app(app)
    return app
