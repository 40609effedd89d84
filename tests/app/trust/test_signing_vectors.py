"""The W3C Recommendation's own eddsa-jcs-2022 test vectors (Appendix B.3), reproduced byte
for byte: if any step drifts from the spec (hash order, @context handling, encoding) one of
these fails at the step that drifted rather than only at the final signature."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from app.trust import signing
from app.trust.base58 import b58decode, b58encode

VECTORS = Path(__file__).parent / "vectors"
REPO_VECTORS = VECTORS / "repo-test-vectors"


def _text(name: str, folder: Path = VECTORS) -> str:
    return (folder / name).read_text(encoding="utf-8").strip()


def _json(name: str, folder: Path = VECTORS) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def private_key():
    return signing.private_key_from_multibase(_json("keyPair.json")["privateKeyMultibase"])


@pytest.fixture(scope="module")
def proof_config() -> dict[str, Any]:
    return _json("proofConfigJCS.json")


def test_key_pair_round_trips_through_multikey(private_key):
    pair = _json("keyPair.json")
    assert signing.public_multibase(private_key.public_key()) == pair["publicKeyMultibase"]
    assert signing.private_multibase(private_key) == pair["privateKeyMultibase"]
    public = signing.public_key_from_multibase(pair["publicKeyMultibase"])
    assert signing.public_multibase(public) == pair["publicKeyMultibase"]


def test_transformed_document_and_its_hash():
    canonical = signing.transform(_json("unsigned.json"), _json("proofConfigJCS.json"))
    assert canonical.decode("utf-8") == _text("canonDocJCS.txt")
    assert hashlib.sha256(canonical).hexdigest() == _text("docHashJCS.txt")


def test_proof_configuration_and_its_hash(proof_config):
    canonical = signing.configure_proof(proof_config)
    assert canonical.decode("utf-8") == _text("proofCanonJCS.txt")
    assert hashlib.sha256(canonical).hexdigest() == _text("proofHashJCS.txt")


def test_hash_data_puts_the_proof_configuration_first(proof_config):
    data = signing.hash_data(signing.transform(_json("unsigned.json"), proof_config),
                             signing.configure_proof(proof_config))
    assert data.hex() == _text("combinedHashJCS.txt")
    assert data.hex() == _text("proofHashJCS.txt") + _text("docHashJCS.txt")


def test_signature_is_reproduced_from_the_published_private_key(private_key, proof_config):
    data = signing.hash_data(signing.transform(_json("unsigned.json"), proof_config),
                             signing.configure_proof(proof_config))
    signature = private_key.sign(data)  # Ed25519 is deterministic (RFC 8032)
    assert signature.hex() == _text("sigHexJCS.txt")
    assert "z" + b58encode(signature) == _text("sigBTC58JCS.txt")
    assert b58decode(_text("sigBTC58JCS.txt")[1:]) == bytes.fromhex(_text("sigHexJCS.txt"))


def test_sign_produces_the_published_signed_credential(private_key, proof_config):
    signed = signing.sign(_json("unsigned.json"), private_key,
                          proof_config["verificationMethod"], proof_config["created"])
    published = _json("signedJCS.json")
    assert signed == published
    assert list(signed["proof"]) == list(published["proof"])  # same member order as Example 39
    assert signed["proof"]["proofValue"] == _text("sigBTC58JCS.txt")


def test_published_signed_credential_verifies(private_key):
    published = _json("signedJCS.json")
    seen: list[str] = []

    def resolve(method: str):
        seen.append(method)
        return signing.public_key_from_multibase(_json("keyPair.json")["publicKeyMultibase"])

    result = signing.verify(published, resolve)
    assert result.verified, result.problems
    assert result.problems == []
    assert seen == [_json("proofConfigJCS.json")["verificationMethod"]]
    assert result.verified_document == _json("unsigned.json")


def test_published_signed_credential_fails_with_another_key():
    other = signing.generate_key().public_key()
    result = signing.verify(_json("signedJCS.json"), lambda _method: other)
    assert not result.verified
    assert "signature does not match" in result.problems[0]


def test_repository_variant_is_reproduced_and_verifies(private_key):
    config = _json("proofConfigJCS.json", REPO_VECTORS)
    published = _json("signedJCS.json", REPO_VECTORS)
    signed = signing.sign(_json("unsigned.json"), private_key, config["verificationMethod"],
                          config["created"])
    assert signed == published
    assert b58decode(signed["proof"]["proofValue"][1:]).hex() == _text("sigHexJCS.txt",
                                                                       REPO_VECTORS)
    assert signing.verify(published, lambda _method: private_key.public_key()).verified
