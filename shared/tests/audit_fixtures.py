"""Fixtures for the audit tests: a real store per test, and raw SQL access to its events.

``store`` runs each test against a SQLite file and against a PostgreSQL database created for
that test (and dropped after it). ``RawEvents`` is the attacker: it edits the events table
directly, bypassing eventsourcing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from shequ.store import Store

ADMIN_DSN = os.environ.get(
    "SHEQU_TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store: a SQLite file, or a PostgreSQL database made for this test."""
    if request.param == "sqlite":
        yield Store.parse(f"sqlite:///{tmp_path / 'auditdemo.db'}")
        return
    name = f"shequ_audit_{uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = ADMIN_DSN.rsplit("/", 1)[0]
        yield Store.parse(f"{url}/{name}")
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def audit_dir(tmp_path: Path) -> Path:
    """Where the audit files go: kept apart from the database, as in production."""
    return tmp_path / "audit"


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "audit-signing.pem"


class RawEvents:
    """Direct SQL on one application's events table, as someone with database access."""

    def __init__(self, store: Store, app_name: str) -> None:
        self.store = store
        self.table = store.events_table(app_name)
        self.id = store.notification_column()

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (``?`` placeholders) in its own committed transaction."""
        if self.store.kind == "sqlite":
            with sqlite3.connect(str(self.store.path)) as conn:
                rows = conn.execute(sql, params).fetchall()
            conn.close()
            return rows
        dsn = self.store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(dsn, autocommit=True) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def positions(self) -> list[int]:
        return [r[0] for r in self.run(f"SELECT {self.id} FROM {self.table} ORDER BY {self.id}")]

    def row(self, position: int) -> tuple[Any, ...]:
        """(originator_id, originator_version, topic, state) at a position."""
        rows = self.run(
            f"SELECT originator_id, originator_version, topic, state "
            f"FROM {self.table} WHERE {self.id} = ?",
            (position,),
        )
        return rows[0]

    def set_state(self, position: int, state: bytes | None) -> None:
        self.run(f"UPDATE {self.table} SET state = ? WHERE {self.id} = ?", (state, position))

    def delete(self, position: int) -> None:
        self.run(f"DELETE FROM {self.table} WHERE {self.id} = ?", (position,))

    def insert(
        self, position: int, originator_id: UUID, version: int, topic: str, state: bytes | None
    ) -> None:
        # eventsourcing keeps UUIDs in SQLite as 32 hex digits, so the row loads as the aggregate's
        oid: Any = originator_id.hex if self.store.kind == "sqlite" else originator_id
        self.run(
            f"INSERT INTO {self.table} ({self.id}, originator_id, originator_version, "
            "topic, state) VALUES (?, ?, ?, ?, ?)",
            (position, oid, version, topic, state),
        )

    def move(self, old: int, new: int) -> None:
        """Give the row at ``old`` the position ``new``, contents unchanged."""
        self.run(f"UPDATE {self.table} SET {self.id} = ? WHERE {self.id} = ?", (new, old))

    def swap(self, first: int, second: int) -> None:
        """Exchange the whole contents of two rows by exchanging their positions."""
        for old, new in ((first, -1), (second, first), (-1, second)):
            self.move(old, new)

    @contextmanager
    def gap(self, size: int) -> Iterator[None]:
        """Leave ``size`` unused positions before the events written inside the block."""
        if self.store.kind == "postgres":
            sequence = f"pg_get_serial_sequence('{self.table}', '{self.id}')"
            for _ in range(size):
                self.run(f"SELECT nextval({sequence})")
            yield
            return
        # SQLite gives a new row max(rowid)+1: hold the gap's last slot with a placeholder.
        top = self.run(f"SELECT COALESCE(MAX(rowid), 0) FROM {self.table}")[0][0]
        self.insert(top + size, uuid4(), 0, "placeholder", b"")
        yield
        self.delete(top + size)
