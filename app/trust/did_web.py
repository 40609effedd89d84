"""The did:web method (https://w3c-ccg.github.io/did-method-web/): a DID names the https
location of its own document, so a verifier learns the issuer's keys from the issuer's DID
alone and never from whoever hands it a credential or a URL.

``did:web:example.org`` is served at ``https://example.org/.well-known/did.json``,
``did:web:example.org%3A8443:labels:gba`` at ``https://example.org:8443/labels/gba/did.json``
(a port is written ``%3A``, path segments are separated by ``:``). The method forbids IP
addresses and requires https; loopback hosts, IP addresses and plain http are accepted only
when the caller explicitly allows development (`allow_insecure`), and then only for such
hosts: a real domain name is always fetched over https.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

Fetch = Callable[[str], Any]  # URL -> parsed JSON

_HOST = re.compile(r"^[A-Za-z0-9.-]+$")
_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=@%-]+$")


class DidWebError(ValueError):
    """A did:web identifier, URL or document that must not be trusted; the message names why."""


@dataclass(frozen=True)
class DidWeb:
    """A parsed did:web: the host (with its port, decoded) and the path segments."""

    did: str
    host: str  # "example.org" or "example.org:8443"
    path: tuple[str, ...]

    @property
    def hostname(self) -> str:
        return self.host.rsplit(":", 1)[0] if _has_port(self.host) else self.host

    @property
    def insecure(self) -> bool:
        """An IP address or a loopback name: never a did:web outside development."""
        return is_insecure_host(self.hostname)

    def scheme(self, allow_insecure: bool = False) -> str:
        if not self.insecure:
            return "https"
        if not allow_insecure:
            raise DidWebError(
                f"{self.did} names {self.hostname}, an IP address or loopback host; did:web "
                "needs a domain name served over https (development only: allow insecure "
                "hosts explicitly, e.g. --allow-insecure-dev)")
        return "http"

    def base_url(self, allow_insecure: bool = False) -> str:
        """The service's own base URL: origin plus the DID's path (no trailing slash)."""
        return "/".join([f"{self.scheme(allow_insecure)}://{self.host}", *self.path])

    @property
    def document_path(self) -> str:
        """Where on the host the document lives."""
        return "/" + "/".join(self.path) + "/did.json" if self.path else "/.well-known/did.json"

    def document_url(self, allow_insecure: bool = False) -> str:
        return f"{self.scheme(allow_insecure)}://{self.host}{self.document_path}"


def _has_port(host: str) -> bool:
    return ":" in host and host.rsplit(":", 1)[1].isdigit()


def is_insecure_host(hostname: str) -> bool:
    name = hostname.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def parse(did: str) -> DidWeb:
    """Parse and check a did:web; raises DidWebError naming what is wrong."""
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise DidWebError(f"{did!r} is not a did:web identifier")
    host_part, *segments = did.removeprefix("did:web:").split(":")
    host = unquote(host_part)
    if "%" in host_part.replace("%3A", "").replace("%3a", ""):
        raise DidWebError(f"{did}: only a port may be percent-encoded (%3A) in the host")
    name, _, port = host.partition(":")
    if not name or not _HOST.match(name) or ".." in name or (
            port and not (port.isdigit() and 0 < int(port) < 65536)):
        raise DidWebError(f"{did}: {host!r} is not a host name with an optional port")
    path = []
    for segment in segments:
        decoded = unquote(segment)
        if not segment or not _SEGMENT.match(segment) or decoded in (".", "..") \
                or "/" in decoded:
            raise DidWebError(f"{did}: path segment {segment!r} is empty or not allowed")
        path.append(decoded)
    return DidWeb(did=did, host=host.lower(), path=tuple(path))


def did_from_url(public_url: str) -> str:
    """The did:web of a service's public base URL (the inverse of `DidWeb.base_url`). The
    host is kept as written, as it always was: a DID is compared as an exact string."""
    parts = urlsplit(public_url)
    host = quote(parts.netloc, safe="")
    path = [quote(p, safe="") for p in parts.path.split("/") if p]
    return ":".join(["did:web", host, *path])


def check_public_url(public_url: str, dev_mode: bool) -> str:
    """The DID a service may mint from its public URL. Outside development mode: https and a
    domain name only (did:web forbids IP addresses; http would let anyone on the path swap
    the issuer's keys)."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DidWebError(f"public URL {public_url!r} is not an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise DidWebError(f"public URL {public_url!r} must not have a query or fragment")
    did = did_from_url(public_url.rstrip("/"))
    parse(did)
    if not dev_mode and (parts.scheme != "https" or is_insecure_host(parts.hostname)):
        raise DidWebError(
            f"public URL {public_url} would make the issuer {did}: did:web needs https and a "
            "domain name, not http or an IP address. Set CARBONLABEL_PUBLIC_URL to the "
            "service's https address, or CARBONLABEL_DEV=1 for local development only.")
    return did


def check_url(url: str, allow_insecure: bool, what: str) -> str:
    """A URL the verifier will fetch from: https and a domain name unless development."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DidWebError(f"{what} {url!r} is not an http(s) URL with a host")
    insecure = parts.scheme != "https" or is_insecure_host(parts.hostname)
    if insecure and not allow_insecure:
        raise DidWebError(f"{what} {url} is plain http or a loopback/IP address; that is "
                          "accepted only for development with --allow-insecure-dev")
    return url.rstrip("/")


def resolve(did: str, fetch: Fetch, allow_insecure: bool = False) -> dict[str, Any]:
    """Fetch the DID document from where the DID itself says it lives, and refuse one whose
    `id` is another DID."""
    location = parse(did)
    url = location.document_url(allow_insecure)
    document = fetch(url)
    if not isinstance(document, dict) or document.get("id") != did:
        found = document.get("id") if isinstance(document, dict) else type(document).__name__
        raise DidWebError(f"the DID document at {url} is for {found!r}, not {did}")
    return document
