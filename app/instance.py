"""The instance folder: database file, Brightway data, secret key (and later signing keys)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def ensure_secret_key(instance: Path) -> str:
    """Read instance/secret_key, creating it (mode 0600) on first use."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
