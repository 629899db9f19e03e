"""Store fixtures: a SQLite file under tmp_path, or a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from casework.application import Casework
from casework_testing import FixedClock, close_casework, open_casework
from shequ.store import Store


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2026-03-02T09:00:00+08:00")  # a Monday


@pytest.fixture
def casework(store: Store, clock: FixedClock) -> Iterator[Casework]:
    app = open_casework(store, clock)
    yield app
    close_casework(app)


@pytest.fixture
def store_name() -> str:
    return "casework"
