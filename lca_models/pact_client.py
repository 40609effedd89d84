"""A data recipient's side of PACT v3 (Technical Specifications 3.0.3): client credentials
against a partner's host, ListFootprints with filters and `Link` pagination, GetFootprint,
and the bearer-token flow that our own event deliveries reuse.

Pure HTTP on httpx: no Flask, no database. The token flow is an `httpx.Auth`, the library's
extension point for "authenticate, send, and on 401 re-authenticate once", so the same code
serves pulling footprints (`PactHostClient`) and posting events to a partner's /3/events
(app/services/pact_partner.py). Every footprint received is checked against the spec's
ProductFootprint schema before anyone can use it.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from lca_models.errors import (
    InputLimitError,
    MalformedInput,
    PactAccessDenied,
    PactAuthError,
    PactBadRequest,
    PactConfigError,
    PactConnectionError,
    PactExchangeError,
    PactFootprintNotFound,
    PactHostError,
    PactInvalidFootprint,
    PactProtocolError,
)
from lca_models.messages import N_
from lca_models.pact import validate_product_footprint
from lca_models.safe_load import load_json

DISCOVERY_PATH = "/.well-known/openid-configuration"
TOKEN_PATH = "/auth/token"  # the spec's tokenUrl, used when discovery gives none
#: Renew a cached token this many seconds before the host says it expires (clock skew,
#: time in flight), but never more than a tenth of its lifetime.
EXPIRY_MARGIN_SECONDS = 30.0
USER_AGENT = "carbonlabel-pact-client"


@dataclass(frozen=True)
class ClientCredentials:
    """What a partner's host issued to us. `token_url` skips discovery; `auth_base_url` is
    where discovery starts when it is not the base URL we talk to (for event deliveries, the
    events URL without /3/events)."""

    client_id: str
    client_secret: str = field(repr=False)
    token_url: str | None = None
    auth_base_url: str | None = None
    scope: str | None = None

    @classmethod
    def from_mapping(cls, data: Any, where: str) -> ClientCredentials:
        if not isinstance(data, Mapping):
            raise PactConfigError(N_('%(where)s: an entry must be a JSON object', where=where))
        unknown = set(data) - {"client_id", "client_secret", "token_url", "auth_base_url",
                               "scope", "name"}
        if unknown:
            raise PactConfigError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("client_id", "client_secret"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise PactConfigError(N_(
                    "%(where)s: '%(key)s' must be a non-empty string",
                    where=where, key=key))
        for key in ("token_url", "auth_base_url", "scope"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise PactConfigError(N_(
                    "%(where)s: '%(key)s' must be a string",
                    where=where, key=key))
        return cls(data["client_id"], data["client_secret"], data.get("token_url"),
                   data.get("auth_base_url"), data.get("scope"))


def read_secret_json(path: Path) -> Any:
    """JSON from a file that only its owner may read (0600), like a private key: a secret in a
    group- or world-readable file is refused rather than used."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise PactConfigError(N_('%(path)s does not exist', path=path)) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PactConfigError(f"{path} holds client secrets but others may read it "
                              f"(mode {stat.S_IMODE(mode):04o}); run chmod 600 {path}")
    try:
        return load_json(path.read_bytes())
    except (MalformedInput, InputLimitError) as exc:
        raise PactConfigError(N_(
            '%(path)s is not valid JSON: %(exc)s',
            path=path, exc=exc)) from None


def load_partner_credentials(path: Path) -> dict[str, ClientCredentials]:
    """The partners file: a JSON object whose keys are our registration id of the partner
    (`pact-…`), an events URL or a host base URL, each mapping to one credentials entry."""
    data = read_secret_json(path)
    if not isinstance(data, Mapping):
        raise PactConfigError(N_('%(path)s: expected a JSON object keyed by partner', path=path))
    return {normalise_key(key): ClientCredentials.from_mapping(entry, f"{path} [{key}]")
            for key, entry in data.items()}


def normalise_key(key: str) -> str:
    """URL keys compare without a trailing slash and with a lower-case scheme and host."""
    if "://" not in key:
        return key
    url = httpx.URL(key)
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}".rstrip("/")


def origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")


def find_credentials(entries: Mapping[str, ClientCredentials], *keys: str | None
                     ) -> ClientCredentials | None:
    """The first entry under any of `keys`, most specific first."""
    for key in keys:
        if key and normalise_key(key) in entries:
            return entries[normalise_key(key)]
    return None


def require_https(url: str, allow_http: bool, what: str) -> None:
    """Client secrets and bearer tokens never travel over plain HTTP, unless development
    mode (CARBONLABEL_PACT_ALLOW_HTTP=1) says so."""
    scheme = httpx.URL(url).scheme
    if scheme == "https" or (scheme == "http" and allow_http):
        return
    raise PactConfigError(N_(
        '%(what)s %(url)s is not https; PACT exchanges credentials and tokens over TLS only '
        '(CARBONLABEL_PACT_ALLOW_HTTP=1 for development)',
        what=what, url=url))


class ClientCredentialsAuth(httpx.Auth):
    """OAuth2 client credentials (RFC 6749 §4.4) with HTTP Basic client authentication, the
    token endpoint found by OpenID discovery at `{base}/.well-known/openid-configuration`
    or else `{base}/auth/token`, as the PACT spec says. The token is cached until shortly
    before it expires; a 401 drops it and the request is sent once more with a new one.

    One instance per partner credential; not for concurrent use from several threads."""

    requires_request_body = True
    requires_response_body = True

    def __init__(self, credentials: ClientCredentials, base_url: str, *,
                 allow_http: bool = False, clock: Callable[[], float] = time.monotonic):
        self.credentials = credentials
        self.base_url = (credentials.auth_base_url or base_url).rstrip("/")
        self.allow_http = allow_http
        self.token_url = credentials.token_url
        self.tokens_fetched = 0
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        require_https(self.base_url, allow_http, "the partner's host")
        if self.token_url:
            require_https(self.token_url, allow_http, "the token endpoint")

    def auth_flow(self, request: httpx.Request
                  ) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token is None or self._clock() >= self._renew_at:
            yield from self._fetch_token()
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:  # TokenExpired (or revoked early): once more
            self._token = None
            yield from self._fetch_token()
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    def _fetch_token(self) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token_url is None:
            self.token_url = yield from self._discover()
        form = {"grant_type": "client_credentials"}
        if self.credentials.scope:
            form["scope"] = self.credentials.scope
        # RFC 6749 §2.3.1 form-encodes id and secret before Basic; PACT hosts (ours
        # included) read them verbatim, and registered ids and secrets are URL-safe anyway.
        basic = httpx.BasicAuth(self.credentials.client_id, self.credentials.client_secret)
        token_request = httpx.Request("POST", self.token_url, data=form,
                                      headers={"Accept": "application/json"})
        token_request = next(basic.auth_flow(token_request))
        response = yield token_request
        body = _json_or_none(response)
        if response.status_code != 200:
            error = body.get("error") if isinstance(body, dict) else None
            detail = body.get("error_description") if isinstance(body, dict) else None
            what = (f"the token endpoint {self.token_url} refused the client credentials of "
                    f"{self.credentials.client_id}")
            reason = ": ".join(str(x) for x in (error, detail) if x) or response.reason_phrase
            cls = PactAuthError if response.status_code in (400, 401, 403) else PactHostError
            raise cls(N_(
                '%(what)s (HTTP %(status_code)s %(reason)s)',
                what=what, status_code=response.status_code, reason=reason),
                      code=str(error) if error else None, status=response.status_code)
        token = body.get("access_token") if isinstance(body, dict) else None
        kind = str(body.get("token_type", "bearer")) if isinstance(body, dict) else ""
        if not isinstance(token, str) or not token or kind.lower() != "bearer":
            raise PactProtocolError(N_(
                'the token endpoint %(token_url)s answered 200 without a bearer access_token',
                token_url=self.token_url))
        lifetime = body.get("expires_in")
        now = self._clock()
        if isinstance(lifetime, int | float) and not isinstance(lifetime, bool):
            self._renew_at = now + lifetime - min(EXPIRY_MARGIN_SECONDS, lifetime / 10)
        else:  # no lifetime stated: keep it until the host answers 401
            self._renew_at = float("inf")
        self._token = token
        self.tokens_fetched += 1

    def _discover(self) -> Generator[httpx.Request, httpx.Response, str]:
        response = yield httpx.Request("GET", self.base_url + DISCOVERY_PATH,
                                       headers={"Accept": "application/json"})
        doc = _json_or_none(response)
        endpoint = doc.get("token_endpoint") if isinstance(doc, dict) else None
        if response.status_code != 200 or not isinstance(endpoint, str) or not endpoint:
            return self.base_url + TOKEN_PATH
        require_https(endpoint, self.allow_http, "the discovered token endpoint")
        return endpoint


@dataclass(frozen=True)
class FootprintQuery:
    """The ListFootprints filters: values within one criterion are OR-ed by the host,
    criteria AND-ed. Instants without a zone are taken as UTC."""

    product_ids: tuple[str, ...] = ()
    company_ids: tuple[str, ...] = ()
    geographies: tuple[str, ...] = ()
    classifications: tuple[str, ...] = ()
    valid_on: datetime | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None
    status: str | None = None

    def params(self) -> list[tuple[str, str]]:
        out = [(name, value) for name, values in (
            ("productId", self.product_ids), ("companyId", self.company_ids),
            ("geography", self.geographies), ("classification", self.classifications))
            for value in values]
        for name, moment in (("validOn", self.valid_on), ("validAfter", self.valid_after),
                             ("validBefore", self.valid_before)):
            if moment is not None:
                moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
                out.append((name, moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
        if self.status is not None:
            if self.status.lower() not in ("active", "deprecated"):
                raise ValueError(N_(
                    'status must be Active or Deprecated, not %(status)s',
                    status=self.status))
            out.append(("status", self.status.capitalize()))
        return out


class PactHostClient:
    """Reads ProductFootprints from a partner's PACT v3 host as a data recipient. Every
    footprint returned has passed `validate_product_footprint` against `openapi_path`."""

    def __init__(self, base_url: str, credentials: ClientCredentials, *, openapi_path: Path,
                 allow_http: bool = False, timeout: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.base_url = base_url.rstrip("/")
        require_https(self.base_url, allow_http, "the partner's host")
        if not Path(openapi_path).is_file():
            raise PactConfigError(N_(
                'the PACT v3 openapi.yaml is needed to validate what the partner sends, and '
                '%(openapi_path)s is not a file',
                openapi_path=openapi_path))
        self.openapi_path = Path(openapi_path)
        self.auth = ClientCredentialsAuth(credentials, self.base_url, allow_http=allow_http,
                                          clock=clock)
        self._http = httpx.Client(timeout=timeout, headers={
            "Accept": "application/json", "User-Agent": USER_AGENT})

    def __enter__(self) -> PactHostClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def footprint_url(self, pf_id: str) -> str:
        return f"{self.base_url}/3/footprints/{pf_id}"

    def list_footprints(self, query: FootprintQuery | None = None, *, limit: int | None = None,
                        max_pages: int = 1000) -> Iterator[dict[str, Any]]:
        """ListFootprints, following `Link: rel="next"` until the host gives none. `limit` is
        the page size asked for; the host may send fewer but never more."""
        params = (query or FootprintQuery()).params()
        if limit is not None:
            params.append(("limit", str(limit)))
        url: str | None = f"{self.base_url}/3/footprints"
        seen: set[str] = set()
        pages = 0
        while url is not None:
            response = self._get(url, tuple(params) if pages == 0 else None, "ListFootprints")
            data = _data(response, list, "ListFootprints")
            if limit is not None and len(data) > limit:
                raise PactProtocolError(f"{self.base_url} sent {len(data)} footprints in a "
                                        f"page after being asked for at most {limit}")
            for pf in data:
                yield self._validated(pf)
            seen.add(str(response.url))
            url = self._next_link(response)
            pages += 1
            if url is not None and (url in seen or pages >= max_pages):
                raise PactProtocolError(N_(
                    '%(base_url)s: pagination does not end (page %(pages)s, next %(url)s)',
                    base_url=self.base_url, pages=pages, url=url))

    def get_footprint(self, pf_id: str) -> dict[str, Any]:
        """GetFootprint; PactFootprintNotFound when the host has none by that id for us."""
        response = self._get(self.footprint_url(pf_id), None, f"GetFootprint {pf_id}")
        pf = self._validated(_data(response, dict, f"GetFootprint {pf_id}"))
        if str(pf["id"]).lower() != pf_id.lower():
            raise PactProtocolError(N_(
                '%(base_url)s answered GetFootprint %(pf_id)s with footprint %(id)s',
                base_url=self.base_url, pf_id=pf_id, id=pf['id']))
        return pf

    def _get(self, url: str, params: tuple[tuple[str, str], ...] | None, what: str
             ) -> httpx.Response:
        try:
            response = self._http.get(url, params=params, auth=self.auth)
        except httpx.TransportError as exc:
            raise PactConnectionError(N_(
                '%(what)s: cannot reach %(url)s: %(kind)s: %(exc)s',
                what=what, url=url, kind=type(exc).__name__, exc=exc)) from None
        if response.status_code != 200:
            raise error_for(response, what)
        return response

    def _next_link(self, response: httpx.Response) -> str | None:
        link = response.links.get("next")
        if not link or not link.get("url"):
            return None
        target = str(response.url.join(link["url"]))
        # The spec keeps pagination on the host asked; our token must not go elsewhere.
        if origin(target) != origin(str(response.url)):
            raise PactProtocolError(f"{self.base_url} gave a pagination link to another host "
                                    f"({origin(target)}); not followed")
        return target

    def _validated(self, pf: Any) -> dict[str, Any]:
        if not isinstance(pf, dict):
            raise PactInvalidFootprint(N_(
                '%(base_url)s sent a footprint that is not a JSON object',
                base_url=self.base_url), ["(root): not an object"])
        errors = validate_product_footprint(pf, self.openapi_path)
        if errors:
            shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more"
                                              if len(errors) > 5 else "")
            raise PactInvalidFootprint(f"footprint {pf.get('id', '(no id)')} from "
                                       f"{self.base_url} does not conform to the PACT v3 "
                                       f"ProductFootprint schema: {shown}", errors)
        return pf


def error_for(response: httpx.Response, what: str) -> PactExchangeError:
    """The domain error for a non-success answer, by the spec's code-to-status table."""
    body = _json_or_none(response)
    code = body.get("code") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    status = response.status_code
    text = (f"{what}: {response.request.url.host} answered HTTP {status}"
            + (f" {code}" if code else "") + (f": {str(message)[:300]}" if message else ""))
    if status == 401:
        return PactAuthError(text + " (even with a newly issued access token)", code=code,
                             status=status)
    cls = {400: PactBadRequest, 403: PactAccessDenied, 404: PactFootprintNotFound}.get(
        status, PactHostError)
    return cls(text, code=code, status=status)


def _json_or_none(response: httpx.Response) -> Any:
    try:  # a partner's body is outside JSON: bounded, duplicate names refused (I-JSON)
        return load_json(response.content)
    except (MalformedInput, InputLimitError):
        return None


def _data(response: httpx.Response, kind: type, what: str) -> Any:
    body = _json_or_none(response)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, kind):
        raise PactProtocolError(f"{what}: {response.request.url.host} answered without a "
                                f"'data' {'list' if kind is list else 'object'}")
    return data
