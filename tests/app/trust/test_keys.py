"""Key publication: base58, Multikey, the DID document, JWKS and rotation."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from app.trust import keys, signing
from app.trust.base58 import b58decode, b58encode

# Bitcoin Core src/test/data/base58_encode_decode.json
BITCOIN_VECTORS = [
    ("", ""), ("61", "2g"), ("626262", "a3gV"), ("636363", "aPEr"),
    ("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
    ("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
    ("516b6fcd0f", "ABnLTmg"), ("bf4f89001e670274dd", "3SEo3LWLoPntC"),
    ("572e4794", "3EFU7m"), ("ecac89cad93923c02321", "EJDM8drfXA6uyA"),
    ("10c8511e", "Rt5zm"), ("00000000000000000000", "1111111111"),
]
DID = "did:web:labels.example"


@pytest.mark.parametrize(("hex_data", "text"), BITCOIN_VECTORS)
def test_base58_bitcoin_vectors(hex_data, text):
    assert b58encode(bytes.fromhex(hex_data)) == text
    assert b58decode(text) == bytes.fromhex(hex_data)


@given(st.binary(max_size=80))
def test_base58_round_trip(data):
    assert b58decode(b58encode(data)) == data


@pytest.mark.parametrize("text", ["0", "O", "I", "l", "abc+", "z 1"])
def test_base58_rejects_characters_outside_the_alphabet(text):
    with pytest.raises(ValueError, match="base58"):
        b58decode(text)


def test_multikey_headers():
    key = signing.generate_key()
    public = keys.public_multibase(key.public_key())
    assert public.startswith("z6Mk")  # what every Ed25519 Multikey looks like
    assert b58decode(public[1:])[:2] == b"\xed\x01"
    assert keys.private_multibase(key).startswith("z3u2")
    restored = keys.private_key_from_multibase(keys.private_multibase(key))
    assert keys.public_multibase(restored.public_key()) == public


@pytest.mark.parametrize("text", [
    "", "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "z", "z0",
    "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",  # a private key: refused as public
    "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",  # one character short
    None,
])
def test_public_multibase_rejects_anything_else(text):
    with pytest.raises(ValueError):
        keys.public_key_from_multibase(text)


def test_jwk_matches_rfc8037_example():
    """RFC 8037 Appendix A.1/A.2: the JWK 'x' of the example private key 'd'."""
    d = base64.urlsafe_b64decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
    public = Ed25519PrivateKey.from_private_bytes(d).public_key()
    assert keys.jwks([(f"{DID}#key-1", public, "current")]) == {"keys": [{
        "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "kid": f"{DID}#key-1", "use": "sig", "alg": "EdDSA"}]}


def test_did_document_lists_current_and_retired_keys():
    old, new = signing.generate_key(), signing.generate_key()
    document = keys.did_document(DID, [("key-2025", old.public_key(), "retired"),
                                       (f"{DID}#key-2026", new.public_key(), "current")])
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [
            {"id": f"{DID}#key-2025", "type": "Multikey", "controller": DID,
             "publicKeyMultibase": keys.public_multibase(old.public_key())},
            {"id": f"{DID}#key-2026", "type": "Multikey", "controller": DID,
             "publicKeyMultibase": keys.public_multibase(new.public_key())},
        ],
        "assertionMethod": [f"{DID}#key-2025", f"{DID}#key-2026"],
    }


def test_credentials_signed_with_a_retired_key_still_verify_after_rotation():
    old, new = signing.generate_key(), signing.generate_key()
    credential = {"id": "urn:label:1", "footprint": 3.2}
    before = signing.sign(credential, old, f"{DID}#key-2025", "2025-06-01T00:00:00Z")
    after = signing.sign(credential, new, f"{DID}#key-2026", "2026-06-01T00:00:00Z")
    rotated = keys.did_document(DID, [("key-2025", old.public_key(), "retired"),
                                      ("key-2026", new.public_key(), "current")])
    resolve = keys.key_resolver(rotated)
    assert signing.verify(before, resolve).verified
    assert signing.verify(after, resolve).verified
    compromised = keys.did_document(DID, [("key-2026", new.public_key(), "current")])
    assert not signing.verify(before, keys.key_resolver(compromised)).verified


@pytest.mark.parametrize(("entries", "error"), [
    ([("key-1", "not a key", "current")], TypeError),
    ([("key-1", signing.generate_key().public_key(), "revoked")], ValueError),
    ([("did:web:other.example#key-1", signing.generate_key().public_key(), "current")],
     ValueError),
    ([("key-1", signing.generate_key().public_key(), "current"),
      ("#key-1", signing.generate_key().public_key(), "retired")], ValueError),
])
def test_did_document_rejects_bad_entries(entries, error):
    with pytest.raises(error):
        keys.did_document(DID, entries)


def test_resolver_only_hands_out_assertion_keys_of_the_controller():
    key = signing.generate_key().public_key()
    document = keys.did_document(DID, [("key-1", key, "current")])
    document["verificationMethod"] += [
        {"id": f"{DID}#auth", "type": "Multikey", "controller": DID,
         "publicKeyMultibase": keys.public_multibase(key)},
        {"id": f"{DID}#foreign", "type": "Multikey", "controller": "did:web:evil.example",
         "publicKeyMultibase": keys.public_multibase(key)},
        {"id": f"{DID}#legacy", "type": "Ed25519VerificationKey2020", "controller": DID,
         "publicKeyMultibase": keys.public_multibase(key)},
    ]
    document["assertionMethod"] += [f"{DID}#foreign", f"{DID}#legacy"]
    resolve = keys.key_resolver(document)
    assert keys.public_multibase(resolve(f"{DID}#key-1")) == keys.public_multibase(key)
    for method, reason in [("auth", "not listed"), ("foreign", "controlled by"),
                           ("legacy", "not Multikey"), ("missing", "not listed")]:
        with pytest.raises(LookupError, match=reason):
            resolve(f"{DID}#{method}")


def test_resolver_accepts_embedded_verification_methods():
    key = signing.generate_key()
    document = {"id": DID, "assertionMethod": [
        {"id": f"{DID}#k", "type": "Multikey", "controller": DID,
         "publicKeyMultibase": keys.public_multibase(key.public_key())}]}
    signed = signing.sign({"a": 1}, key, f"{DID}#k", "2026-01-01T00:00:00Z")
    assert signing.verify(signed, keys.key_resolver(document)).verified
