"""The PACT listing index (app/services/pact_listing.py): its SQL filters agree with the
Python mapping and matching they replace, a client sees only its exporters, pagination
neither repeats nor skips a footprint when labels are issued or revoked between pages, and
the index follows revocation and supersession. SQLite and PostgreSQL (tests/app/conftest)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.persistence import PactClient, PactFootprint, PactFootprintTerm
from app.services import pact_host, pact_listing, transaction
from app.services.issuer import issuer_from_config
from lca_models import pact
from tests.app.api.test_labels import approve
from tests.app.api.test_pact import HTTPS, bearer
from tests.app.flows import act, calculate, create_product, draft_request, steel_model, upload

GTIN = "04006381333931"


def issue_for(world, who: str = "exporter_a", product_id: str | None = None,
              **product) -> str:
    """Issue a label for `who`'s product (a new one unless product_id is given, which
    supersedes the product's label in force); returns the label id."""
    exporter = world[who]
    product_id = product_id or create_product(exporter, **product)["id"]
    version = upload(exporter, product_id, steel_model())
    calc = calculate(exporter, version["id"])
    req, etag = draft_request(exporter, calc["id"], world["ids"]["cb_c"])
    approve(world, req["id"], act(exporter, req["id"], "submit", etag).headers["ETag"])
    labels = exporter.get("/api/v1/labels?page_size=100").json["items"]
    return next(lb["id"] for lb in labels if lb["request_id"] == req["id"])


def register(app, *orgs: str) -> dict[str, str]:
    with app.app_context(), transaction() as session:
        client, secret = pact_host.register_client(session, None, name="Buyer",
                                                   organisation_ids=list(orgs))
        return {"client_id": client.client_id, "secret": secret, "id": client.id}


def revoke(world, label_id: str) -> None:
    response = world["certifier_c"].post(f"/api/v1/labels/{label_id}/revocation",
                                         json={"reason": "error found"})
    assert response.status_code == 200, response.json


@pytest.fixture
def four(world, app):
    """Exporter A (CN-GD): rebar (HS 721420), aluminium bar with a GTIN (HS 760410), and a
    rebar that is revoked; exporter B (HK): rebar. A client of both exporters."""
    ids = {"rebar": issue_for(world), "alu": issue_for(world, gtin=GTIN, hs_code="760410"),
           "revoked": issue_for(world), "hk": issue_for(world, "exporter_b")}
    revoke(world, ids["revoked"])
    return {"labels": ids, "client": register(app, world["ids"]["exp_a"],
                                              world["ids"]["exp_b"])}


def _both(app, client_pk: str, criteria: dict[str, list[str]], public_url: str | None = None
          ) -> tuple[list[str], list[str]]:
    """(SQL, Python) ids of the matching footprints in listing order."""
    issuer = issuer_from_config(app.config)
    if public_url:
        issuer = replace(issuer, public_url=public_url)
    filters = pact_host.Filters.from_criteria(criteria)
    client = db.session.get(PactClient, client_pk)
    sql = [pf["id"] for pf in pact_listing.footprints(db.session, client, issuer, filters)]
    python = [pf["id"] for pf in pact_host.visible_footprints(db.session, client, issuer)
              if filters.match(pf)]
    return sql, python


def test_sql_filters_agree_with_the_python_mapping(app, world, four):
    pf = {k: pact.footprint_id(v) for k, v in four["labels"].items()}
    exp_a, exp_b = world["ids"]["exp_a"], world["ids"]["exp_b"]
    with app.app_context():
        everything = pact_host.visible_footprints(
            db.session, db.session.get(PactClient, four["client"]["id"]),
            issuer_from_config(app.config))
        created = {p["id"]: p for p in everything}
        start = created[pf["rebar"]]["validityPeriodStart"]
        end = created[pf["rebar"]]["validityPeriodEnd"]
        own = f"urn:pact:labels.test:company-id:{exp_a}".upper()  # case is ignored
        cases = [  # criteria, the footprints expected (by hand, from the fixture)
            ({}, ["rebar", "alu", "revoked", "hk"]),
            ({"productId": [f"URN:GTIN:{GTIN}"]}, ["alu"]),
            ({"productId": ["urn:gtin:00000000000000", f"urn:gtin:{GTIN}"]}, ["alu"]),
            ({"companyId": [own]}, ["rebar", "alu", "revoked"]),
            ({"companyId": [f"urn:pact:labels.test:company-id:{exp_b}"]}, ["hk"]),
            ({"companyId": [f"urn:pact:*:company-id:{exp_b}"]}, []),  # the stored mark
            ({"geography": ["cn"]}, ["rebar", "alu", "revoked"]),
            ({"geography": ["CN-GD", "HK"]}, ["rebar", "alu", "revoked", "hk"]),
            ({"geography": ["FR"]}, []),
            ({"classification": ["urn:pact:wcoomd.org:hs-code:760410"]}, ["alu"]),
            ({"classification": ["urn:pact:wcoomd.org:hs-code:721420"]},
             ["rebar", "revoked", "hk"]),
            ({"status": ["Deprecated"]}, ["revoked"]),
            ({"status": ["active"], "geography": ["CN"]}, ["rebar", "alu"]),
            ({"status": ["Retired"]}, []),
            ({"validOn": [start]}, ["rebar", "alu", "revoked", "hk"]),
            ({"validOn": [end]}, ["rebar", "alu", "revoked", "hk"]),  # the spec: inclusive
            ({"validOn": ["1990-01-01T00:00:00Z"]}, []),
            ({"validAfter": [start]}, []),  # strictly after
            ({"validBefore": [end]}, []),  # strictly before
            ({"validBefore": ["2199-01-01T08:00:00+08:00"], "productId": [f"urn:gtin:{GTIN}"],
              "status": ["Active"]}, ["alu"]),
        ]
        for criteria, names in cases:
            sql, python = _both(app, four["client"]["id"], criteria)
            assert sql == python == [pf[n] for n in names], criteria
        # PUBLIC_URL moved: ids naming this host follow it, in SQL as in Python
        moved = f"urn:pact:labels.example:product-id:{_product_of(four['labels']['alu'])}"
        sql, python = _both(app, four["client"]["id"], {"productId": [moved]},
                            "https://labels.example")
        assert sql == python == [pf["alu"]]


def _product_of(label_id: str) -> str:
    from app.persistence import Label

    return db.session.get(Label, label_id).product_id


def test_a_client_sees_only_its_exporters(app, client, world, four):
    only_b = register(app, world["ids"]["exp_b"])
    headers = bearer(client, only_b)
    listed = client.get("/3/footprints", base_url=HTTPS, headers=headers).json["data"]
    assert [p["id"] for p in listed] == [pact.footprint_id(four["labels"]["hk"])]
    a_pf = pact.footprint_id(four["labels"]["rebar"])
    hidden = client.get(f"/3/footprints/{a_pf}", base_url=HTTPS, headers=headers)
    assert hidden.status_code == 404 and hidden.json["code"] == "NotFound"
    mine = client.get(f"/3/footprints/{pact.footprint_id(four['labels']['hk'])}",
                      base_url=HTTPS, headers=headers)
    assert mine.status_code == 200 and mine.json["data"] == listed[0]
    by_a = client.get(f"/3/footprints?companyId=urn:pact:labels.test:company-id:"
                      f"{world['ids']['exp_a']}", base_url=HTTPS, headers=headers)
    assert by_a.json == {"data": []}
    nobody = register(app)
    assert client.get("/3/footprints", base_url=HTTPS,
                      headers=bearer(client, nobody)).json == {"data": []}


def _next(response) -> str:
    link = response.headers["Link"]
    return link[1:link.index(">")].removeprefix(HTTPS)


def test_pagination_neither_repeats_nor_skips_under_inserts_and_revocations(
        app, client, world):
    first_three = [issue_for(world) for _ in range(3)]
    partner = register(app, world["ids"]["exp_a"])
    headers = bearer(client, partner)
    page1 = client.get("/3/footprints?limit=2&status=Active", base_url=HTTPS, headers=headers)
    assert [p["id"] for p in page1.json["data"]] == [
        pact.footprint_id(x) for x in first_three[:2]]
    link = _next(page1)
    assert "offset=2" in link and "after=" in link and "status=Active" in link
    # between the pages: one footprint of page 1 leaves the filter, a new one arrives. An
    # offset would now skip the third label (the active ones are 2, 3, 4: offset 2 is 4).
    revoke(world, first_three[0])
    fourth = issue_for(world)
    page2 = client.get(link, base_url=HTTPS, headers=headers)
    assert page2.status_code == 200, page2.json
    assert [p["id"] for p in page2.json["data"]] == [
        pact.footprint_id(x) for x in (first_three[2], fourth)]
    assert "Link" not in page2.headers
    again = client.get(link, base_url=HTTPS, headers=headers)  # the spec: callable again
    assert again.json == page2.json


def test_a_page_has_at_most_max_page_and_links_on(app, client, world, monkeypatch):
    labels = [issue_for(world) for _ in range(3)]
    partner = register(app, world["ids"]["exp_a"])
    headers = bearer(client, partner)
    monkeypatch.setattr(pact_listing, "MAX_PAGE", 2)
    first = client.get("/3/footprints", base_url=HTTPS, headers=headers)
    assert len(first.json["data"]) == 2
    second = client.get(_next(first), base_url=HTTPS, headers=headers)
    assert [p["id"] for p in second.json["data"]] == [pact.footprint_id(labels[2])]
    assert "Link" not in second.headers


@pytest.mark.parametrize("cursor", ["x", "eyJ", "WyIyMDI2LTAxLTAxIiwiYSJd", "a" * 201])
def test_a_cursor_not_given_out_is_refused(client, world, app, cursor):
    """`WyIy...` is a cursor whose instant has no time zone: not one of ours."""
    partner = register(app, world["ids"]["exp_a"])
    response = client.get(f"/3/footprints?after={cursor}", base_url=HTTPS,
                          headers=bearer(client, partner))
    assert response.status_code == 400 and response.json["code"] == "BadRequest"


def test_index_follows_revocation_and_supersession(app, world):
    first = issue_for(world)
    with app.app_context():
        row = db.session.get(PactFootprint, first)
        assert (row.status, row.pf_id) == ("active", pact.footprint_id(first))
        issued = row.updated_at
        db.session.remove()
    revoke(world, first)
    with app.app_context():
        row = db.session.get(PactFootprint, first)
        assert row.status == "deprecated" and row.updated_at >= issued
        product = _product_of(first)
        db.session.remove()
    older = issue_for(world, product_id=product)
    newer = issue_for(world, product_id=product)  # supersedes `older`
    with app.app_context():
        statuses = dict(db.session.execute(select(PactFootprint.label_id, PactFootprint.status)
                                           .where(PactFootprint.label_id.in_([older, newer]))
                                           ).all())
        assert statuses == {older: "deprecated", newer: "active"}
        valid = db.session.get(PactFootprint, newer)
        assert valid.valid_end - valid.valid_start > timedelta(days=1)


def test_backfill_rebuilds_what_issuance_wrote(app, world):
    labels = [issue_for(world), issue_for(world, "exporter_b", gtin=GTIN)]
    revoke(world, labels[0])
    columns = ("label_id", "pf_id", "organisation_id", "created", "status", "valid_start",
               "valid_end")

    def snapshot():
        rows = db.session.execute(select(*(getattr(PactFootprint, c) for c in columns))
                                  .order_by(PactFootprint.label_id)).all()
        terms = db.session.execute(select(PactFootprintTerm.label_id, PactFootprintTerm.kind,
                                          PactFootprintTerm.value)
                                   .order_by(PactFootprintTerm.label_id,
                                             PactFootprintTerm.kind,
                                             PactFootprintTerm.value)).all()
        return [tuple(r) for r in rows], [tuple(t) for t in terms]

    with app.app_context():
        issued = snapshot()
        assert len(issued[0]) == 2 and ("deprecated" in issued[0][0] or
                                        "deprecated" in issued[0][1])
        assert (labels[1], "product", f"urn:gtin:{GTIN}") in issued[1]
        db.session.execute(delete(PactFootprintTerm))
        db.session.execute(delete(PactFootprint))
        db.session.commit()
        with db.engine.begin() as conn:
            assert pact_listing.backfill(conn, batch=1) == 2
        assert snapshot() == issued
