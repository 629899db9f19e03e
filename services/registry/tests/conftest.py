"""Store fixtures (``shequ.testing``): a SQLite file, or a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from registry_testing import opened_registry
from shequ.store import Store
from shequ.testing import store_named


@pytest.fixture
def registry(store: Store) -> Iterator[Any]:
    with opened_registry(store) as app:
        yield app


store_name = store_named("registry")
