"""`carbonlabel verify`: a label credential checked offline, or online with the issuer's keys
resolved from its DID (app/trust/online.py); the network is `fetch_json`, which tests
replace."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.cli_common import friendly_errors


@click.command()
@click.argument("credential_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--did-document", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The issuer's DID document (saved from its did:web location); online, it "
                   "replaces resolving the issuer's DID.")
@click.option("--online", "online_from", is_flag=False, flag_value="", default=None,
              metavar="[MIRROR_URL]",
              help="Also check revocation and the transparency log. Keys always come from the "
                   "issuer's DID; a URL given here is only a mirror whose answers are checked "
                   "against those keys.")
@click.option("--allow-insecure-dev", is_flag=True,
              help="Development only: accept http and loopback/IP addresses.")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where checkpoints seen are remembered (default $CARBONLABEL_STATE_DIR, "
                   "$XDG_STATE_HOME/carbonlabel or ~/.local/state/carbonlabel).")
@click.option("--static", "static_from", default=None, metavar="DIR_OR_URL",
              help="Verify the label named by the argument (a label ID) from a published "
                   "directory (`carbonlabel publish`) or its URL alone: credential, log tiles, "
                   "checkpoint and status list; no service or database is asked.")
@friendly_errors
def verify(credential_file: Path, did_document: Path | None, online_from: str | None,
           allow_insecure_dev: bool, state_dir: Path | None, static_from: str | None) -> None:
    """Verify a label credential (offline with its issuer's DID document, or online), a
    verification receipt (offline, every part; see docs/transparency-log.md) or, with
    --static, a label ID from the published static files."""
    from app import cli_receipts
    from app.trust import receipt, static_log, strict_json
    from app.trust.offline import verify_offline
    from app.trust.online import verify_online

    document = strict_json.loads(did_document.read_text("utf-8")) if did_document else None
    if static_from is not None:
        found = static_log.receipt_from_static(static_log.reader_for(static_from),
                                               str(credential_file))
        cli_receipts.verify_receipt_file(found, document, state_dir)
    if not credential_file.is_file():
        raise ValueError(f"{credential_file} is not a file")
    data = credential_file.read_bytes()
    if receipt.is_receipt(cli_receipts.peek(data)):
        cli_receipts.verify_receipt_file(receipt.load(data), document, state_dir)
    # I-JSON: with a duplicate member name, which value was signed depends on the parser.
    credential = strict_json.loads(data)
    if allow_insecure_dev:
        click.echo("WARNING: --allow-insecure-dev: http and loopback addresses are accepted; "
                   "this check proves nothing to anyone else", err=True)
    if online_from is not None:
        report = verify_online(credential, fetch_json, mirror=online_from or None,
                               did_document=document, allow_insecure=allow_insecure_dev)
    elif document is not None:
        report = verify_offline(credential, document)
    else:
        raise ValueError("offline verification needs the issuer's DID document: "
                         "--did-document did.json (or --online)")
    for reason in report.reasons:
        click.echo(f"  {reason}")
    if online_from is not None and report.ok:
        # Only a log whose issuer checked out may be remembered (or it could poison the file)
        _remember(credential, document, online_from, allow_insecure_dev, state_dir)
    pending = report.inclusion_pending and all(
        ok for name, ok in report.checks.items() if name != "transparency_log")
    verdict = ("VERIFIED" if report.ok else
               "NOT VERIFIED YET (inclusion in the log pending)" if pending else "NOT VERIFIED")
    click.echo(verdict + (" (INSECURE DEVELOPMENT CHECK)" if allow_insecure_dev else ""))
    sys.exit(0 if report.ok else 4 if pending else 1)


def _remember(credential: dict, document: dict | None, online_from: str,
              allow_insecure: bool, state_dir: Path | None) -> None:
    """The log's checkpoint, from where the log material came (the issuer or the mirror),
    checked with the issuer's keys (the document given, or its DID resolved again) against
    the one remembered."""
    from app import cli_receipts
    from app.trust import did_web
    from app.trust.online import issuer_of

    issuer = issuer_of(credential)
    base = online_from or did_web.parse(issuer).base_url(allow_insecure)
    keys = document or did_web.resolve(issuer, fetch_json, allow_insecure)
    cli_receipts.check_remembered(base, keys, state_dir, fetch_json)


def fetch_json(url: str):
    """GET a JSON document, following no redirect (a redirect could leave the issuer's
    origin after the URL was checked); tests replace this function."""
    import urllib.request

    from app.trust import strict_json

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            raise OSError(f"{req.full_url} redirects to {newurl}; not followed")

    opener = urllib.request.build_opener(_NoRedirect)
    cap = 8 * 1024 * 1024
    try:
        with opener.open(url, timeout=20) as response:
            body = response.read(cap + 1)
    except OSError as exc:  # URLError, HTTPError, timeouts: say which URL
        raise OSError(f"{url}: {getattr(exc, 'reason', None) or exc}") from None
    if len(body) > cap:
        raise OSError(f"{url} answered more than {cap} bytes; not read")
    return strict_json.loads(body)
