"""Store fixtures: a SQLite file under tmp_path, or a fresh PostgreSQL database per test."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from casework.application import Casework
from shequ.store import Store

PG_HOST = os.environ.get("SHEQU_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def sqlite_store(tmp_path) -> Store:  # type: ignore[no-untyped-def]
    return Store.parse(f"sqlite:///{tmp_path}/casework.db")


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    name = f"test_casework_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    yield Store.parse(f"postgresql://postgres@{PG_HOST}:5432/{name}")
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request) -> Store:  # type: ignore[no-untyped-def]
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]

from casework_testing import FakeClock, close_casework, open_casework


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock("2026-03-02T09:00:00+08:00")  # a Monday


@pytest.fixture
def casework(store: Store, clock: FakeClock) -> Iterator[Casework]:
    app = open_casework(store, clock)
    yield app
    close_casework(app)
