"""Online verification decompresses a status list only once its signature verifies, and then
only within the size cap: an issuer-signed GZIP bomb is reported, not expanded."""

from __future__ import annotations

import time

from app.trust import online, signing
from tests.app.api.test_labels import issue
from tests.app.trust.test_status_list import _gzip_of_zeros, _multibase


def _online(client, credential, status_list):
    def fetch(url: str):
        if url == credential["credentialStatus"][0]["statusListCredential"]:
            return status_list
        response = client.get(url.removeprefix("https://labels.test"))
        assert response.status_code == 200, url
        return response.json

    return online.verify_online(credential, fetch)


def _signed_by_the_issuer(app, document):
    from app.extensions import db
    from app.services import keys
    from app.services.issuer import issuer_from_config

    with app.app_context():
        key = keys.active_key(db.session)
        private = keys.load_private(app.config["KEYS_DIR"], key)
        method = issuer_from_config(app.config).method_id(key.id)
    return signing.sign(document, private, method, created="2026-01-01T00:00:00Z")


def test_a_signed_bomb_is_refused_and_an_unsigned_list_is_not_expanded(world, client, app):
    _, credential = issue(world)
    served = client.get(credential["credentialStatus"][0]["statusListCredential"]
                        .removeprefix("https://labels.test")).json
    assert _online(client, credential, served).checks["not_revoked"] is True

    document = {name: value for name, value in served.items() if name != "proof"}
    document["credentialSubject"] = {**document["credentialSubject"],
                                     "encodedList": _multibase(_gzip_of_zeros(200 * 2**20))}
    started = time.perf_counter()
    report = _online(client, credential, _signed_by_the_issuer(app, document))
    assert time.perf_counter() - started < 5.0
    assert report.checks["not_revoked"] is False and not report.ok
    assert any("cannot be read" in r and "expands beyond" in r for r in report.reasons)

    unsigned = {**document, "proof": served["proof"]}  # the bomb under the old proof
    report = _online(client, credential, unsigned)
    assert report.checks["not_revoked"] is False
    assert any("signature does not verify" in r for r in report.reasons)
    assert not any("expands beyond" in r for r in report.reasons)
