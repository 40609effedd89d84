"""Who the service is when it signs: its did:web identity, public URLs and key folder."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from app.trust import checkpoint, contexts
from app.trust.did_web import did_from_url
from app.trust.status_list import MIN_BITS

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def issuer_from_config(config) -> Issuer:
    return Issuer(public_url=config["PUBLIC_URL"].rstrip("/"), keys_dir=config["KEYS_DIR"],
                  status_list_entries=config.get("STATUS_LIST_ENTRIES", MIN_BITS),
                  log_inline=config.get("LOG_SEQUENCER", "batched") == "inline")


@dataclass(frozen=True)
class Issuer:
    public_url: str  # e.g. https://labels.example.org (no trailing slash)
    keys_dir: Path
    # Labels allocated per revocation list before the next list is started. The published
    # list always has the specification's 131,072 entries; production allocates all of them.
    # TEST-ONLY: a smaller number (STATUS_LIST_ENTRIES, never read from the environment)
    # lets tests cross list boundaries with a handful of labels.
    status_list_entries: int = MIN_BITS
    # LOG_SEQUENCER=inline: approvals and revocations append to the log in their own
    # transaction (no merge delay, the log's lock held through commit); otherwise their
    # entries wait for the sequencer (app/services/sequencer.py)
    log_inline: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.status_list_entries <= MIN_BITS:
            raise ValueError(f"status_list_entries must be 1 to {MIN_BITS}")

    @cached_property  # read several times an approval; the dataclass is frozen
    def did(self) -> str:
        """did:web of the public URL: host (port %3A-encoded), then path segments. Pinned:
        the app refuses to start when it differs from the DID of the stored keys and labels
        (app/services/issuer_pin.py)."""
        return did_from_url(self.public_url)

    @property
    def log_origin(self) -> str:
        """The transparency log's checkpoint origin and key name (docs/transparency-log.md)."""
        return checkpoint.log_origin(self.public_url)

    def method_id(self, key_id: str) -> str:
        return f"{self.did}#{key_id}"

    def url(self, path: str) -> str:
        return self.public_url.rstrip("/") + path

    @property
    def context_url(self) -> str:
        """The carbon-label context new credentials name (v2; see app/trust/contexts)."""
        return self.url(contexts.V2_PATH)

    @property
    def status_list_url(self) -> str:
        """Revocation list 0, at the URL it had before lists were numbered."""
        return self.url("/api/v1/status-lists/revocation")

    def status_list_url_for(self, number: int, purpose: str = "revocation") -> str:
        """List `number` of `purpose`. Revocation list 0 keeps its original URL, so the
        credentialStatus of every label issued before lists were numbered still resolves;
        suspension lists came after numbering and are all numbered."""
        if purpose == "suspension":
            return self.url(f"/api/v1/status-lists/suspension/{number}")
        return self.status_list_url if number == 0 else f"{self.status_list_url}/{number}"

    def label_url(self, label_id: str) -> str:
        return self.url(f"/api/v1/labels/{label_id}")

    def verify_page(self, label_id: str) -> str:
        return self.url(f"/verify/{label_id}")
