"""Store fixtures (``shequ.testing``): a SQLite file, or a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from assessment.application import Assessment
from assessment_testing import close_app, open_app
from shequ.store import Store
from shequ.testing import store_named


@pytest.fixture
def app(store: Store) -> Iterator[Assessment]:
    a = open_app(store)
    yield a
    close_app(a)


store_name = store_named("assessment")
