"""PostgreSQL connections of one service process: few at rest, named, sized by settings, and
quick to fail and to recover when the server goes away.

Each process holds at rest (ADR 0018):
  * the event store's pool (psycopg_pool, through eventsourcing): ``SHEQU_PG_POOL_SIZE``
    connections, growing by up to ``SHEQU_PG_MAX_OVERFLOW`` in a burst; a burst's extra
    connections close one by one after ``SHEQU_PG_IDLE_TIMEOUT`` seconds unused;
  * one SQLAlchemy engine for read models, relay and projector positions (``shequ.db``):
    ``SHEQU_PG_POOL_SIZE`` kept, the overflow closed as soon as it is returned;
  * the relay leadership's session (an advisory lock, ``shequ.leader``).
Every connection carries ``application_name`` ``shequ-<service>-<purpose>`` so operators see
them in ``pg_stat_activity``.

psycopg_pool connects in the background and, when a connection attempt fails, retries with
back-off (1 s, 2 s, 4 s, …) while callers queue for the pool's whole timeout: a refused
connection ("too many clients", a restarting server) stalled every caller for seconds, then a
database outage made them wait and time out. ``Pool`` fails fast instead: once an attempt to
connect has failed and no idle connection is at hand, a caller gets the error at once (the
server is probed again at most every ``PROBE_INTERVAL`` seconds, inline), and the first probe
that succeeds lets the pool grow again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
from eventsourcing.postgres import ConnectionPool, PostgresFactory
from eventsourcing.utils import Environment

from shequ.config import PoolSettings
from shequ.store import Store


def application_name(service: str, purpose: str) -> str:
    return f"shequ-{service.lower()}-{purpose}"[:63]


class DatabaseUnreachable(ConnectionError):
    """Raised at once while the server cannot be reached. Not a psycopg error on purpose:
    eventsourcing retries those ten times over two seconds, which only delays the answer
    once the pool knows the server is gone (a first broken connection is still retried)."""


class Pool(ConnectionPool[Any]):
    """eventsourcing's psycopg pool, failing fast while the server cannot be reached."""

    PROBE_INTERVAL = 0.5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unreachable: BaseException | None = None  # why the last connection attempt failed
        self._probe_lock = threading.Lock()
        self._next_probe = 0.0

    def _connect(self, timeout: float | None = None) -> Any:
        try:
            conn = super()._connect(timeout=timeout)
        except Exception as exc:
            self.unreachable = exc
            raise
        self.unreachable = None
        return conn

    def getconn(self, timeout: float | None = None) -> Any:
        if self.unreachable is not None and not self.get_stats().get("pool_available"):
            self._probe()
        return super().getconn(timeout)

    def _probe(self) -> None:
        """Connect once, inline, to see whether the server is back; raise if it is not."""
        with self._probe_lock:
            failure = self.unreachable
            if failure is None:
                return
            if time.monotonic() < self._next_probe:
                raise DatabaseUnreachable(f"database unreachable: {failure}")
            self._next_probe = time.monotonic() + self.PROBE_INTERVAL
            try:
                psycopg.connect(
                    **{k: v for k, v in _kwargs(self).items() if k != "row_factory"}
                ).close()
            except psycopg.Error as exc:
                self.unreachable = exc
                raise DatabaseUnreachable(f"database unreachable: {exc}") from exc
            self.unreachable = None


class ShequPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL persistence with the pool sized, named and failing fast as
    above (``PERSISTENCE_MODULE`` names this class; see ``Store.eventsourcing_env``)."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        datastore = self.datastore
        old = datastore.pool
        settings = PoolSettings.from_env()
        kwargs = {
            **_kwargs(old),
            "connect_timeout": settings.connect_timeout,
            "application_name": application_name(env.name or "shequ", "events"),
        }
        datastore.pool = Pool(
            connection_class=old.connection_class,
            kwargs=kwargs,
            min_size=settings.size,
            max_size=settings.size + settings.max_overflow,
            open=False,
            configure=datastore.after_connect_func(),
            timeout=settings.timeout,
            max_idle=settings.idle_timeout,
            reconnect_timeout=1.0,
        )


def _kwargs(pool: Any) -> dict[str, Any]:
    kwargs = pool.kwargs or {}
    return dict(kwargs() if callable(kwargs) else kwargs)


def session_connection(store: Store, service: str, purpose: str) -> psycopg.Connection[Any]:
    """A plain autocommit connection to where ``store`` holds session-level (advisory) locks
    (``Store.for_sessions``), named and bounded as ``connect_args``."""
    s = store.for_sessions
    return psycopg.connect(
        host=s.host,
        port=s.port,
        user=s.user,
        password=s.password or None,
        dbname=s.dbname,
        autocommit=True,
        **connect_args(service, purpose),
    )


def connect_args(service: str, purpose: str) -> dict[str, Any]:
    """psycopg.connect keyword arguments that name a plain connection and bound its connect."""
    return {
        "application_name": application_name(service, purpose),
        "connect_timeout": PoolSettings.from_env().connect_timeout,
    }
