"""A first run without surprises: the runtime needs no test tools, the server's address
follows HOST and PORT everywhere (serve.sh, the walk-through), and `/` leads somewhere."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app.web.test_pages import sign_in

REPO = Path(__file__).resolve().parents[2]


def _packages(name: str) -> set[str]:
    lines = (REPO / "scripts" / name).read_text("utf-8").splitlines()
    return {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


def test_runtime_packages_leave_the_test_tools_to_the_test_list():
    runtime, test = _packages("system-packages.txt"), _packages("system-packages-test.txt")
    assert {"chromium", "poppler-utils"} <= test
    assert not runtime & {"chromium", "poppler-utils"}
    assert "fonts-noto-cjk" in runtime and not runtime & test
    setup = (REPO / "scripts" / "setup.sh").read_text("utf-8")
    assert "--no-install-recommends" in setup
    assert "bash scripts/setup.sh --runtime" in (REPO / "scripts" / "serve.sh").read_text()
    assert "bash scripts/setup.sh\n" in (REPO / "scripts" / "test.sh").read_text()  # all of it


@pytest.mark.parametrize(("env", "url"), [
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "9001"}, "http://127.0.0.1:9001"),
    ({"HOST": "0.0.0.0", "PORT": "8080"}, "http://127.0.0.1:8080"),
    ({"HOST": "192.0.2.7"}, "http://192.0.2.7:8000"),
    ({"CARBONLABEL_PUBLIC_URL": "https://labels.example", "PORT": "1"},
     "https://labels.example"),
])
def test_serve_derives_the_public_url_from_host_and_port(env, url):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("HOST", "PORT", "CARBONLABEL_PUBLIC_URL")}
    out = subprocess.run(["bash", str(REPO / "scripts" / "serve.sh"), "--print-url"],
                         env={**clean, **env}, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == url


@pytest.mark.parametrize(("argv", "env", "url"), [
    ([], {}, "http://127.0.0.1:8000"),
    ([], {"PORT": "9001"}, "http://127.0.0.1:9001"),
    ([], {"CARBONLABEL_PUBLIC_URL": "http://127.0.0.1:7000/"}, "http://127.0.0.1:7000"),
    (["http://10.0.0.2:5000"], {"PORT": "9001"}, "http://10.0.0.2:5000"),
])
def test_walkthrough_finds_the_server_where_serve_put_it(monkeypatch, argv, env, url):
    for key in ("HOST", "PORT", "CARBONLABEL_PUBLIC_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "argv", ["walkthrough.py", *argv])
    spec = importlib.util.spec_from_file_location("walkthrough",
                                                  REPO / "examples" / "walkthrough.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert url == module.BASE


def test_the_bare_address_leads_to_sign_in_or_the_start_page(app, client, world):
    first = client.get("/")
    assert first.status_code == 302 and first.headers["Location"].endswith("/app/")
    login = client.get("/", follow_redirects=True)
    assert login.status_code == 200 and 'name="password"' in login.text
    exporter = sign_in(app, "exporter_a")
    page = exporter.get("/", follow_redirects=True)
    assert page.request.path == "/app/products"
