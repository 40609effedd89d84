"""Online verification of a label credential, in an order that cannot be redirected.

1. The issuer's keys come from the issuer's DID (did:web resolution), or from a DID document
   the verifier supplies; never from a URL the verifier was handed, nor from a mirror.
2. The signature is checked against those keys *first*. If it fails, nothing the credential
   names (status list, log) is fetched: a forged credential gets no requests made for it.
3. Only then are the status list and the log material fetched, from the issuer's own base
   URL, or from a mirror given on the command line, whose answers are authenticated against
   the same keys (the status list's signature, the log head's signature, the proofs).
   A status list URL outside the issuer's base URL is refused. Each status entry the
   credential has is checked: revocation ("not_revoked") and, for labels issued since
   suspension exists, suspension ("not_suspended").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.trust import did_web, signing
from app.trust import status_list as status_list_bits
from app.trust.keys import key_resolver
from app.trust.offline import Report, _in_log, verify_offline

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

Fetch = did_web.Fetch


def issuer_of(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str):
        raise did_web.DidWebError("the credential names no issuer")
    return issuer_id


def verify_online(credential: dict[str, Any], fetch: Fetch, *, mirror: str | None = None,
                  did_document: dict[str, Any] | None = None, allow_insecure: bool = False,
                  now: datetime | None = None) -> Report:
    """Raises DidWebError when the issuer cannot be resolved or a URL is refused (the
    message names the mismatch); otherwise a Report with one line per check."""
    issuer = issuer_of(credential)
    location = did_web.parse(issuer)
    issuer_base = location.base_url(allow_insecure)
    source = issuer_base
    if mirror is not None:
        source = did_web.check_url(mirror, allow_insecure, "mirror")
    if did_document is not None:
        if did_document.get("id") != issuer:
            raise did_web.DidWebError(f"the DID document given is for {did_document.get('id')!r}"
                                      f", but the credential's issuer is {issuer}")
        document, keys_from = did_document, "the DID document given"
    else:
        document = did_web.resolve(issuer, fetch, allow_insecure)
        keys_from = location.document_url(allow_insecure)
    report = verify_offline(credential, document, now)
    report.reasons.insert(0, f"issuer {issuer}; keys from {keys_from}")
    if source != issuer_base:
        report.reasons.insert(1, f"mirror {source}: its answers are checked against the "
                                 "issuer's keys, its own DID document is never used")
    if not (report.checks.get("signature") and report.checks.get("issuer")):
        report.add("online", False, "the signature does not verify with the issuer's keys, so "
                                    "its status list and log entry were not fetched")
        return report
    resolve = key_resolver(document)
    # every URL is refused before anything is fetched
    wanted = [(check, entry, _status_url(entry, issuer_base)) for check, entry in
              _status_entries(credential)]
    for check, entry, status_url in wanted:
        try:
            _check_status(report, check, entry, issuer, status_url, issuer_base, source,
                          fetch, resolve)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            report.add(check, False, f"the status list could not be checked: {exc}")
    try:
        _check_log(report, credential, source, fetch, document)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        report.add("transparency_log", False, f"the log could not be checked: {exc}")
    return report


def _check_log(report: Report, credential: dict[str, Any], source: str, fetch: Fetch,
               document: dict[str, Any]) -> None:
    label_id = credential["credentialSubject"]["labelId"]
    summary = fetch(f"{source}/api/v1/labels/{label_id}/verification")
    index = (summary.get("log") or {}).get("leaf_index")
    if index is None and (summary.get("log") or {}).get("pending") is True:
        report.inclusion_pending = True
        report.add("transparency_log", False, "INCLUSION PENDING: the issuer says the issuance "
                   "is not integrated into its transparency log yet (it is within the "
                   "merge delay, normally seconds); try again shortly")
        return
    report.add("transparency_log", index is not None and _in_log(
        credential, source, index, fetch, document), "the issuance is in the transparency log "
        "under a checkpoint signed by the issuer's key (checked locally)")
    if summary.get("status") == "superseded":
        report.add("current", False, f"superseded by {summary['details']['superseded_by']}")


CHECKS = {"revocation": "not_revoked", "suspension": "not_suspended"}


def _status_entries(credential: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(check name, entry) per status purpose the credential has; revocation always (a
    credential without a revocation entry fails that check)."""
    found = [(CHECKS[purpose], status_list_bits.entry_for(credential, purpose))
             for purpose in CHECKS]
    return [(check, entry or {}) for check, entry in found
            if entry is not None or check == "not_revoked"]


def _status_url(status: dict[str, Any], issuer_base: str) -> str:
    url = status.get("statusListCredential") if isinstance(status, dict) else None
    if not isinstance(url, str) or not url.startswith(issuer_base + "/"):
        raise did_web.DidWebError(f"the status list {url!r} is not at the issuer's own address "
                                  f"{issuer_base}; it was not fetched")
    return url


def _check_status(report: Report, check: str, status: dict[str, Any], issuer: str, url: str,
                  issuer_base: str, source: str, fetch: Fetch,
                  resolve: Callable[[str], Ed25519PublicKey]) -> None:
    purpose = status["statusPurpose"]
    status_list = fetch(source + url[len(issuer_base):])
    listed_by_issuer = (status_list.get("id") == url
                        and issuer_of(status_list) == issuer
                        and status_list["credentialSubject"].get("statusPurpose") == purpose)
    list_ok = listed_by_issuer and signing.verify(status_list, resolve).verified
    marked: bool | None = None
    if not list_ok:  # a list the issuer did not sign is not decompressed at all
        message = "the status list is not the issuer's, or its signature does not verify"
    else:
        try:
            marked = status_list_bits.is_set(status_list["credentialSubject"]["encodedList"],
                                             int(status["statusListIndex"]))
        except (KeyError, TypeError, ValueError) as exc:  # StatusListError: oversized, broken
            message = f"the status list cannot be read: {exc}"
        else:
            word = "revoked" if purpose == "revocation" else "suspended"
            message = (f"the {purpose} list marks it {word.upper()}" if marked
                       else f"the issuer's signed {purpose} list does not mark it {word}")
    report.add(check, marked is False, message)
