"""The instance folder: database file, Brightway data, secret key (and later signing keys)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secure_instance(instance: Path | str, database_url: str) -> None:
    """The instance folder is the owner's alone (0700), and so is a SQLite database file
    (0600, created empty here before SQLite would create it world-readable; SQLite gives its
    -wal and -shm files the database file's mode)."""
    instance = Path(instance)
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(instance, 0o700)
    if not database_url.startswith("sqlite:///") or database_url == "sqlite:///:memory:":
        return
    path = Path(database_url.removeprefix("sqlite:///").split("?", 1)[0])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            _tighten(file, 0o600)


def _tighten(path: Path, mode: int) -> None:
    """Take away group and other access from a file of ours (not someone else's)."""
    stat = path.stat()
    if stat.st_uid == os.getuid() and stat.st_mode & 0o077:
        os.chmod(path, mode)


def ensure_secret_key(instance: Path) -> str:
    """Read instance/secret_key, creating it (mode 0600) on first use."""
    instance = Path(instance)
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
