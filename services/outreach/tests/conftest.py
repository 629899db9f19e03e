"""Store fixtures: a SQLite file under tmp_path, or a fresh PostgreSQL database per test."""
from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

# The package is importable once installed (``make install``); until then, from its folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from outreach_testing import World
from shequ.store import Store

PG_HOST = os.environ.get("SHEQU_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    return Store.parse(f"sqlite:///{tmp_path}/outreach.db")


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    name = f"test_outreach_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    yield Store.parse(f"postgresql://postgres@{PG_HOST}:5432/{name}")
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]


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
