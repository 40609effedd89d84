"""`carbonlabel publish`: the log as tlog-tiles and every credential and status list as
files; a label verified from that directory alone (no database, no service), the proof
from tiles equal to the service's, a revocation seen after the next publish, a tampered
entry bundle caught, and a second publish rewriting no immutable file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.trust import static_log, tiles
from tests.app.api.test_labels import issue


def publish(app, target: Path):
    from app.services import publish as publish_service
    from app.services import transaction
    from app.services.issuer import issuer_from_config

    with app.app_context(), transaction() as session:
        return publish_service.publish(session, issuer_from_config(app.config), target)


@pytest.fixture
def published(app, world, tmp_path):
    issued = [issue(world)[0] for _ in range(3)]
    target = tmp_path / "published"
    done = publish(app, target)
    return issued, target, done


def static_verify(runner, target: Path | str, label_id: str, tmp_path: Path):
    return runner.invoke(main, ["verify", "--static", str(target), label_id,
                                "--state-dir", str(tmp_path / "state")])


@pytest.mark.timezone  # the validity window, just after issuance
def test_a_label_verifies_from_the_directory_alone(app, published, tmp_path, runner,
                                                   monkeypatch):
    import sqlalchemy.engine

    import app as app_package

    issued, target, done = published
    assert (target / "log" / "checkpoint").read_text().startswith("labels.test/log\n")
    assert (target / "log" / "tile/0/000.p" / str(done.size)).is_file()
    assert (target / "log" / "tile/entries/000.p" / str(done.size)).is_file()

    def refuse(*_args, **_kwargs):
        raise AssertionError("static verification touched the app or a database")

    with monkeypatch.context() as patched:
        patched.setattr(app_package, "create_app", refuse)
        patched.setattr(sqlalchemy.engine.Engine, "connect", refuse)
        result = static_verify(runner, target, issued[1]["id"], tmp_path)
    assert result.exit_code == 0, result.output
    assert "inclusion        ok" in result.output and "VERIFIED" in result.output


def test_the_proof_from_tiles_equals_the_services(app, published):
    from app.extensions import db
    from app.services import transparency_log as tlog

    issued, target, done = published
    read = static_log.directory_reader(target)
    label = json.loads(read(static_log.label_file(issued[2]["id"])))
    with app.app_context():
        served = tlog.inclusion_path(db.session, label["log_index"], done.size)
    assert static_log.inclusion_from_tiles(
        lambda p: read("log/" + p), label["log_index"], done.size) == served
    assert len(served) >= 1


@pytest.mark.timezone
def test_revocation_reaches_the_directory_and_a_tampered_bundle_is_caught(
        app, world, published, tmp_path, runner):
    issued, target, done = published
    label_file = target / static_log.label_file(issued[0]["id"])
    before = label_file.stat().st_mtime_ns
    assert world["certifier_c"].post(f"/api/v1/labels/{issued[0]['id']}/revocation",
                                     json={"reason": "data error found"}).status_code == 200
    again = publish(app, target)
    assert again.size == done.size + 1  # the revocation's entry
    assert label_file.stat().st_mtime_ns == before  # immutable files are not rewritten
    result = static_verify(runner, target, issued[0]["id"], tmp_path)
    assert result.exit_code == 1 and "not_revoked      FAILED" in result.output

    bundle = target / "log" / tiles.entries_path(0, again.size)
    entries = tiles.unbundle(bundle.read_bytes())
    entries[1] = entries[1].replace(b'"issuance"', b'"issuanc\\u0065"')  # same meaning
    bundle.write_bytes(tiles.bundle(entries))
    result = static_verify(runner, target, issued[1]["id"], tmp_path)
    assert result.exit_code != 0 and "VERIFIED" not in result.output.replace("NOT VERIFIED", "")


def test_the_service_serves_the_same_tiles_with_cache_headers(published, client):
    _issued, target, done = published
    for name in (tiles.tile_path(0, 0, done.size), tiles.entries_path(0, done.size)):
        response = client.get("/log/" + name)
        assert response.status_code == 200, name
        assert response.data == (target / "log" / name).read_bytes()
        assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/log/" + tiles.tile_path(0, 0, done.size + 1)).status_code == 404
    assert client.get("/log/tile/0/x000").status_code == 404
    head = client.get("/log/checkpoint")
    assert head.data == (target / "log" / "checkpoint").read_bytes()
    assert head.headers["Cache-Control"] == "public, max-age=5"


def test_the_publish_command_then_static_verification(runner, monkeypatch, tmp_path):
    """The commands an operator and a verifier run: demo data, `publish --to`, then
    `verify --static` of the demo's valid label (verified), revoked and suspended ones (not)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = json.loads(runner.invoke(main, ["demo", "--json"]).stdout)
    target = tmp_path / "site"
    result = runner.invoke(main, ["publish", "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert "published the log at size" in result.output
    assert runner.invoke(main, ["publish", "--to", str(target)]).exit_code == 0  # again: no-op
    valid = static_verify(runner, target, data["labels"]["valid"], tmp_path)
    assert valid.exit_code == 0, valid.output
    revoked = static_verify(runner, target, data["labels"]["revoked"], tmp_path)
    assert revoked.exit_code == 1 and "not_revoked      FAILED" in revoked.output
    suspended = static_verify(runner, target, data["labels"]["suspended"], tmp_path)
    assert suspended.exit_code == 1 and "not_suspended    FAILED" in suspended.output
    assert "not_revoked      ok" in suspended.output


@pytest.mark.timezone
def test_a_label_verifies_from_the_directory_served_over_http(published, tmp_path, runner):
    """The directory behind an ordinary static web server (here Python's, on an ephemeral
    loopback port) is read by URL exactly as from disk."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    issued, target, _done = published
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(target))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = static_verify(runner, url, issued[0]["id"], tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert "inclusion        ok" in result.output
