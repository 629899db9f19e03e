"""Cross-service fixtures: a suite of real processes (registry + a downstream consumer) on a
fresh RabbitMQ vhost, with SQLite or PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.infra import rabbit_vhost
from tests.support.suite import Suite, fresh_stores, running


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def suite(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Suite]:
    """Registry and the mirror, not started: a test starts what it needs."""
    with (
        rabbit_vhost() as amqp,
        fresh_stores(request.param, ("registry", "mirror"), tmp_path) as db,
        running(Suite(amqp, db, tmp_path), start=False) as s,
    ):
        yield s
