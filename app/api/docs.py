"""Swagger UI's files, served by the service itself (swagger-ui-bundle) so the browsable API
page at /api/docs needs no CDN."""

from __future__ import annotations

from flask import Blueprint
from swagger_ui_bundle import swagger_ui_path

swagger_ui = Blueprint("swagger_ui", __name__, static_folder=swagger_ui_path,
                       static_url_path="/api/swagger-ui")
