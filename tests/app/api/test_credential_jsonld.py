"""Every credential the service issues is sound JSON-LD: PyLD expands it, offline, with the
W3C VC 2.0 context and our served contexts, and a safe-mode check finds nothing dropped,
nothing relative and no term outside the vocabularies we mean. The credential issued before
context v2 fails that check (its standards said `id`, i.e. `@id`, "ISO 14067"), and a context
appended after signing can neither re-map a term nor pass verification."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from app.services.recognition import evaluate_credential
from app.trust import contexts, offline
from lca_models.recognition import RecognitionMetadata
from tests.app.api.test_labels import issue

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "jsonld"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_CONTEXT_SHA256 = "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f"
OURS = "urn:carbonlabel:vocab:"
# Where every property and type of our credentials may expand to: our vocabulary and the
# vocabularies the VC 2.0 context itself uses. An issuer-dependent or instance vocabulary
# (v1's @vocab) is not among them.
KNOWN = (OURS, "https://www.w3.org/2018/credentials#", "https://www.w3.org/ns/credentials/status#",
         "https://w3id.org/security#", "https://schema.org/", "http://purl.org/dc/terms/")
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


class UnsafeJsonLd(AssertionError):
    """What JSON-LD safe mode would refuse (PyLD has no safe mode; this check stands in)."""


def _loader(client):
    served = {VC_CONTEXT: (FIXTURES / "credentials-v2.jsonld").read_bytes()}

    def load(url: str, options: dict | None = None) -> dict[str, Any]:
        if url not in served:
            path = url.removeprefix("https://labels.test")
            if path not in (contexts.V1_PATH, contexts.V2_PATH):
                raise UnsafeJsonLd(f"the test loads no context from {url} (no network)")
            response = client.get(path)
            assert response.status_code == 200, url
            served[url] = response.data
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(served[url])}

    return load


def _scalars(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_scalars(v) for k, v in value.items() if k != "@context")
    if isinstance(value, list):
        return sum(_scalars(v) for v in value)
    return 0 if value is None else 1


def _check_expanded(node: Any, problems: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _check_expanded(item, problems)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@id" and not (value.startswith("_:") or ABSOLUTE_IRI.fullmatch(value)):
            problems.append(f"relative or invalid @id {value!r}")
        elif key == "@type" and "@value" in node:  # a datatype, e.g. xsd:dateTime
            if not ABSOLUTE_IRI.fullmatch(value):
                problems.append(f"datatype {value!r} is not an IRI")
        elif key == "@type":
            for iri in value:
                if not ABSOLUTE_IRI.fullmatch(iri) or not iri.startswith(KNOWN):
                    problems.append(f"@type {iri!r} is not a defined term")
        elif not key.startswith("@") and not key.startswith(KNOWN):
            problems.append(f"property {key!r} is not a term of a known vocabulary")
        if key != "@value":
            _check_expanded(value, problems)


def _expanded_scalars(node: Any) -> int:
    if isinstance(node, list):
        return sum(_expanded_scalars(item) for item in node)
    if not isinstance(node, dict):
        return 0
    count = 0
    for key, value in node.items():
        if key in ("@value", "@id"):
            count += 1
        elif key == "@type" and "@value" not in node:
            count += len(value) if isinstance(value, list) else 1
        elif key not in ("@type", "@language", "@direction", "@index"):
            count += _expanded_scalars(value)
    return count


def expand_safely(document: dict[str, Any], client) -> list[Any]:
    dropped: list[Any] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    expanded = processor.expand(copy.deepcopy(document),
                                {"documentLoader": _loader(client), "base": None})
    problems = [f"property {name!r} dropped (no term defines it)" for name in dropped]
    _check_expanded(expanded, problems)
    if not problems and _expanded_scalars(expanded) != _scalars(document):
        problems.append(f"{_scalars(document)} values in, {_expanded_scalars(expanded)} out")
    if problems:
        raise UnsafeJsonLd("; ".join(problems))
    return expanded


def _objects(expanded: Any, iri: str) -> list[Any]:
    """Every value object or node of property `iri`, anywhere in the expanded document."""
    found: list[Any] = []
    if isinstance(expanded, list):
        for item in expanded:
            found += _objects(item, iri)
    elif isinstance(expanded, dict):
        for key, value in expanded.items():
            if key == iri:
                found += value
            found += _objects(value, iri)
    return found


def _values(expanded: Any, iri: str) -> list[Any]:
    return [v.get("@value", v.get("@id")) for v in _objects(expanded, iri)]


def test_every_issued_credential_type_expands_in_safe_mode(world, client):
    _, credential = issue(world)
    assert credential["@context"] == [VC_CONTEXT, "https://labels.test" + contexts.V2_PATH]
    expanded = expand_safely(credential, client)
    footprint = credential["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"]
    assert _values(expanded, OURS + "kgCO2ePerDeclaredUnit") == [footprint]
    (standard,) = _objects(expanded, OURS + "standards")
    assert standard["https://schema.org/name"] == [{"@value": "ISO 14067"}]
    (assurance,) = _objects(expanded, OURS + "assurance")
    assert assurance["@type"] == [OURS + "ThirdPartyAssurance"]
    assert _values(expanded, OURS + "issue_date") == [
        credential["credentialSubject"]["recognitionMetadata"]["issue_date"]]

    assert [e["statusPurpose"] for e in credential["credentialStatus"]] == [
        "revocation", "suspension"]
    for entry in credential["credentialStatus"]:  # the revocation and the suspension list
        status_url = entry["statusListCredential"]
        status_list = client.get(status_url.removeprefix("https://labels.test")).json
        expanded = expand_safely(status_list, client)
        assert _values(expanded, "https://www.w3.org/ns/credentials/status#encodedList") == [
            status_list["credentialSubject"]["encodedList"]]
        assert _values(expanded, "https://www.w3.org/ns/credentials/status#statusPurpose") \
            == [entry["statusPurpose"]]


def test_the_credential_issued_before_context_v2_is_refused(client):
    """The check is not vacuous: the old credential fails it, on its standards' `id`."""
    old = json.loads((FIXTURES / "label-credential-before-v2.json").read_text("utf-8"))
    assert old["credentialSubject"]["recognitionMetadata"]["standards"][0]["id"] == "ISO 14067"
    with pytest.raises(UnsafeJsonLd, match="relative or invalid @id 'ISO 14067'"):
        expand_safely(old, client)
    # ... and, being signed, it is still read as it is: the evaluation sees its standard.
    home = evaluate_credential(old, "gba-home")[0]
    assert not any(reason.field == "standards" for reason in home.reasons)


def test_an_appended_context_can_neither_remap_a_term_nor_verify(world, client):
    _, credential = issue(world)
    did_document = client.get("/.well-known/did.json").json
    assert offline.verify_offline(credential, did_document).ok
    remap = {"kgCO2ePerDeclaredUnit": "https://attacker.example/halfTheFootprint"}
    appended = {**credential, "@context": [*credential["@context"], remap]}
    with pytest.raises(jsonld.JsonLdError, match="protected"):
        expand_safely(appended, client)  # v2 protects the term
    report = offline.verify_offline(appended, did_document)
    assert not report.ok and not report.checks["signature"]
    assert any("not exactly the proof's @context" in reason for reason in report.reasons)
    # Under v1 (only @vocab) the same addition silently re-mapped the footprint:
    old = json.loads((FIXTURES / "label-credential-before-v2.json").read_text("utf-8"))
    old = {**old, "@context": [*old["@context"], remap]}
    expanded = jsonld.expand(old, {"documentLoader": _loader(client), "base": None})
    assert _values(expanded, "https://attacker.example/halfTheFootprint") == [
        old["credentialSubject"]["footprint"]["kgCO2ePerDeclaredUnit"]]


def _field_names(cls: type) -> set[str]:
    names: set[str] = set()
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        names.add(field.name)
        stack = [hints[field.name]]
        while stack:
            hint = stack.pop()
            if dataclasses.is_dataclass(hint):
                names |= _field_names(hint)
            stack += typing.get_args(hint)
    return names


def test_context_v2_defines_every_term_explicitly_and_protected(client):
    served = client.get(contexts.V2_PATH)
    assert served.status_code == 200 and served.mimetype == "application/ld+json"
    assert served.data == contexts.v2_bytes()  # the shipped file, byte for byte
    definitions = contexts.v2()["@context"]
    assert definitions["@protected"] is True and "@vocab" not in definitions
    assurance_types = definitions["assurance"]["@context"]
    assert {"third_party", "critical_review", "self"} <= set(assurance_types)
    # Every metadata field the credential can carry, not only those of one sample label
    # (`type` is VC's own `@type`; `name` is VC's schema.org name).
    missing = _field_names(RecognitionMetadata) - set(definitions) - {"type", "name"}
    assert not missing, missing
    # v1 is still served, unchanged, for the credentials that name it.
    assert client.get(contexts.V1_PATH).json == {"@context": {
        "@protected": True, "@vocab": "https://labels.test/vocab/carbon-label#"}}


def test_the_vc_context_fixture_is_the_published_file():
    digest = hashlib.sha256((FIXTURES / "credentials-v2.jsonld").read_bytes()).hexdigest()
    assert digest == VC_CONTEXT_SHA256


def test_verify_command_refuses_duplicate_member_names(world, client, tmp_path, runner):
    """A fake value first and the signed one last (or the reverse) reads differently in
    different parsers; the verifier refuses the file instead of picking one."""
    from app.cli import main

    _, credential = issue(world)
    did = tmp_path / "did.json"
    did.write_text(client.get("/.well-known/did.json").text)
    text = json.dumps(credential)
    signed_value = json.dumps(credential["validUntil"])
    doubled = text.replace(f'"validUntil": {signed_value}',
                           f'"validUntil": "2099-01-01T00:00:00Z", "validUntil": {signed_value}')
    assert doubled != text and json.loads(doubled) == credential  # Python keeps the last
    cred = tmp_path / "credential.json"
    cred.write_text(doubled)
    result = runner.invoke(main, ["verify", str(cred), "--did-document", str(did)])
    assert result.exit_code == 2, result.output
    assert "duplicate member name 'validUntil'" in result.stderr
    cred.write_text(text)
    assert runner.invoke(main, ["verify", str(cred), "--did-document", str(did)]).exit_code == 0
