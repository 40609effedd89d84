"""Signed notes, checkpoints and tlog-proofs against vectors built by hand from the C2SP
specifications (signed-note, tlog-checkpoint, tlog-proof) and against the example published
with Go's golang.org/x/mod/sumdb/note (its documented key, text and signed note)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.services.issuer import Issuer
from app.trust import checkpoint, note
from app.trust.checkpoint import Checkpoint
from app.trust.note import NoteError

# The sumdb/note package documentation's example (a published, independent vector).
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_NOTE = GO_TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUg"
                     "YN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")

SEED = bytes(range(32))  # the hand-built vector's key
ORIGIN = "labels.example/log"


def go_private() -> Ed25519PrivateKey:
    material = base64.b64decode(GO_SIGNER.split("+", 4)[4])
    assert material[0] == 1  # the signed-note Ed25519 type byte precedes the seed
    return Ed25519PrivateKey.from_private_bytes(material[1:])


def test_the_go_example_is_reproduced_byte_for_byte():
    private = go_private()
    assert note.verifier_key("PeterNeumann", private.public_key()) == GO_VERIFIER
    assert note.sign(GO_TEXT, "PeterNeumann", private) == GO_NOTE
    text, verified = note.open_note(GO_NOTE, [note.parse_verifier_key(GO_VERIFIER)])
    assert text == GO_TEXT and verified[0].name == "PeterNeumann"


def test_hand_built_checkpoint_vector():
    """Every byte derived here from the specs' prose, not from the code under test."""
    private = Ed25519PrivateKey.from_private_bytes(SEED)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    root = hashlib.sha256(b"the root").digest()
    text = f"{ORIGIN}\n7\n{base64.b64encode(root).decode()}\n".encode()
    key_id = hashlib.sha256(ORIGIN.encode() + b"\x0a\x01" + public).digest()[:4]
    line = "\u2014 " + ORIGIN + " " + base64.b64encode(key_id + private.sign(text)).decode()
    expected = text.decode() + "\n" + line + "\n"
    vkey = ORIGIN + "+" + key_id.hex() + "+" + base64.b64encode(b"\x01" + public).decode()

    assert checkpoint.sign(Checkpoint(ORIGIN, 7, root), private) == expected
    assert note.verifier_key(ORIGIN, private.public_key()) == vkey
    assert checkpoint.verify(expected, [vkey], ORIGIN) == Checkpoint(ORIGIN, 7, root)


def signed(size: int = 7, origin: str = ORIGIN, root: bytes = bytes(32)) -> tuple[str, str]:
    private = Ed25519PrivateKey.from_private_bytes(SEED)
    return (checkpoint.sign(Checkpoint(origin, size, root), private),
            note.verifier_key(origin, private.public_key()))


def test_unknown_keys_are_ignored_and_a_note_needs_one_known_signature():
    text, vkey = signed()
    stranger = Ed25519PrivateKey.generate()
    cosigned = text + note.sign(checkpoint.unverified(text).text(), "witness.example",
                                stranger).split("\n\n")[1]
    assert checkpoint.verify(cosigned, [vkey], ORIGIN).size == 7
    other = note.verifier_key(ORIGIN, stranger.public_key())
    with pytest.raises(NoteError, match="no signature by a known key"):
        checkpoint.verify(text, [other], ORIGIN)


@pytest.mark.parametrize("mutate, reason", [
    (lambda t: t.replace("\n7\n", "\n8\n"), "does not verify"),
    (lambda t: t.replace(ORIGIN + "\n", "labels.example/other\n", 1), "does not verify"),
    (lambda t: t.replace("\n\n", "\nextension\n\n"), "does not verify"),
    (lambda t: t.replace("\u2014", "-"), "malformed signature line"),
    (lambda t: t.rstrip("\n"), "blank line"),
    (lambda t: t.replace("\n\n", "\n"), "blank line"),
    (lambda t: t[:-6] + "A" + t[-5:], "does not verify"),
])
def test_tampered_checkpoints_are_refused_with_a_reason(mutate, reason):
    text, vkey = signed()
    with pytest.raises(NoteError, match=reason):
        checkpoint.verify(mutate(text), [vkey], ORIGIN)


@pytest.mark.parametrize("body, reason", [
    (f"{ORIGIN}\n07\n{base64.b64encode(bytes(32)).decode()}\n", "not a decimal"),
    (f"{ORIGIN}\n7\n{base64.b64encode(bytes(31)).decode()}\n", "32 bytes"),
    (f"{ORIGIN}\n7\n{base64.b64encode(bytes(32)).decode()}\next\n", "exactly"),
    (f"{ORIGIN}\n7\n", "exactly"),
])
def test_checkpoint_text_is_exactly_three_lines(body, reason):
    with pytest.raises(NoteError, match=reason):
        checkpoint.parse_text(body)


def test_a_checkpoint_for_another_origin_is_refused_even_with_the_right_key():
    private = Ed25519PrivateKey.from_private_bytes(SEED)
    text = note.sign(Checkpoint("evil.example/log", 7, bytes(32)).text(), ORIGIN, private)
    with pytest.raises(NoteError, match=r"not 'labels\.example/log'"):
        checkpoint.verify(text, [note.verifier_key(ORIGIN, private.public_key())], ORIGIN)


@pytest.mark.parametrize("vkey", [
    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
    "PeterNeumann+c74f20a3+AhpcMQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong type
    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "PeterNeumann+c74f20a3",
])
def test_malformed_verifier_keys_are_refused(vkey):
    with pytest.raises(NoteError):
        note.parse_verifier_key(vkey)


def test_tlog_proof_layout_and_parsing():
    text, _ = signed(size=5)
    hashes = [hashlib.sha256(bytes([i])).digest() for i in range(3)]
    proof = checkpoint.format_proof(4, hashes, text)
    lines = proof.split("\n")
    assert lines[:2] == ["c2sp.org/tlog-proof@v1", "index 4"]
    assert lines[2:5] == [base64.b64encode(h).decode() for h in hashes]
    assert lines[5] == "" and "\n".join(lines[6:]) == text
    parsed = checkpoint.parse_proof(proof)
    assert (parsed.index, parsed.hashes, parsed.checkpoint) == (4, hashes, text)
    with_extra = proof.replace("index 4", "extra aGk=\nindex 4")
    assert checkpoint.parse_proof(with_extra).extra == b"hi"
    for bad in (proof.replace("@v1", "@v2"), proof.replace("index 4", "index 04"),
                proof.replace(lines[2], lines[2][:-4])):
        with pytest.raises(NoteError):
            checkpoint.parse_proof(bad)


@pytest.mark.parametrize("url, origin", [
    ("https://labels.example", "labels.example/log"),
    ("https://labels.example/", "labels.example/log"),
    ("http://localhost:5000", "localhost:5000/log"),
    ("https://example.org/carbon/labels", "example.org/carbon/labels/log"),
])
def test_the_origin_follows_from_the_url_and_from_the_did_alike(url, origin):
    assert checkpoint.log_origin(url) == origin
    assert checkpoint.origin_for_did(Issuer(url, None).did) == origin
