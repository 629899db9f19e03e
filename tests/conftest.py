"""Cross-service fixtures: a suite of real processes (registry + a downstream consumer) on a
fresh RabbitMQ vhost, with SQLite or PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shequ.suite import SERVICES

from tests.support.browser import Browser
from tests.support.console import ConsoleSuite
from tests.support.infra import rabbit_vhost
from tests.support.suite import Suite, fresh_stores, on_fresh_vhost, running


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def suite(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Suite]:
    """Registry and the mirror, not started: a test starts what it needs."""
    with (
        rabbit_vhost() as amqp,
        fresh_stores(request.param, ("registry", "mirror"), tmp_path) as db,
        running(Suite(amqp, db, tmp_path), start=False) as s,
    ):
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for the whole run (in a child process: ``tests.support.browser``)."""
    started = Browser()
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleSuite]:
    """Every service and a gateway with an account per role, started once for the run's
    browser tests (``tests.support.console``)."""
    with on_fresh_vhost(ConsoleSuite, "sqlite", SERVICES, tmp_path_factory.mktemp("console")) as s:
        yield s
