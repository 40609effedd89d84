"""The certification walk-through against a running service, with the demo accounts.

    python examples/walkthrough.py [BASE_URL] [DEMO_ACCOUNTS_JSON]

Exporter requests a label for the demo EAF rebar, the certifier starts the review and
comments on an input, the exporter answers, revises the model and resubmits, the certifier
approves. Standard library only, so it shows exactly what an API client sends.

BASE_URL defaults to CARBONLABEL_PUBLIC_URL, else to HOST and PORT as `scripts/serve.sh`
derives them, so it follows the server wherever it was started. The local demo is an http
issuer on loopback that runs in development mode (CARBONLABEL_DEV=1); checking its labels
with the CLI therefore needs `carbonlabel verify ... --online --allow-insecure-dev`, which
says so in its output.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any


def _server() -> str:
    """The server's address: the first argument, else CARBONLABEL_PUBLIC_URL, else HOST and
    PORT as scripts/serve.sh derives them (127.0.0.1:8000 by default)."""
    if len(sys.argv) > 1:
        return sys.argv[1].rstrip("/")
    if os.environ.get("CARBONLABEL_PUBLIC_URL"):
        return os.environ["CARBONLABEL_PUBLIC_URL"].rstrip("/")
    host = os.environ.get("HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host
    return f"http://{host}:{os.environ.get('PORT', '8000')}"


BASE = _server()
ACCOUNTS = sys.argv[2] if len(sys.argv) > 2 else "instance/demo-accounts.json"


def call(token: str, method: str, path: str, body: Any = None,
         etag: str | None = None) -> tuple[Any, str | None]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if etag:
        headers["If-Match"] = etag
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as response:
            payload = response.read()
            return (json.loads(payload) if payload else None), response.headers.get("ETag")
    except urllib.error.HTTPError as exc:
        sys.exit(f"{method} {path} -> {exc.code}: {exc.read().decode()}")


def main() -> None:
    with open(ACCOUNTS, encoding="utf-8") as handle:
        demo = json.load(handle)
    exporter, certifier = demo["tokens"]["exporter"], demo["tokens"]["certifier"]
    rebar = next(p for p in demo["products"] if "reinforcing bar" in p["name"])
    print(f"1. {rebar['name']}: {rebar['kg_co2e_per_declared_unit']:.1f} kg CO2e per t")

    req, etag = call(exporter, "POST", "/api/v1/label-requests", {
        "calculation_id": rebar["calculation_id"],
        "certification_body_id": demo["certification_body_id"],
        "label_type": "footprint_disclosure", "home_scheme": "gba-home"})
    req, etag = call(exporter, "POST", f"/api/v1/label-requests/{req['id']}/transitions",
                     {"action": "submit"}, etag)
    print(f"2. exporter submitted request {req['id']} ({req['state']})")

    queue, _ = call(certifier, "GET", "/api/v1/label-requests?state=submitted")
    print(f"3. certifier's queue: {queue['total']} submitted request(s)")
    req, etag = call(certifier, "POST", f"/api/v1/label-requests/{req['id']}/transitions",
                     {"action": "start_review"}, etag)
    review, _ = call(certifier, "GET", f"/api/v1/label-requests/{req['id']}/review")
    top = max(review["calculation"]["result"]["by_input"], key=lambda c: abs(c["kg_co2e"]))
    comment, _ = call(certifier, "POST", f"/api/v1/label-requests/{req['id']}/comments", {
        "path": top["path"], "body": "Largest contributor: please show the metering."})
    req, etag = call(certifier, "POST", f"/api/v1/label-requests/{req['id']}/transitions",
                     {"action": "request_changes", "reason": "see comment"}, etag)
    print(f"4. certifier commented on {top['path']} and asked for changes")

    call(exporter, "POST", f"/api/v1/label-requests/{req['id']}/comments", {
        "parent_id": comment["id"], "body": "Meter readings attached; amount corrected."})
    version, _ = call(exporter, "GET", f"/api/v1/model-versions/{rebar['model_version_id']}")
    model = copy.deepcopy(version["content"])
    model["notes"] = (model.get("notes") or "") + " Revised after review."
    new_version, _ = call(exporter, "POST",
                          f"/api/v1/products/{rebar['id']}/model-versions", {"model": model})
    calc, _ = call(exporter, "POST",
                   f"/api/v1/model-versions/{new_version['id']}/calculations", {})
    req, etag = call(exporter, "POST", f"/api/v1/label-requests/{req['id']}/transitions",
                     {"action": "resubmit", "calculation_id": calc["id"]}, etag)
    print(f"5. exporter answered, uploaded version {new_version['number']} and resubmitted")

    req, etag = call(certifier, "POST", f"/api/v1/label-requests/{req['id']}/transitions",
                     {"action": "approve", "valid_until": "2029-12-31"}, etag)
    print(f"6. certifier approved: state {req['state']}, reviewed inputs "
          f"{req['reviewed_inputs_sha256'][:16]}...")

    issued, _ = call(exporter, "GET", "/api/v1/labels?page_size=200")
    label = next(item for item in issued["items"] if item["request_id"] == req["id"])
    check, _ = call(exporter, "GET", f"/api/v1/labels/{label['id']}/verification")
    if BASE.startswith("http://"):
        print("   (an http issuer: development mode; the CLI checks its labels only with "
              "--allow-insecure-dev)")
    print(f"7. label {label['id']} issued; anyone can verify it: {check['status']} "
          f"({', '.join(k for k, ok in check['checks'].items() if ok)})")
    print(f"   {BASE}/verify/{label['id']}")  # last: the README's walk-through reads it


if __name__ == "__main__":
    main()
