"""The gateway's own database: accounts, their change log, sessions, API tokens, login failures.

One SQLAlchemy engine on ``SHEQU_GATEWAY_STORE`` (SQLite file by default, PostgreSQL in
production), made the suite's one way (``shequ.db.make_engine``). The change log is
append-only in the database itself: a trigger refuses every UPDATE and DELETE of it (and
TRUNCATE on PostgreSQL), so an operator's audit of who added, reset, disabled or re-roled an
account does not rest on the application's good behaviour alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from shequ.actor import Actor
from shequ.db import make_engine, schema_lock
from shequ.store import Store
from sqlalchemy import (
    DDL,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware time stored as naive UTC (SQLite keeps no offset); read back aware, in UTC."""

    impl = DateTime()
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the gateway stores aware times only")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


metadata = MetaData()

# What an account or a token acts as: the registry's person, the role and the role's scope.
ACTOR_COLUMNS = ("person_id", "role", "community_id", "household_id", "village_id")


def scope_columns() -> list[Column[Any]]:
    """The role and its scope, as an account's and a token's row hold them (new columns each
    call: a column belongs to one table)."""
    return [
        Column("role", String(32), nullable=False),
        Column("community_id", String(100), nullable=True),
        Column("household_id", String(100), nullable=True),
        Column("village_id", String(100), nullable=True),  # village finance roles
    ]


def actor_values(actor: Actor) -> dict[str, str | None]:
    """``actor`` as the columns of an account's or a token's row."""
    return {name: getattr(actor, name) for name in ACTOR_COLUMNS}


def actor_of(row: Mapping[Any, Any]) -> Actor:
    """The actor an account's or a token's row stands for."""
    return Actor(**{name: row[name] for name in ACTOR_COLUMNS})


accounts = Table(
    "gateway_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),  # lower case
    Column("person_id", String(100), nullable=False),  # the registry's person
    Column("display_name", String(100), nullable=True),  # shown masked
    *scope_columns(),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("password_changed_at", UtcDateTime, nullable=False),
    Column("last_login_at", UtcDateTime, nullable=True),
)

# Who changed which account or token, when and how: append-only (triggers below).
changes = Table(
    "gateway_account_changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(100), nullable=False),
    Column("change", String(32), nullable=False),
    Column("username", String(64), nullable=True),
    Column("account_id", String(36), nullable=True),
    Column("token_id", String(36), nullable=True),
    Column("details", Text, nullable=False),  # JSON object: what changed (never a secret)
)

sessions = Table(
    "gateway_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),  # SHA-256 of the cookie's id
    Column("account_id", String(36), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("client", String(64), nullable=True),
)

tokens = Table(
    "gateway_tokens",
    metadata,
    Column("token_id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    Column("name", String(64), nullable=False),
    Column("person_id", String(100), nullable=False),
    *scope_columns(),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
)

login_failures = Table(
    "gateway_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(200), nullable=False),  # as typed, lower case
    Column("client", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("gateway_login_failures_username", "username", "at"),
    Index("gateway_login_failures_client", "client", "at"),
)

_CHANGES = changes.name
for _what in ("UPDATE", "DELETE"):
    event.listen(
        changes,
        "after_create",
        DDL(
            f"CREATE TRIGGER {_CHANGES}_no_{_what.lower()} BEFORE {_what} ON {_CHANGES} "
            f"BEGIN SELECT RAISE(ABORT, '{_CHANGES} is append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    changes,
    "after_create",
    DDL(
        "CREATE OR REPLACE FUNCTION gateway_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$"
    ).execute_if(dialect="postgresql"),
)
for _what, _each in (("UPDATE OR DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
    event.listen(
        changes,
        "after_create",
        DDL(
            f"CREATE TRIGGER {_CHANGES}_append_only_{_each.lower()} BEFORE {_what} "
            f"ON {_CHANGES} FOR EACH {_each} EXECUTE FUNCTION gateway_append_only()"
        ).execute_if(dialect="postgresql"),
    )


def open_engine(store: Store) -> Engine:
    """The engine on the gateway's database, its tables created if missing."""
    engine = make_engine(store, "gateway")
    with schema_lock(store):
        metadata.create_all(engine)
        added_columns(engine)
    return engine


# Columns added after the first release: (table, column, type); an older database gains them.
ADDED = ((accounts, "village_id", "VARCHAR(100)"), (tokens, "village_id", "VARCHAR(100)"))


def added_columns(engine: Engine) -> None:
    """Give tables created by an older release the columns added since (nullable, no data)."""
    found = inspect(engine)
    with engine.begin() as conn:
        for table, name, kind in ADDED:
            if name not in {c["name"] for c in found.get_columns(table.name)}:
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))


def first_row(conn: Connection, table: Table, *where: ColumnElement[bool]) -> RowMapping | None:
    """The first row of ``table`` that matches ``where``, as a mapping; None if there is none."""
    return conn.execute(select(table).where(*where)).mappings().first()


def record_change(
    conn: Connection,
    at: dt.datetime,
    by: str,
    change: str,
    *,
    username: str | None = None,
    account_id: str | None = None,
    token_id: str | None = None,
    **details: Any,
) -> None:
    """Append one entry to the change log, in the caller's transaction."""
    conn.execute(
        changes.insert().values(
            at=at,
            by=by,
            change=change,
            username=username,
            account_id=account_id,
            token_id=token_id,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True),
        )
    )
