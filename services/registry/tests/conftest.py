"""Store fixtures (``shequ.testing``): a SQLite file, or a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from registry_testing import close_registry, open_registry
from shequ.store import Store


@pytest.fixture
def registry(store: Store) -> Iterator[Any]:
    app = open_registry(store)
    yield app
    close_registry(app)


@pytest.fixture
def store_name() -> str:
    return "registry"
