"""Configuration: the only place the environment is read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def load_config(instance_path: str) -> dict[str, Any]:
    instance = Path(os.environ.get("CARBONLABEL_INSTANCE", instance_path))
    return {
        "INSTANCE_DIR": instance,
        "BRIGHTWAY_DIR": Path(os.environ.get("BRIGHTWAY_DIR", instance / "brightway")),
        "PUBLIC_URL": os.environ.get("CARBONLABEL_PUBLIC_URL", "http://127.0.0.1:8000"),
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "MAX_MONTE_CARLO": int(os.environ.get("CARBONLABEL_MAX_MONTE_CARLO", "5000")),
        "API_TITLE": "Carbon label service",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": None,
    }
