"""Signing and verifying label credentials: round trips, tampering, hostile input."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.trust import signing

DID = "did:web:labels.example"
KEY = signing.generate_key()
VM = f"{DID}#key-1"
CREATED = "2026-03-01T08:30:00Z"
RESOLVE = signing.key_resolver(signing.did_document(DID, [("key-1", KEY.public_key(),
                                                             "current")]))

CREDENTIAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://labels.example/carbon/v1"],
    "id": "urn:uuid:2f0c1f3e-6f52-4d7b-9a57-0c3c2a7f1d11",
    "type": ["VerifiableCredential", "CarbonLabelCredential"],
    "issuer": DID,
    "validFrom": "2026-03-01T00:00:00Z",
    "credentialSubject": {
        "id": "urn:label:GBA-2026-7K3M-Q9TD-1",
        "product": "Porcelain floor tile 600 x 600 mm",
        "名称": "瓷质地砖",
        "footprint": {"value": 12.5, "unit": "kg CO2e", "perDeclaredUnit": 1},
        "thirdPartyVerified": True,
        "expiry": None,
        "stages": [{"module": "A1-A3", "share": 0.82}, {"module": "A4", "share": 0.18}],
        "tags": ["ceramic", "GBA", "export"],
    },
}
SIGNED = signing.sign(CREDENTIAL, KEY, VM, CREATED)


def _leaf_paths(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _leaf_paths(value, (*path, key))]
    if isinstance(node, list):
        return [p for index, value in enumerate(node) for p in _leaf_paths(value, (*path, index))]
    return [path]


LEAVES = _leaf_paths(SIGNED)


def _parent(document: Any, path: tuple) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


def _get(document: Any, path: tuple) -> Any:
    return _parent(document, path)[path[-1]]


def _canonical(value: Any) -> bytes | None:
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return None


def _mutated(path: tuple, kind: str, replacement: Any = None) -> dict[str, Any]:
    document = copy.deepcopy(SIGNED)
    parent, last = _parent(document, path), path[-1]
    if kind == "replace":
        parent[last] = replacement
    elif kind == "delete":
        del parent[last]
    elif kind == "rename" and isinstance(parent, dict):
        parent[f"{last}_"] = parent.pop(last)
    elif kind == "rename":  # list element: duplicate it instead, also a change
        parent.insert(last, parent[last])
    return document


def test_round_trip():
    result = signing.verify(SIGNED, RESOLVE)
    assert result == signing.VerificationResult(True, [], CREDENTIAL)
    assert SIGNED["proof"]["verificationMethod"] == VM
    assert SIGNED["proof"]["@context"] == CREDENTIAL["@context"]
    assert "proof" not in CREDENTIAL  # the input is not modified


def test_document_without_context_gets_no_proof_context():
    plain = {"id": "urn:x", "value": 3}
    signed = signing.sign(plain, KEY, VM, CREATED)
    assert "@context" not in signed["proof"]
    assert signing.verify(signed, RESOLVE).verified


def test_sign_refuses_bad_input():
    with pytest.raises(signing.ProofError, match="already has a proof"):
        signing.sign(SIGNED, KEY, VM, CREATED)
    with pytest.raises(signing.ProofError, match="dateTime"):
        signing.sign(CREDENTIAL, KEY, VM, "2026-02-30T00:00:00Z")
    with pytest.raises(signing.ProofError, match="JCS"):
        signing.sign({"value": math.nan}, KEY, VM, CREATED)
    with pytest.raises(signing.ProofError, match="verification_method"):
        signing.sign(CREDENTIAL, KEY, "", CREATED)


def _assert_detected(document: dict[str, Any]) -> None:
    """Every change is refused, including extra *trailing* @context entries, which the spec's
    prefix check would let through (see test_an_appended_context_is_refused)."""
    result = signing.verify(document, RESOLVE)
    assert not result.verified, document
    assert result.problems and all(isinstance(p, str) and p for p in result.problems)
    assert result.verified_document is None


@pytest.mark.parametrize("kind", ["replace", "delete", "rename"])
@pytest.mark.parametrize("path", LEAVES, ids=lambda p: "/".join(map(str, p)))
def test_every_leaf_mutation_is_detected(path, kind):
    original = _get(SIGNED, path)
    replacement = "tampered" if original != "tampered" else "other"
    _assert_detected(_mutated(path, kind, replacement))


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.text(max_size=20),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(LEAVES), kind=st.sampled_from(["replace", "delete", "rename"]),
       replacement=st.one_of(JSON_SCALARS, st.lists(JSON_SCALARS, max_size=2),
                             st.dictionaries(st.text(max_size=3), JSON_SCALARS, max_size=2)))
def test_random_mutations_of_random_leaves_are_detected(path, kind, replacement):
    if kind == "replace":
        assume(_canonical(replacement) != _canonical(_get(SIGNED, path)))
    _assert_detected(_mutated(path, kind, replacement))


def test_an_appended_context_is_refused():
    """Verify Proof step 4 only requires the document's @context to *start with* the proof's;
    we require exactly the proof's, so a context appended after signing cannot re-map a
    signed term for JSON-LD readers while the signature still verifies."""
    extended = copy.deepcopy(SIGNED)
    extended["@context"].append({"kgCO2e": "https://attacker.example/halved"})
    result = signing.verify(extended, RESOLVE)
    assert not result.verified
    assert "not exactly the proof's @context" in result.problems[0]
    reordered = copy.deepcopy(SIGNED)
    reordered["@context"].reverse()
    assert not signing.verify(reordered, RESOLVE).verified
    as_string = copy.deepcopy(SIGNED)  # one context as a string is not the same JSON as a list
    as_string["@context"] = as_string["proof"]["@context"] = SIGNED["@context"][0]
    assert not signing.verify(as_string, RESOLVE).verified


def test_unknown_verification_method():
    signed = signing.sign(CREDENTIAL, KEY, f"{DID}#key-9", CREATED)
    result = signing.verify(signed, RESOLVE)
    assert not result.verified
    assert "unknown verification method" in result.problems[0]
    assert "key-9" in result.problems[0]


@pytest.mark.parametrize(("proof_type", "suite"), [
    ("DataIntegrityProof", "eddsa-rdfc-2022"),
    ("DataIntegrityProof", "ecdsa-jcs-2019"),
    ("Ed25519Signature2020", "eddsa-jcs-2022"),
])
def test_wrong_cryptosuite_or_type(proof_type, suite):
    document = copy.deepcopy(SIGNED)
    document["proof"].update(type=proof_type, cryptosuite=suite)
    result = signing.verify(document, RESOLVE)
    assert not result.verified
    assert "unsupported proof" in result.problems[0]


def test_proof_purpose_must_match():
    signed = signing.sign(CREDENTIAL, KEY, VM, CREATED, proof_purpose="authentication")
    assert not signing.verify(signed, RESOLVE).verified
    purpose_result = signing.verify(signed, lambda _m: KEY.public_key(),
                                    expected_proof_purpose="authentication")
    assert purpose_result.verified


def _with_proof(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(SIGNED)
    document["proof"].update(changes)
    return document


@pytest.mark.parametrize("document", [
    None, [], "text", 42, {}, {"proof": None}, {"proof": []}, {"proof": "z123"},
    {"proof": [SIGNED["proof"]]},
    _with_proof(type=1), _with_proof(verificationMethod=None), _with_proof(proofPurpose=[]),
    _with_proof(proofValue=None), _with_proof(proofValue="u" + SIGNED["proof"]["proofValue"][1:]),
    _with_proof(proofValue="z0OIl"), _with_proof(proofValue="z"),
    _with_proof(proofValue=SIGNED["proof"]["proofValue"][:-1]),
    _with_proof(proofValue=SIGNED["proof"]["proofValue"] + "1"),
    _with_proof(created="yesterday"), _with_proof(created=20260301),
    {**SIGNED, "credentialSubject": {"value": math.nan}},
    {**SIGNED, "credentialSubject": {1: "non-string key"}},
    {**SIGNED, "credentialSubject": {"set": {1, 2}}},
    {**SIGNED, "credentialSubject": {"big": 2**64}},
    {**SIGNED, "credentialSubject": "\ud800"},
    {key: value for key, value in SIGNED.items() if key != "@context"},
], ids=lambda d: repr(d)[:40])
def test_malformed_input_is_reported_not_raised(document):
    result = signing.verify(document, RESOLVE)
    assert result.verified is False
    assert result.problems and result.verified_document is None


def test_deeply_nested_input_is_reported_not_raised():
    nested: Any = "x"
    for _ in range(100_000):
        nested = [nested]
    result = signing.verify({**SIGNED, "credentialSubject": nested}, RESOLVE)
    assert not result.verified


@pytest.mark.parametrize("resolver", [
    lambda _m: (_ for _ in ()).throw(RuntimeError("resolver crashed")),
    lambda _m: None,
    lambda _m: "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    lambda _m: KEY,  # a private key is not what a resolver should hand out
])
def test_misbehaving_resolver_is_reported_not_raised(resolver):
    result = signing.verify(SIGNED, resolver)
    assert not result.verified and result.problems


json_values = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["proof", "@context", "type", "cryptosuite", "proofValue",
                         "verificationMethod", "proofPurpose", "created", "x"]),
        children, max_size=5),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(document=json_values)
def test_verify_never_raises_on_arbitrary_json(document):
    assert signing.verify(document, RESOLVE).verified is False


@pytest.mark.parametrize(("text", "valid"), [
    ("2023-02-24T23:36:38Z", True), ("2024-02-29T00:00:00+08:00", True),
    ("2023-02-24T23:36:38.123Z", True), ("2023-02-24T23:36:38", True),
    ("2023-02-24T24:00:00Z", True), ("2000-02-29T00:00:00-14:00", True),
    ("2023-02-30T00:00:00Z", False), ("2100-02-29T00:00:00Z", False),
    ("2023-13-01T00:00:00Z", False), ("2023-02-24 23:36:38Z", False),
    ("2023-02-24", False), ("2023-02-24T23:36:38+15:00", False), ("", False),
])
def test_created_must_be_an_xml_schema_datetime(text, valid):
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": text}
    if valid:
        signing.configure_proof(options)
    else:
        with pytest.raises(signing.ProofError):
            signing.configure_proof(options)
