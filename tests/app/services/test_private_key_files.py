"""The issuer's private key is read from its file, and a loaded key is reused only while
that file is unchanged: a replaced or removed file is noticed on the next use."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain import Conflict
from app.extensions import db
from app.services import keys


def test_a_replaced_or_removed_key_file_is_noticed_after_loading(world, app):
    with app.app_context():
        key = keys.active_key(db.session)
        path = app.config["KEYS_DIR"] / f"{key.id}.pem"
        first = keys.load_private(app.config["KEYS_DIR"], key)
        assert keys.load_private(app.config["KEYS_DIR"], key) is first  # reused
        other = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        original = path.read_bytes()
        path.write_bytes(other)
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        with pytest.raises(Conflict, match="does not match"):
            keys.load_private(app.config["KEYS_DIR"], key)
        path.write_bytes(original)
        assert keys.load_private(app.config["KEYS_DIR"], key).private_bytes_raw() == \
            first.private_bytes_raw()
        path.unlink()
        with pytest.raises(Conflict, match="missing"):
            keys.load_private(app.config["KEYS_DIR"], key)
