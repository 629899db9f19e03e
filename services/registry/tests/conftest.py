"""Store fixtures: a SQLite file under tmp_path, or a fresh PostgreSQL database per test."""
from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from registry.application import Registry
from registry.seed import sample_id_number, sample_phone
from shequ.actor import SYSTEM
from shequ.store import Store

PG_HOST = os.environ.get("SHEQU_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def sqlite_store(tmp_path) -> Store:  # type: ignore[no-untyped-def]
    return Store.parse(f"sqlite:///{tmp_path}/registry.db")


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    name = f"test_registry_{uuid.uuid4().hex[:12]}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:  # pragma: no cover - only without a server
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield Store.parse(f"postgresql://postgres@{PG_HOST}:5432/{name}")
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request) -> Store:  # type: ignore[no-untyped-def]
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]


def open_registry(store: Store) -> Registry:
    return Registry(store)


def close_registry(app: Registry) -> None:
    if app._projector is not None:
        app._projector.engine.dispose()
    app.close()


@pytest.fixture
def registry(store: Store) -> Iterator[Registry]:
    app = open_registry(store)
    yield app
    close_registry(app)


_numbers = itertools.count(5000)


def new_person(app: Registry, village_id: str | None, kinds: list[str] | None = None,
               male: bool = True) -> str:
    """Register an invented person (with SYSTEM) and return their id."""
    n = next(_numbers)
    return str(app.register_person(
        SYSTEM, f"test:person:{n}:{uuid.uuid4().hex[:6]}", name=f"测示{n % 100}",
        gender="male" if male else "female", id_number=sample_id_number(n, male),
        phone=sample_phone(n), village_id=village_id, kinds=kinds or ["resident"],
        sample=True)["person_id"])
