"""Configuration: the only place the environment is read."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from app.openapi import SECURITY_SCHEMES
from lca_models.safe_load import InputLimits


def database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'carbonlabel.sqlite'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):  # psycopg 3, not the psycopg2 default
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def input_limits() -> InputLimits:
    """The input limits; each `InputLimits` field is `CARBONLABEL_<FIELD>` (README table)."""
    given = {f.name: int(os.environ[env]) for f in fields(InputLimits)
             if (env := limit_setting(f.name)) in os.environ}
    return InputLimits(**given)


def limit_setting(name: str) -> str:
    """The environment variable that sets the input limit `name` (e.g. max_depth)."""
    return f"CARBONLABEL_{name.upper()}"


def load_config(instance_path: str) -> dict[str, Any]:
    instance = Path(os.environ.get("CARBONLABEL_INSTANCE", instance_path)).resolve()
    return {
        "INSTANCE_DIR": instance,
        "SQLALCHEMY_DATABASE_URI": database_url(instance),
        "SECRET_KEY": os.environ.get("CARBONLABEL_SECRET_KEY"),  # else instance/secret_key
        "BRIGHTWAY_DIR": Path(os.environ.get("BRIGHTWAY_DIR", instance / "brightway")),
        "PUBLIC_URL": os.environ.get("CARBONLABEL_PUBLIC_URL", "http://127.0.0.1:8000"),
        # development mode (CARBONLABEL_DEV=1, set by scripts/serve.sh): the only way to run
        # with an http or IP-address public URL, which did:web does not allow
        "DEV_MODE": os.environ.get("CARBONLABEL_DEV") == "1",
        "PACT_ALLOW_HTTP": os.environ.get("CARBONLABEL_PACT_ALLOW_HTTP") == "1",
        # client credentials partners issued to us, for our event deliveries (0600 file)
        "PACT_PARTNERS_FILE": Path(os.environ.get("CARBONLABEL_PACT_PARTNERS",
                                                  instance / "pact-partners.json")),
        # the zone pages and documents show times in, unless the reader picks one (?tz=);
        # stored, signed and API times are always UTC
        "DISPLAY_TIMEZONE": os.environ.get("CARBONLABEL_DISPLAY_TIMEZONE", "Asia/Hong_Kong"),
        "TRUSTED_PROXIES": int(os.environ.get("CARBONLABEL_TRUSTED_PROXIES", "0")),
        "KEYS_DIR": Path(os.environ.get("CARBONLABEL_KEYS_DIR", instance / "keys")),
        "RATELIMIT_PUBLIC": os.environ.get("CARBONLABEL_RATELIMIT_PUBLIC", "120 per minute"),
        # labels whose last verification each worker keeps (0: verify every request afresh)
        "VERIFICATION_CACHE_SIZE": int(os.environ.get("CARBONLABEL_VERIFICATION_CACHE",
                                                      "10000")),
        # bytes of rendered verification pages and JSON bodies each worker keeps
        "VERIFICATION_RESPONSE_CACHE_BYTES": int(os.environ.get(
            "CARBONLABEL_VERIFICATION_RESPONSE_CACHE", str(32 << 20))),
        # on PostgreSQL, hear committed changes (LISTEN) instead of re-reading per request
        "VERIFICATION_LISTEN": os.environ.get("CARBONLABEL_VERIFICATION_LISTEN", "1") != "0",
        # redis://host:port/db shares the counters between workers; unset, each worker
        # counts in memory (app/ratelimit.py: fixed windows, no timer threads)
        "RATELIMIT_STORAGE_URI": os.environ.get("CARBONLABEL_RATELIMIT_STORAGE",
                                                "window-memory://"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("CARBONLABEL_MAX_UPLOAD_BYTES",
                                                 str(5 * 1024 * 1024))),
        "INPUT_LIMITS": input_limits(),
        # product-category rules: the shipped registry unless a directory is given
        "PCR_DIR": os.environ.get("CARBONLABEL_PCR_DIR") or None,
        # the task queue's broker: Redis in production (redis://host:6379/N); by default a
        # SQLite file in the instance folder, which needs no server (see app/queue.py)
        "BROKER_URL": os.environ.get("CARBONLABEL_BROKER_URL")
        or f"sqla+sqlite:///{instance / 'broker.sqlite'}",
        "BROKER_KEY_PREFIX": os.environ.get("CARBONLABEL_BROKER_KEY_PREFIX", ""),
        # seconds the embedded broker's worker waits before looking again for a message
        # (kombu's default is 1 s, which each job waited; see app/broker.py)
        "BROKER_POLLING_INTERVAL": float(os.environ.get(
            "CARBONLABEL_BROKER_POLLING_INTERVAL", "0.1")),
        # seconds before Redis hands a task whose worker vanished to another worker
        "BROKER_VISIBILITY_TIMEOUT": int(os.environ.get("CARBONLABEL_BROKER_VISIBILITY_TIMEOUT",
                                                        "3600")),
        # the transparency log: "batched" (approval commits a pending entry; the sequencer,
        # `carbonlabel sequencer`, integrates within LOG_MERGE_DELAY seconds) or "inline"
        # (appended in the approval's own transaction); see app/services/sequencer.py
        "LOG_SEQUENCER": os.environ.get("CARBONLABEL_LOG_SEQUENCER", "batched"),
        "LOG_MERGE_DELAY": float(os.environ.get("CARBONLABEL_LOG_MERGE_DELAY", "1")),
        # where the sequencer publishes the static directory after each batch (unset: not)
        "PUBLISH_DIR": os.environ.get("CARBONLABEL_PUBLISH_DIR") or None,
        "TASKS_EAGER": os.environ.get("CARBONLABEL_TASKS_EAGER") == "1",  # tests only
        # an impact run flags a label whose footprint moves by more than this (percent)
        "IMPACT_THRESHOLD_PERCENT": float(os.environ.get("CARBONLABEL_IMPACT_THRESHOLD",
                                                         "5")),
        # folder of factor releases (one sub-folder per version) beside the shipped one
        "FACTOR_RELEASES_DIR": Path(os.environ.get("CARBONLABEL_FACTOR_RELEASES",
                                                   instance / "factor-releases")),
        "MAX_MONTE_CARLO": int(os.environ.get("CARBONLABEL_MAX_MONTE_CARLO", "5000")),
        # POST /api/v1/footprints/calculate answers within the request, so its Monte Carlo
        # stays well under a second (100 runs of the EAF rebar example: ~0.2 s; 1,000: ~2.6 s
        # on this project's 2-core machine); longer runs are jobs on a stored model version
        "MAX_REQUEST_MONTE_CARLO": int(os.environ.get("CARBONLABEL_MAX_REQUEST_MONTE_CARLO",
                                                      "100")),
        "MAX_MODEL_PROCESSES": int(os.environ.get("CARBONLABEL_MAX_MODEL_PROCESSES", "200")),
        "MAX_MODEL_INPUTS": int(os.environ.get("CARBONLABEL_MAX_MODEL_INPUTS", "2000")),
        "RATELIMIT_CALCULATE": os.environ.get("CARBONLABEL_RATELIMIT_CALCULATE",
                                              "30 per minute"),
        # log-in: a flat rate per address, then progressive lock-out (app/services/login_throttle)
        "RATELIMIT_LOGIN": os.environ.get("CARBONLABEL_RATELIMIT_LOGIN", "20 per minute"),
        "LOGIN_FREE_FAILURES_ACCOUNT": int(os.environ.get("CARBONLABEL_LOGIN_FREE_FAILURES",
                                                          "5")),
        "LOGIN_FREE_FAILURES_ADDRESS": int(os.environ.get(
            "CARBONLABEL_LOGIN_FREE_FAILURES_ADDRESS", "20")),
        "LOGIN_LOCK_SECONDS": int(os.environ.get("CARBONLABEL_LOGIN_LOCK_SECONDS", "30")),
        "LOGIN_LOCK_MAX_SECONDS": int(os.environ.get("CARBONLABEL_LOGIN_LOCK_MAX_SECONDS",
                                                     "3600")),
        # SQLite: how long a writer waits for another's lock before the request gets a 503
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("CARBONLABEL_SQLITE_BUSY_TIMEOUT_MS",
                                                     "5000")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("CARBONLABEL_PUBLIC_URL", "").startswith(
            "https://"),
        "WTF_CSRF_TIME_LIMIT": None,
        "API_TITLE": "Carbon label service",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/swagger-ui/",  # served locally, see app/api/docs.py
        # no global security: app.auth.requires documents it on the operations it guards
        "API_SPEC_OPTIONS": {"components": {"securitySchemes": SECURITY_SCHEMES}},
    }
