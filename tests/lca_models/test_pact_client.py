"""The PACT client's offline parts: query parameters, credentials files and their lookup.
The HTTP behaviour is tested against real hosts in tests/app/api/test_pact_exchange.py."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lca_models.pact_client import (
    ClientCredentials,
    ClientCredentialsAuth,
    FootprintQuery,
    PactConfigError,
    find_credentials,
    load_partner_credentials,
    read_secret_json,
)


def test_query_parameters_repeat_values_and_write_utc_instants():
    hk = timezone(timedelta(hours=8))
    query = FootprintQuery(product_ids=("urn:gtin:1", "urn:gtin:2"), geographies=("CN-GD",),
                           valid_on=datetime(2026, 1, 1, 8, 0, tzinfo=hk),
                           valid_after=datetime(2025, 6, 1), status="deprecated")
    assert query.params() == [
        ("productId", "urn:gtin:1"), ("productId", "urn:gtin:2"), ("geography", "CN-GD"),
        ("validOn", "2026-01-01T00:00:00Z"), ("validAfter", "2025-06-01T00:00:00Z"),
        ("status", "Deprecated")]
    assert FootprintQuery().params() == []
    with pytest.raises(ValueError, match="Active or Deprecated"):
        FootprintQuery(status="gone").params()


def _write(path: Path, data, mode: int = 0o600) -> Path:
    path.write_text(json.dumps(data))
    os.chmod(path, mode)
    return path


def test_partners_file_lookup_by_id_url_or_origin(tmp_path):
    path = _write(tmp_path / "partners.json", {
        "pact-0011": {"client_id": "a", "client_secret": "s1"},
        "HTTPS://Buyer.Example/3/events/": {"client_id": "b", "client_secret": "s2",
                                            "token_url": "https://login.buyer.example/t"},
        "https://platform.example": {"client_id": "c", "client_secret": "s3"}})
    entries = load_partner_credentials(path)
    assert find_credentials(entries, "pact-0011", "https://buyer.example/3/events").client_id \
        == "a"
    assert find_credentials(entries, "pact-9999", "https://buyer.example/3/events").token_url \
        == "https://login.buyer.example/t"
    assert find_credentials(entries, "pact-9999", "https://platform.example/x/3/events",
                            "https://platform.example").client_id == "c"
    assert find_credentials(entries, "pact-9999", "https://elsewhere.example") is None
    assert "s1" not in repr(entries["pact-0011"])


@pytest.mark.parametrize(("content", "message"), [
    ({"p": {"client_id": "a"}}, "'client_secret' must be a non-empty string"),
    ({"p": {"client_id": "a", "client_secret": "s", "secret": "typo"}}, "unknown keys"),
    ({"p": {"client_id": "a", "client_secret": "s", "token_url": 5}}, "'token_url' must be"),
    ([{"client_id": "a", "client_secret": "s"}], "keyed by partner"),
])
def test_malformed_partners_files_are_refused(tmp_path, content, message):
    with pytest.raises(PactConfigError, match=message):
        load_partner_credentials(_write(tmp_path / "partners.json", content))


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_secret_files_others_can_read_are_refused(tmp_path):
    path = _write(tmp_path / "c.json", {"client_id": "a", "client_secret": "s"}, 0o640)
    with pytest.raises(PactConfigError, match="chmod 600"):
        read_secret_json(path)
    os.chmod(path, 0o600)
    assert read_secret_json(path)["client_id"] == "a"
    with pytest.raises(PactConfigError, match="does not exist"):
        read_secret_json(tmp_path / "missing.json")


def test_credentials_never_travel_over_plain_http():
    creds = ClientCredentials("a", "s")
    with pytest.raises(PactConfigError, match="not https"):
        ClientCredentialsAuth(creds, "http://buyer.example")
    with pytest.raises(PactConfigError, match="token endpoint"):
        ClientCredentialsAuth(ClientCredentials("a", "s", token_url="http://buyer.example/t"),
                              "https://buyer.example")
    assert ClientCredentialsAuth(creds, "http://127.0.0.1:1", allow_http=True).base_url == \
        "http://127.0.0.1:1"
    assert ClientCredentialsAuth(creds, "https://buyer.example/").base_url == \
        "https://buyer.example"
