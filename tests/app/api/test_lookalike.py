"""A look-alike service cannot make a forged label verify.

The look-alike is a second instance of this very service, on its own database and keys, on a
real loopback port; its DID document claims *our* issuer's DID (did:web:labels.test). It
serves one of our credentials with the footprint changed to 1.0 and re-signed with its own
key. Such a forgery verifies against the look-alike's DID document (checked below, so the
test is not vacuous), and must not verify anywhere else: not in the CLI pointed at the
look-alike (with or without the development switch), not online from the issuer, not in the
API or on the public page when the stored credential is swapped for it.

The CLI's network is `app.cli_verify.fetch_json`: requests for https://labels.test (the
issuer) and https://mirror.test (an honest mirror) go to the app under test, anything else to
the real network (the look-alike's port). Every URL asked for is recorded.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from app import create_app
from app.cli import main
from app.extensions import db
from app.persistence import Label
from app.services import keys, transaction
from app.trust import did_web, offline, online, signing
from lca_models.canonical import sha256_hex
from tests.app.api.test_labels import issue
from tests.app.api.test_pact_exchange import Served

OURS = "did:web:labels.test"


@pytest.fixture
def lookalike(tmp_path, brightway_dir):
    """A second instance (own SQLite database, own key) whose DID is ours, on a real port."""
    from app.persistence.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'lookalike.sqlite'}"
    upgrade(url)
    stranger = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                           "INSTANCE_DIR": tmp_path / "lookalike", "SECRET_KEY": "x",
                           "BRIGHTWAY_DIR": brightway_dir, "KEYS_DIR": tmp_path / "stranger",
                           "PUBLIC_URL": "https://labels.test", "VERIFICATION_LISTEN": False})
    with stranger.app_context(), transaction() as session:
        key = keys.generate(session, stranger.config["KEYS_DIR"], did=OURS)
        private = keys.load_private(stranger.config["KEYS_DIR"], key)
        key_id = key.id
    served = Served(stranger.wsgi_app)
    served.private, served.key_id = private, key_id
    served.did_document = stranger.test_client().get("/.well-known/did.json").json
    yield served
    served.close()
    with stranger.app_context():
        db.engine.dispose()


def forge(credential: dict, lookalike) -> dict:
    forged = copy.deepcopy(credential)
    created = forged.pop("proof")["created"]
    forged["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"] = 1.0
    return signing.sign(forged, lookalike.private, f"{OURS}#{lookalike.key_id}", created)


@pytest.fixture
def network(monkeypatch, client):
    """app.cli_verify.fetch_json, routed as the module docstring says; returns the list of URLs."""
    import app.cli_verify as cli

    real, calls = cli.fetch_json, []

    def fetch(url: str):
        calls.append(url)
        for base in ("https://labels.test", "https://mirror.test"):
            if url.startswith(base + "/"):
                response = client.get(url[len(base):], base_url=base)
                if response.status_code != 200:
                    raise OSError(f"{url}: HTTP {response.status_code}")
                return response.json
        return real(url)

    monkeypatch.setattr(cli, "fetch_json", fetch)
    return calls


def _write(tmp_path: Path, credential: dict, name: str = "credential.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(credential))
    return str(path)


def test_the_forgery_is_a_good_one_against_the_lookalikes_own_document(world, lookalike):
    _, credential = issue(world)
    forged = forge(credential, lookalike)
    assert lookalike.did_document["id"] == OURS
    assert offline.verify_offline(forged, lookalike.did_document).ok


def test_cli_pointed_at_the_lookalike_is_refused_without_the_dev_switch(
        world, lookalike, network, runner, tmp_path):
    _, credential = issue(world)
    result = runner.invoke(main, ["verify", _write(tmp_path, forge(credential, lookalike)),
                                  "--online", lookalike.base])
    assert result.exit_code == 2
    assert "mirror" in result.stderr and "--allow-insecure-dev" in result.stderr
    assert "VERIFIED" not in result.output
    assert network == [] and lookalike.log == []


def test_cli_with_the_dev_switch_still_takes_keys_from_the_issuer(
        world, lookalike, network, runner, tmp_path):
    _, credential = issue(world)
    result = runner.invoke(main, ["verify", _write(tmp_path, forge(credential, lookalike)),
                                  "--online", lookalike.base, "--allow-insecure-dev"])
    assert result.exit_code == 1, result.output + result.stderr
    assert result.output.splitlines()[-1] == "NOT VERIFIED (INSECURE DEVELOPMENT CHECK)"
    assert "FAILED: proof does not verify" in result.output
    assert "--allow-insecure-dev" in result.stderr  # said loudly
    # the issuer's DID document, and nothing else: no status list, nothing from the look-alike
    assert network == ["https://labels.test/.well-known/did.json"]
    assert lookalike.log == []


def test_cli_online_from_the_issuer_rejects_the_forgery_and_accepts_the_original(
        world, lookalike, network, runner, tmp_path):
    _, credential = issue(world)
    forged = runner.invoke(main, ["verify", _write(tmp_path, forge(credential, lookalike)),
                                  "--online"])
    assert forged.exit_code == 1 and forged.output.splitlines()[-1] == "NOT VERIFIED"
    assert network == ["https://labels.test/.well-known/did.json"]
    network.clear()
    genuine = runner.invoke(main, ["verify", _write(tmp_path, credential), "--online"])
    assert genuine.exit_code == 0, genuine.output
    assert genuine.output.splitlines()[-1] == "VERIFIED"
    assert network[0] == "https://labels.test/.well-known/did.json"
    assert "https://labels.test/api/v1/status-lists/revocation" in network


def test_a_mirror_is_authenticated_against_the_issuers_keys(
        world, lookalike, network, runner, tmp_path):
    _, credential = issue(world)
    path = _write(tmp_path, credential)
    honest = runner.invoke(main, ["verify", path, "--online", "https://mirror.test"])
    assert honest.exit_code == 0, honest.output
    assert network[0] == "https://labels.test/.well-known/did.json"  # never the mirror's
    assert "https://mirror.test/.well-known/did.json" not in network
    assert "https://mirror.test/api/v1/status-lists/revocation" in network
    # the look-alike as a mirror of a genuine credential: its status list is signed by the
    # stranger's key, so it is not accepted as the issuer's
    network.clear()
    result = runner.invoke(main, ["verify", path, "--online", lookalike.base,
                                  "--allow-insecure-dev"])
    assert result.exit_code == 1
    assert "FAILED: the status list is not the issuer's" in result.output
    assert ("GET", "/.well-known/did.json", 200) not in lookalike.log
    assert ("GET", "/api/v1/status-lists/revocation", 200) in lookalike.log


def test_a_status_list_outside_the_issuers_address_is_not_fetched(world, app, client, network):
    _, credential = issue(world)
    evil = "https://labels.test.evil.example/status"
    changed = copy.deepcopy(credential)
    created = changed.pop("proof")["created"]
    # the suspension entry, the second: every entry's URL is checked before any is fetched
    changed["credentialStatus"][1]["statusListCredential"] = evil
    with app.app_context():
        key = keys.active_key(db.session)
        private = keys.load_private(app.config["KEYS_DIR"], key)
    signed = signing.sign(changed, private, f"{OURS}#{key.id}", created)
    import app.cli_verify as cli

    with pytest.raises(did_web.DidWebError, match="not at the issuer's own address"):
        online.verify_online(signed, cli.fetch_json)
    assert evil not in network and network == ["https://labels.test/.well-known/did.json"]


def test_nothing_the_credential_names_is_fetched_when_its_signature_fails(world, lookalike,
                                                                          network):
    _, credential = issue(world)
    import app.cli_verify as cli

    report = online.verify_online(forge(credential, lookalike), cli.fetch_json,
                                  mirror="https://mirror.test")
    assert not report.ok and report.checks["signature"] is False
    assert report.checks["online"] is False
    assert network == ["https://labels.test/.well-known/did.json"]


def test_a_did_document_given_for_another_issuer_is_refused(world, lookalike, network):
    _, credential = issue(world)
    other = dict(lookalike.did_document, id="did:web:someone.example")
    with pytest.raises(did_web.DidWebError, match=re.escape("did:web:someone.example")):
        online.verify_online(credential, lambda url: None, did_document=other)
    # a document given by hand is the caller's own choice of keys (the look-alike's claims
    # our DID, and our genuine credential fails with it); by default keys come from the
    # issuer's own location, and nothing is fetched with a document given
    report = online.verify_online(credential, lambda url: pytest.fail(url),
                                  did_document=lookalike.did_document)
    assert report.checks["signature"] is False


def _swap(app, label_id: str, credential: dict) -> None:
    with app.app_context(), transaction() as session:
        label = session.get(Label, label_id)
        label.credential = credential
        label.credential_sha256 = sha256_hex(credential)  # a swap that also fixed the hash


def test_api_and_page_reject_a_stored_label_swapped_for_the_forgery(world, app, client,
                                                                    lookalike):
    label, credential = issue(world)
    assert client.get(f"/api/v1/labels/{label['id']}/verification").json["status"] == "valid"
    _swap(app, label["id"], forge(credential, lookalike))
    answer = client.get(f"/api/v1/labels/{label['id']}/verification").json
    assert answer["status"] == "invalid"
    assert answer["checks"]["signature"] is False
    page = client.get(f"/verify/{label['id']}?lang=en")
    assert page.status_code == 200
    assert 'class="status invalid"' in page.text and "Verification failed" in page.text
    assert 'class="status valid"' not in page.text
