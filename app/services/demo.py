"""Demo data: fictional organisations and accounts, and the example products computed.

Everything here is fictional and labelled so: the certification body's accreditation is
"DEMO", not a real accreditation body's, and the example models' activity data are
illustrative (examples/models/README.md). Passwords are random and printed once.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import clock
from app.domain import Conflict
from app.persistence import Organisation
from app.services import (
    DbSession,
    accounts,
    certification,
    keys,
    labels,
    pact_host,
    products,
    suspension,
)
from app.services.issuer import Issuer
from lca_models.safe_load import load_yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
DEMO_EXPORTER = "Pearl River Demo Manufacturing Co., Ltd. (fictional)"


def seed(session: DbSession, brightway_dir: Path, issuer: Issuer) -> dict[str, Any]:
    if session.scalar(select(Organisation).where(Organisation.name == DEMO_EXPORTER)):
        raise Conflict("demo data exists already in this database")
    operator = accounts.create_organisation(session, None, {
        "kind": "operator", "name": "Carbon label service operator (demo)", "country": "HK"})
    exporter = accounts.create_organisation(session, None, {
        "kind": "exporter", "name": DEMO_EXPORTER, "identifier": "DEMO-USCC-0000000000",
        "address": "Fictional address, Foshan, Guangdong", "country": "CN",
        "subdivision": "CN-GD"})
    body = accounts.create_organisation(session, None, {
        "kind": "certification_body", "name": "Demo Verification Body (fictional)",
        "country": "HK", "subdivision": None, "accreditation_body": "DEMO",
        "accreditation_number": "DEMO-ONLY-0001", "accreditation_standard": "ISO 14065:2020",
        "accreditation_scope": ["25", "61", "72", "76", "85"],
        "accredited_from": date(2026, 1, 1), "accredited_to": date(2030, 12, 31)})
    people = {
        "exporter": ("exporter@demo.example", "Mei Chan (exporter)", exporter.id),
        "certifier": ("certifier@demo.example", "Wing Lau (certifier)", body.id),
        "admin": ("admin@demo.example", "Operator admin", operator.id),
    }
    out: dict[str, Any] = {"accounts": {}, "tokens": {}, "products": []}
    users = {}
    for role, (email, name, org_id) in people.items():
        password = secrets.token_urlsafe(12)
        users[role] = accounts.create_user(session, None, email=email, name=name,
                                           password=password, role=role,
                                           organisation_id=org_id)
        _, token = accounts.create_token(session, users[role], name="demo",
                                         scopes=list(accounts.ROLE_SCOPES[role]), days=30)
        out["accounts"][role] = {"email": email, "password": password}
        out["tokens"][role] = token
    for path in sorted(EXAMPLES.glob("*.yaml")):
        content = load_yaml(path.read_text("utf-8"))
        info = content["product"]
        product = products.create_product(session, users["exporter"], {
            "name": info["name"], "name_zh": info.get("name_zh"), "gtin": info.get("gtin"),
            "hs_code": info.get("hs_code"), "cn_code": info.get("cn_code")})
        version = products.add_version(session, users["exporter"], product, content, "yaml")
        calc = products.calculate(session, users["exporter"], version, gwp_set="AR6",
                                  monte_carlo=None, seed=0, brightway_dir=brightway_dir)
        out["products"].append({"id": product.id, "name": product.name,
                                "model_version_id": version.id, "calculation_id": calc.id,
                                "kg_co2e_per_declared_unit": calc.kg_co2e_per_declared_unit})
    out["certification_body_id"] = body.id
    out["labels"] = _labels(session, users, body.id, out["products"], issuer)
    client, secret = pact_host.register_client(session, None, name="Demo trade partner (PACT)",
                                               organisation_ids=[exporter.id])
    out["pact_client"] = {"client_id": client.client_id, "client_secret": secret}
    return out


def _labels(session: DbSession, users: dict[str, Any], body_id: str,
            demo_products: list[dict[str, Any]], issuer: Issuer) -> dict[str, str]:
    """A valid label, a revoked one, a suspended one, and a label superseded by a newer
    certification: each status a buyer can meet on the public page."""
    if keys.active_key(session) is None:
        keys.generate(session, issuer.keys_dir, did=issuer.did)
    valid_until = clock.today() + timedelta(days=365)  # the fictional body's choice
    by_name = {p["name"]: p for p in demo_products}

    def certify(product: dict[str, Any]) -> str:
        req = certification.create_request(session, users["exporter"], {
            "calculation_id": product["calculation_id"], "certification_body_id": body_id,
            "label_type": "footprint_disclosure", "home_scheme": "gba-home",
            "declared": {"standards": [{"name": "ISO 14067", "version": "2018"}]}})
        for actor, action in (("exporter", "submit"), ("certifier", "start_review"),
                              ("certifier", "approve")):
            certification.transition(session, users[actor], req.id, action,
                                     if_match=certification.etag(req),
                                     valid_until=valid_until, issuer=issuer)
        label = labels.current_label(session, product["id"])
        if label is None:
            raise Conflict(f"the demo's approval of {product['id']} issued no label")
        return label.id

    rebar = next(p for n, p in by_name.items() if "reinforcing bar" in n)
    cement = next(p for n, p in by_name.items() if "cement" in n.lower())
    lamp = next(p for n, p in by_name.items() if "LED" in n)
    profile = next(p for n, p in by_name.items() if "aluminium" in n.lower())
    superseded = certify(lamp)
    valid = certify(rebar)
    revoked = certify(cement)
    labels.revoke(session, users["certifier"], revoked, "demo: revoked to show the status",
                  issuer)
    suspended = certify(profile)
    suspension.suspend(session, users["certifier"], suspended,
                       "demo: suspended to show the status", issuer)
    replacement = certify(lamp)
    return {"valid": valid, "revoked": revoked, "suspended": suspended,
            "superseded": superseded, "superseding": replacement}
