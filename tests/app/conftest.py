from __future__ import annotations

import pytest

from app import create_app


@pytest.fixture
def app(tmp_path, brightway_dir):
    return create_app({"TESTING": True, "INSTANCE_DIR": tmp_path,
                       "BRIGHTWAY_DIR": brightway_dir})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(monkeypatch, tmp_path, brightway_dir):
    from click.testing import CliRunner

    monkeypatch.setenv("CARBONLABEL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("BRIGHTWAY_DIR", str(brightway_dir))
    return CliRunner()
