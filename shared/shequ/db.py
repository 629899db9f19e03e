"""SQLAlchemy engines for read models, tracking and relay positions (in the service's own store)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event
from sqlalchemy.engine import Engine

from shequ.store import Store

platform_metadata = MetaData()

# Where each reader of the notification log has got to: the relay, each local projection.
positions = Table(
    "shequ_positions",
    platform_metadata,
    Column("reader", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("prev_published", Integer, nullable=True),
)

# Which schema and version each local read model was built with (``shequ.projection``): a
# release that changes them rebuilds the read model from the log on start.
read_models = Table(
    "shequ_read_models",
    platform_metadata,
    Column("reader", String(100), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
)


def make_engine(store: Store, service: str = "shequ", **kwargs: Any) -> Engine:
    """The engine for ``service``'s read models and positions (one per process: the
    application's ``engine``). PostgreSQL: ``SHEQU_PG_POOL_SIZE`` connections kept, up to
    ``SHEQU_PG_MAX_OVERFLOW`` more in a burst, closed again as soon as they are returned."""
    if store.kind == "sqlite":
        assert store.path is not None
        store.path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(store.sqlalchemy_url(), connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    else:
        from shequ.config import PoolSettings
        from shequ.pgpool import connect_args

        pool = PoolSettings.from_env()
        engine = create_engine(
            store.sqlalchemy_url(),
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout,
            pool_pre_ping=True,
            connect_args=connect_args(service, "readmodel"),
            **kwargs,
        )
    with schema_lock(store):
        platform_metadata.create_all(engine)
    return engine


@contextmanager
def schema_lock(store: Store) -> Iterator[None]:
    """Serialise schema creation across processes sharing one PostgreSQL database.

    Replicas starting together otherwise race on ``CREATE TABLE IF NOT EXISTS`` (PostgreSQL
    then fails one of them on its catalogue's unique index). SQLite serialises by itself.
    """
    if store.kind != "postgres":
        yield
        return
    from shequ.pgpool import session_connection

    with session_connection(store, "shequ", "schema") as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


SCHEMA_LOCK_KEY = 0x5348_4551_5553_4348  # "SHEQUSCH"
