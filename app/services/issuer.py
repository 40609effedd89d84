"""Who the service is when it signs: its did:web identity, public URLs and key folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from app.trust import contexts

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def issuer_from_config(config) -> Issuer:
    return Issuer(public_url=config["PUBLIC_URL"].rstrip("/"), keys_dir=config["KEYS_DIR"])


@dataclass(frozen=True)
class Issuer:
    public_url: str  # e.g. https://labels.example.org (no trailing slash)
    keys_dir: Path

    @property
    def did(self) -> str:
        """did:web of the public URL: host (port %3A-encoded), then path segments."""
        parts = urlsplit(self.public_url)
        host = quote(parts.netloc, safe="")
        path = [p for p in parts.path.split("/") if p]
        return ":".join(["did:web", host, *path])

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
        return self.url("/api/v1/status-lists/revocation")

    def label_url(self, label_id: str) -> str:
        return self.url(f"/api/v1/labels/{label_id}")

    def verify_page(self, label_id: str) -> str:
        return self.url(f"/verify/{label_id}")
