"""No 500 from a busy database or a wrong method; a CLI that cannot reach its database says
so in one line; instance files are the owner's alone."""

from __future__ import annotations

import sqlite3
import stat
import threading

import pytest

from app import create_app
from app.cli import main

PRODUCT = {"name": "Rebar", "hs_code": "7214"}


@pytest.fixture
def sqlite_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's file lock; PostgreSQL locks rows")
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def busy_timeout(app, milliseconds: int) -> None:
    from app.extensions import db

    app.config["SQLITE_BUSY_TIMEOUT_MS"] = milliseconds
    with app.app_context():
        db.engine.dispose()  # new connections take the new timeout


def test_a_locked_database_answers_503_with_retry_after(world, app, sqlite_only, client):
    busy_timeout(app, 50)
    holder = sqlite3.connect(sqlite_only, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the file
    try:
        response = world["exporter_a"].post("/api/v1/products", json=PRODUCT)
        assert response.status_code == 503
        assert response.content_type == "application/problem+json"
        assert response.json["type"] == "/problems/busy"
        assert response.headers["Retry-After"] == "1"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert world["exporter_a"].post("/api/v1/products", json=PRODUCT).status_code == 201
    names = [p["name"] for p in world["exporter_a"].get("/api/v1/products").json["items"]]
    assert names == ["Rebar"]  # the refused one left nothing behind


def test_many_writers_on_sqlite_get_201_or_503_never_500(world, app, sqlite_only):
    busy_timeout(app, 20)
    token = world["exporter_a"].token
    codes: list[int] = []

    def writer() -> None:
        client = app.test_client()
        for n in range(6):
            response = client.post("/api/v1/products", json={**PRODUCT, "name": f"p{n}"},
                                   headers={"Authorization": f"Bearer {token}"})
            codes.append(response.status_code)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(codes) == 48 and set(codes) <= {201, 503}, sorted(set(codes))
    from sqlalchemy import select

    from app.extensions import db
    from app.persistence import Product

    with app.app_context():
        names = db.session.scalars(select(Product.name).where(
            Product.name.in_([f"p{n}" for n in range(6)]))).all()
    assert len(names) == codes.count(201)  # every 201 is a product, every 503 is none


def test_text_the_database_cannot_store_is_a_422_not_a_500(world):
    response = world["exporter_a"].post("/api/v1/products",
                                        json={**PRODUCT, "name": "Re\u0000bar"})
    listed = world["exporter_a"].get("/api/v1/products").json["items"]
    if response.status_code == 201:  # SQLite stores NUL characters
        assert listed[0]["name"] == "Re\u0000bar"
    else:  # PostgreSQL text cannot hold them
        assert response.status_code == 422 and response.json["type"] == "/problems/invalid-input"
        assert listed == []


def test_a_number_past_64_bits_is_a_422_not_a_500(client):
    response = client.get(f"/log/sth/{2**80}")  # found by Schemathesis
    assert response.status_code in (404, 422)
    assert response.content_type == "application/problem+json"


def test_405_names_the_allowed_methods(client):
    response = client.put("/api/v1/health")
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_pages_answer_pages_for_wrong_urls_and_methods(client):
    missing = client.get("/app/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    wrong = client.delete("/app/login")
    assert wrong.status_code == 405 and wrong.mimetype == "text/html"
    assert "POST" in wrong.headers["Allow"]


def test_instance_folder_and_sqlite_file_are_private(tmp_path, brightway_dir):
    instance = tmp_path / "instance"
    database = instance / "carbonlabel.sqlite"
    create_app({"TESTING": True, "INSTANCE_DIR": instance, "BRIGHTWAY_DIR": brightway_dir,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                "PUBLIC_URL": "https://labels.test"})
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_a_world_readable_database_is_tightened(tmp_path, brightway_dir):
    database = tmp_path / "old.sqlite"
    sqlite3.connect(database).close()
    database.chmod(0o644)
    tmp_path.chmod(0o755)
    create_app({"TESTING": True, "INSTANCE_DIR": tmp_path, "BRIGHTWAY_DIR": brightway_dir,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                "PUBLIC_URL": "https://labels.test"})
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def test_cli_reports_an_unreachable_database_in_one_line(runner, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot use the database:")
    assert "Traceback" not in result.output


def _database_refusals():
    """What the database refuses mid-write, as SQLAlchemy raises it."""
    from sqlalchemy.exc import DataError, IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    return [
        (StaleDataError("UPDATE statement on table 'label_requests' expected to update 1 "
                        "row(s); 0 were matched."), 412, "他人已先更改了此资源"),
        (IntegrityError("INSERT", {}, Exception("duplicate key")), 409, "重复的更改被拒绝"),
        (DataError("INSERT", {}, Exception("NUL")), 422, "无法保存某个值"),
    ]


@pytest.mark.parametrize("raised, status, chinese", _database_refusals(),
                         ids=["stale", "integrity", "data"])
def test_a_write_the_database_refuses_is_a_message_on_a_page(app, world, monkeypatch,
                                                             raised, status, chinese):
    """A page never answers problem+json: a form whose write the database refused (a
    concurrent writer, a constraint, a value it cannot hold) comes back with the refusal
    in the page's language, as every other refusal does."""
    from app.services import certification
    from tests.app.flows import submitted_request
    from tests.app.web.test_pages import sign_in

    request_id, etag = submitted_request(world)

    def refused(*args, **kwargs):
        raise raised

    monkeypatch.setattr(certification, "transition", refused)
    page_client = sign_in(app, "certifier_c", lang="zh-Hans")
    answer = page_client.post(f"/app/requests/{request_id}/actions", data={
        "action": "start_review", "etag": etag, "csrf_token": page_client.csrf})
    assert answer.status_code == 302 and answer.content_type.startswith("text/html")
    shown = page_client.get(answer.headers["Location"], follow_redirects=True).text
    assert chinese in shown
    api = world["certifier_c"].post(
        f"/api/v1/label-requests/{request_id}/transitions", json={"action": "start_review"},
        headers={"If-Match": etag, "Accept-Language": "zh-CN"})
    assert api.status_code == status and api.content_type == "application/problem+json"
    assert chinese in api.json["detail"]


def test_a_busy_database_is_a_page_in_the_pages_language(app, world, monkeypatch):
    """SQLite's "database is locked" past the busy timeout: the page says so in its own
    language, with Retry-After, and the API answers 503 problem+json."""
    from sqlalchemy.exc import OperationalError

    from app.services import certification
    from tests.app.flows import submitted_request
    from tests.app.web.test_pages import sign_in

    request_id, etag = submitted_request(world)

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(certification, "transition", locked)
    page_client = sign_in(app, "certifier_c", lang="zh-Hant")
    answer = page_client.post(f"/app/requests/{request_id}/actions", data={
        "action": "start_review", "etag": etag, "csrf_token": page_client.csrf})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert "資料庫正忙於其他更改" in answer.text
    api = world["certifier_c"].post(
        f"/api/v1/label-requests/{request_id}/transitions", json={"action": "start_review"},
        headers={"If-Match": etag})
    assert api.status_code == 503 and api.content_type == "application/problem+json"
    assert api.json["detail"] == "the database is busy with other changes; try again"
