"""A live server for browser tests: the test app on a real port, in a thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("CARBONLABEL_BROWSER_ARTIFACTS",
                                Path(__file__).resolve().parents[3] / "test-artifacts"))


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app on 127.0.0.1:<free port>; PUBLIC_URL follows, so QR codes point at it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config.update(PUBLIC_URL=url, DEV_MODE=True)  # http on loopback: development only
    from app.services import issuer_pin, keys, transaction

    with app.app_context(), transaction() as session:
        if keys.active_key(session) is not None:  # made by `world` under the fixture's URL
            issuer_pin.move(session, app.config["KEYS_DIR"], url, dev_mode=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's "
                    "chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield instance
        instance.close()


@pytest.fixture
def shots(request) -> Path:
    """Where this test keeps its screenshots (kept after the run as test artefacts)."""
    name = request.node.name.replace("[", "-").replace("]", "")
    folder = ARTIFACTS / "screenshots" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
