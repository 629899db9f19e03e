"""Store fixtures (``shequ.testing``): a SQLite file, or a fresh PostgreSQL database per test."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The package is importable once installed (``make install``); until then, from its folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from outreach_testing import World
from shequ.store import Store


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    w = World(store)
    yield w
    w.close()


@pytest.fixture
def sqlite_world(sqlite_store: Store) -> Iterator[World]:
    w = World(sqlite_store)
    yield w
    w.close()


@pytest.fixture
def store_name() -> str:
    return "outreach"
