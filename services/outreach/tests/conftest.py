"""Store fixtures (``shequ.testing``): a SQLite file, or a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest
from outreach_testing import World
from shequ.store import Store


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    with closing(World(store)) as w:
        yield w


@pytest.fixture
def store_name() -> str:
    return "outreach"
