"""Client-side checks of the transparency log: a checkpoint against the issuer's own keys,
and a remembered checkpoint against a new one (consistency), so that a log rewritten or
showing different histories to different people is noticed.

The log is signed by the issuer's DID keys under the origin derived from the issuer's DID
(`checkpoint.origin_for_did`), so the only trust input is the DID document.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from app.trust import checkpoint, merkle, note
from app.trust.checkpoint import Checkpoint
from app.trust.keys import key_resolver
from app.trust.note import NoteError


class LogForked(Exception):
    """The log shows a history that does not extend the one remembered: rewritten or forked."""


def did_verifier_keys(did_document: Mapping[str, Any]) -> list[str]:
    """Verifier keys for the issuer's log: each assertionMethod key of the DID document under
    the origin of the document's DID (keys the resolver refuses are left out)."""
    origin = checkpoint.origin_for_did(str(did_document.get("id")))
    resolve = key_resolver(did_document)
    found = []
    for entry in did_document.get("assertionMethod") or []:
        vm_id = entry if isinstance(entry, str) else (entry or {}).get("id")
        if not isinstance(vm_id, str):  # a malformed entry names no key
            continue
        try:
            found.append(note.verifier_key(origin, resolve(vm_id)))
        except (LookupError, ValueError, TypeError):
            continue
    return found


def verify_checkpoint(signed: Any, did_document: Mapping[str, Any]) -> Checkpoint:
    """The checkpoint if a key of the issuer's DID document signed it for the issuer's log;
    NoteError naming the problem otherwise."""
    if not isinstance(signed, str):
        raise NoteError("the checkpoint is not text")
    origin = checkpoint.origin_for_did(str(did_document.get("id")))
    return checkpoint.verify(signed, did_verifier_keys(did_document), origin)


def state_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where the CLI remembers checkpoints: the option, $CARBONLABEL_STATE_DIR,
    $XDG_STATE_HOME/carbonlabel or ~/.local/state/carbonlabel."""
    if override:
        return Path(override)
    if os.environ.get("CARBONLABEL_STATE_DIR"):
        return Path(os.environ["CARBONLABEL_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "carbonlabel"


class CheckpointStore:
    """The last verified checkpoint per log origin, verbatim, in one small JSON file."""

    def __init__(self, directory: Path):
        self.path = directory / "checkpoints.json"

    def _all(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        if not isinstance(data, dict):
            raise ValueError(f"{self.path} is not a JSON object of checkpoints")
        return data

    def get(self, origin: str) -> str | None:
        return self._all().get(origin)

    def put(self, origin: str, signed: str) -> None:
        """Written to a temporary file and renamed, so a crash leaves the old file whole."""
        data = self._all()
        data[origin] = signed
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


def check_consistency(old: Checkpoint, new: Checkpoint,
                      fetch_proof: Callable[[int, int], list[bytes]]) -> str:
    """Raise LogForked unless `new` extends `old`; returns what was established.

    `fetch_proof(first, second)` returns the log's consistency proof. A smaller new tree, a
    different root at the same size or a proof that does not check all mean the history
    seen before is not a prefix of the one shown now.
    """
    if new.origin != old.origin:
        raise ValueError("checkpoints of two different logs")
    if new.size < old.size:
        raise LogForked(f"the log {new.origin} now shows {new.size} entries, fewer than the "
                        f"{old.size} it showed before: it was rolled back or rewritten")
    if new.size == old.size:
        if new.root_hash != old.root_hash:
            raise LogForked(f"the log {new.origin} shows two different trees of size "
                            f"{new.size}: it was rewritten or forked")
        return f"same checkpoint as remembered (size {new.size})"
    if old.size == 0:
        return "the remembered log was empty"
    proof = fetch_proof(old.size, new.size)
    if not merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof):
        raise LogForked(f"the log {new.origin} cannot prove that its tree of size {new.size} "
                        f"extends the tree of size {old.size} seen before: it was rewritten "
                        "or forked")
    return f"size {new.size} extends the remembered size {old.size} (consistency proof)"



def remember(did_document: Mapping[str, Any], latest: Any, store: CheckpointStore,
             fetch_proof: Callable[[int, int], list[bytes]]) -> str:
    """Verify the log's `latest` signed checkpoint with the issuer's keys, check that it
    extends the one remembered for its origin, then remember it. Raises NoteError for a
    checkpoint the issuer did not sign and LogForked for an inconsistent one; in both cases
    the remembered checkpoint is left as it was."""
    new = verify_checkpoint(latest, did_document)
    previous = store.get(new.origin)
    if previous is None:
        store.put(new.origin, latest)
        return f"first checkpoint seen for {new.origin} (size {new.size}), remembered"
    established = check_consistency(checkpoint.unverified(previous), new, fetch_proof)
    store.put(new.origin, latest)
    return established
