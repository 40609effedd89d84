"""The embedded broker takes a polling interval (kombu's SQLAlchemy transport used to hand
it to `create_engine`, which refused it, so every job waited up to kombu's 1 s default)."""

from __future__ import annotations

import pytest

from tests.app.queue.workers import use_broker


def test_the_embedded_broker_polls_at_the_configured_interval(app, tmp_path):
    use_broker(app, f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
               BROKER_POLLING_INTERVAL=0.05)
    celery = app.extensions["celery"]
    with celery.connection_for_write() as connection:
        assert type(connection.transport).__module__ == "app.broker"
        assert connection.transport.polling_interval == 0.05
        channel = connection.default_channel  # the engine is made without the option
        assert channel is not None
        queue = connection.SimpleQueue("probe")
        queue.put({"ping": 1})
        assert queue.get(timeout=2).payload == {"ping": 1}
        queue.close()
    assert (tmp_path / "broker.sqlite").is_file()


@pytest.mark.parametrize("url", ["memory://", "redis://127.0.0.1:1/11"])
def test_other_brokers_keep_their_own_transport(app, url):
    use_broker(app, url)
    conf = app.extensions["celery"].conf
    assert conf.broker_transport is None
    assert "polling_interval" not in conf.broker_transport_options
