"""What `carbonlabel verify` does with receipts, and how it checks the log against the
checkpoint it remembers (docs/transparency-log.md); kept apart from the command's parsing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from app.trust import checkpoint, log_check
from app.trust.receipt import verify_receipt


def peek(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def print_report(report, before_verdict: Callable[[], None] | None = None) -> None:
    for reason in report.reasons:
        click.echo(f"  {reason}")
    if before_verdict is not None:
        before_verdict()
    click.echo("VERIFIED" if report.ok else "NOT VERIFIED")


def verify_receipt_file(found: dict, document: dict | None, state_dir: Path | None) -> None:
    """Every check of a receipt by name, then the reasons; exits 0 or 1."""
    report = verify_receipt(found, did_document=document)
    for name, ok in report.checks.items():
        click.echo(f"  {name:<16} {'ok' if ok else 'FAILED'}")
    try:
        signed = checkpoint.parse_proof(found["inclusion_proof"]).checkpoint
        seen = checkpoint.unverified(signed)
        remembered = log_check.CheckpointStore(log_check.state_dir(state_dir)).get(seen.origin)
    except ValueError:
        remembered = None
    if report.ok and remembered is not None:
        old = checkpoint.unverified(remembered)
        if old.size == seen.size and old.root_hash != seen.root_hash:
            report.add("remembered", False, f"the log {seen.origin} showed a different tree "
                       f"of size {seen.size} before: it was rewritten or forked")
    print_report(report)
    sys.exit(0 if report.ok else 1)


def check_remembered(base_url: str, did_document: dict[str, Any], state_dir: Path | None,
                     fetch: Callable[[str], Any]) -> None:
    """Online: the log's latest checkpoint (from `base_url`, the issuer's or a mirror) must be
    signed by a key of the issuer's `did_document` and extend the one remembered from
    earlier runs; a rewritten or forked log stops here, loudly, and is not remembered."""
    base = base_url.rstrip("/")
    store = log_check.CheckpointStore(log_check.state_dir(state_dir))

    def proof(first: int, second: int) -> list[bytes]:
        found = fetch(f"{base}/log/proof/consistency?first={first}&second={second}")
        return [bytes.fromhex(h) for h in found["consistency"]]

    try:
        message = log_check.remember(did_document, fetch(base + "/log/sth").get("checkpoint"),
                                     store, proof)
    except log_check.LogForked as exc:
        click.echo(f"LOG INCONSISTENT: {exc}. The checkpoint remembered in {store.path} is "
                   "kept; do not trust this log's answers.", err=True)
        sys.exit(3)
    except ValueError as exc:
        click.echo(f"LOG CHECKPOINT NOT VERIFIED: {exc}", err=True)
        sys.exit(3)
    click.echo(f"  log: {message}")
