"""Store fixtures: a SQLite file under tmp_path, or a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from casework.application import Casework
from casework_testing import FixedClock, running_casework
from shequ.store import Store
from shequ.testing import store_named


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2026-03-02T09:00:00+08:00")  # a Monday


@pytest.fixture
def casework(store: Store, clock: FixedClock) -> Iterator[Casework]:
    with running_casework(store, clock) as app:
        yield app


store_name = store_named("casework")
