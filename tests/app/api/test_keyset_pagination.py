"""Lists page by keyset: `after=` the previous page's `next`, a Link rel="next" header, no
row counted, no row shown twice or skipped while others are inserted, an index for every
filter the lists offer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from app import clock
from app.extensions import db
from app.persistence import Product
from tests.app.flows import create_product


def walk(actor, url: str, between=None) -> list[dict]:
    """Every page of a list, following `next`; `between(page_number)` runs between pages."""
    items, after, number = [], None, 0
    while True:
        response = actor.get(url + (f"&after={after}" if after else ""))
        assert response.status_code == 200, response.json
        body = response.json
        items.extend(body["items"])
        after = body["next"]
        if after is None:
            assert "Link" not in response.headers
            return items
        link = response.headers["Link"]
        assert link.endswith('>; rel="next"') and f"after={after}" in link
        number += 1
        if between:
            between(number)


def test_pages_follow_one_another_without_counting(world, app):
    exporter = world["exporter_a"]
    created = [create_product(exporter, name=f"P{i}")["id"] for i in range(7)]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lower())

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            items = walk(exporter, "/api/v1/products?page_size=3")
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert [p["id"] for p in items] == created  # creation order, 3 + 3 + 1
    product_reads = [s for s in statements if "from products" in s]
    assert len(product_reads) == 3
    assert not any("count(" in s for s in statements)
    # each page reads at most page_size + 1 rows
    assert all(re.search(r"limit", s) for s in product_reads)


def test_paging_is_stable_under_concurrent_inserts(world, app):
    """Between pages, rows are inserted both before the cursor (an older created_at, as a
    clock step back or a slow transaction gives) and after it. Every row that existed when
    paging started appears exactly once; an offset would show one twice for each row
    inserted before it."""
    exporter = world["exporter_a"]
    existing = [create_product(exporter, name=f"P{i}")["id"] for i in range(9)]

    def insert(number: int) -> None:
        with app.app_context():
            now = clock.now()
            for at in (now - timedelta(days=number), now + timedelta(seconds=number)):
                db.session.add(Product(organisation_id=exporter.org_id, name=f"new {at}",
                                       created_at=at))
            db.session.commit()

    items = walk(exporter, "/api/v1/products?page_size=2", between=insert)
    ids = [p["id"] for p in items]
    assert len(ids) == len(set(ids)), "a row was shown twice"
    assert [i for i in ids if i in existing] == existing  # none skipped, in order
    names = [p["name"] for p in items if p["id"] not in existing]
    assert names and all(n.startswith("new ") for n in names)  # later rows appear at the end


@pytest.mark.parametrize("cursor", ["not-base64!", "W10", "WyJ4Il0", "x" * 600])
def test_a_cursor_that_was_not_given_out_is_refused(world, cursor):
    response = world["exporter_a"].get(f"/api/v1/products?after={cursor}")
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_offset_paging_is_gone(world):
    """`page=` was an offset (a scan of every row before it); it is refused, not ignored."""
    assert world["admin"].get("/api/v1/audit?page=2").status_code == 422


def test_every_list_pages_by_keyset(world):
    """Each list endpoint answers the envelope and follows its own cursor."""
    admin, exporter, certifier = world["admin"], world["exporter_a"], world["certifier_c"]
    for _ in range(3):
        create_product(exporter)
    for actor, url in ((admin, "/api/v1/audit?page_size=2"),
                       (admin, "/api/v1/organisations?page_size=2"),
                       (admin, "/api/v1/users?page_size=2"),
                       (exporter, "/api/v1/products?page_size=2"),
                       (exporter, "/api/v1/labels?page_size=2"),
                       (certifier, "/api/v1/label-requests?page_size=2"),
                       (exporter, "/api/v1/cbam/installations?page_size=2")):
        items = walk(actor, url)
        ids = [i.get("id", i.get("seq")) for i in items]
        assert len(ids) == len(set(ids)), url
    assert len(walk(admin, "/api/v1/organisations?page_size=2")) == 5


# (a list's query as its endpoint builds it, the index that must serve it)
PLANS = (
    ("SELECT * FROM products WHERE organisation_id = 'x' ORDER BY created_at, id LIMIT 51",
     "ix_products_org_keyset"),
    ("SELECT * FROM labels WHERE certification_body_id = 'x' ORDER BY issued_at, id LIMIT 51",
     "ix_labels_body_keyset"),
    ("SELECT * FROM labels WHERE organisation_id = 'x' AND (issued_at, id) > "
     "('2026-01-01 00:00:00+00', 'a') ORDER BY issued_at, id LIMIT 51", "ix_labels_org_keyset"),
    ("SELECT * FROM labels ORDER BY issued_at, id LIMIT 51", "ix_labels_keyset"),
    ("SELECT * FROM label_requests WHERE certification_body_id = 'x' AND state <> 'draft' "
     "ORDER BY created_at, id LIMIT 51", "ix_label_requests_body_keyset"),
    ("SELECT * FROM label_requests WHERE organisation_id = 'x' ORDER BY created_at, id "
     "LIMIT 51", "ix_label_requests_org_keyset"),
    ("SELECT * FROM label_requests WHERE state = 'submitted' ORDER BY created_at, id LIMIT 51",
     "ix_label_requests_state_keyset"),
    ("SELECT * FROM cbam_installations WHERE organisation_id = 'x' ORDER BY created_at, id "
     "LIMIT 51", "ix_cbam_installations_org_keyset"),
    ("SELECT * FROM organisations ORDER BY name, id LIMIT 51", "ix_organisations_keyset"),
)


@pytest.mark.parametrize(("sql", "index"), PLANS)
def test_each_list_filter_has_an_index_that_also_sorts(app, sql, index):
    """SQLite's plan names the index and sorts nothing (no temporary B-tree). PostgreSQL's
    planner picks a sequential scan for a near-empty table, and between indexes that could
    each serve it (say the plain sort-key index with a filter) by statistics that other tests
    leave behind; so there the other indexes of the table are dropped inside a transaction
    that is rolled back, and the plan must use the named one without a Sort."""
    with app.app_context(), db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            table = sql.split(" FROM ", 1)[1].split()[0]
            with conn.begin() as transaction:
                others = conn.scalars(text(
                    "SELECT i.indexname FROM pg_indexes i JOIN pg_class c ON c.relname = "
                    "i.indexname JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = "
                    ":t AND i.indexname <> :n AND NOT x.indisprimary AND NOT x.indisunique"),
                    {"t": table, "n": index}).all()
                for other in others:
                    conn.execute(text(f'DROP INDEX "{other}"'))
                conn.execute(text("SET LOCAL enable_seqscan = off"))
                plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {sql}")))
                transaction.rollback()
            assert index in plan and "Sort" not in plan, plan
        else:
            plan = "\n".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert index in plan and "TEMP B-TREE" not in plan, plan


def test_pages_show_one_page_and_a_next_link(app, world):
    from tests.app.web.test_pages import sign_in

    exporter = world["exporter_a"]
    for i in range(51):
        create_product(exporter, name=f"Item {i:02d}")
    client = sign_in(app, "exporter_a")
    first = client.get("/app/products").get_data(as_text=True)
    assert first.count("/app/products/") == 50
    found = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert found, "no next-page link"
    second = client.get(found.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count("/app/products/") == 1 and "Item 50" in second
    assert 'rel="next"' not in second and "First page" in second
