"""Fixtures of the PACT conformance tests: a data recipient on a loopback port, and a client
registered for exporter A's footprints with a token and the recipient's credentials."""

from __future__ import annotations

import json

import pytest

from app.services import pact_host, transaction
from tests.app.api.pact_conformance.support import HTTPS, Recipient, token
from tests.app.api.test_labels import issue


@pytest.fixture
def recipient():
    r = Recipient()
    yield r
    r.close()


@pytest.fixture
def pact(world, app, client, recipient, tmp_path):
    """One issued label of exporter A; a data recipient registered for exporter A with its
    events URL; what the recipient issued to us in the partners file (outside the DB)."""
    label, _ = issue(world)
    with app.app_context(), transaction() as session:
        registered, secret = pact_host.register_client(
            session, None, name="Recipient", organisation_ids=[world["ids"]["exp_a"]],
            events_url=recipient.events_url)
        client_id = registered.client_id
    partners = tmp_path / "pact-partners.json"
    partners.write_text(json.dumps({client_id: {"client_id": Recipient.CLIENT_ID,
                                                "client_secret": Recipient.SECRET}}))
    partners.chmod(0o600)
    app.config["PACT_PARTNERS_FILE"] = partners
    access = token(client, client_id, secret).json["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    pf = client.get("/3/footprints", base_url=HTTPS, headers=headers).json["data"][0]
    return {"label": label, "client_id": client_id, "secret": secret, "headers": headers,
            "pf": pf, "partners": partners}


@pytest.fixture
def development(app, monkeypatch):
    """Plain HTTP allowed, as CARBONLABEL_PACT_ALLOW_HTTP=1 does, for a loopback recipient."""
    monkeypatch.setitem(app.config, "PACT_ALLOW_HTTP", True)
