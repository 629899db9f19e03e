"""Cross-service fixtures: a suite of real processes (registry + a downstream consumer) on a
fresh RabbitMQ vhost, with SQLite or PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.infra import pg_database, rabbit_vhost
from tests.support.suite import Suite


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def suite(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Suite]:
    with rabbit_vhost() as amqp:
        if request.param == "sqlite":
            stores = {n: f"sqlite:///{tmp_path / n}.db" for n in ("registry", "mirror")}
            s = Suite(amqp, stores, tmp_path)
            try:
                yield s
            finally:
                s.stop()
            return
        with pg_database() as reg, pg_database() as mir:
            s = Suite(amqp, {"registry": reg, "mirror": mir}, tmp_path)
            try:
                yield s
            finally:
                s.stop()
