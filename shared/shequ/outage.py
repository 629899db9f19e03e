"""Database outages at the RPC boundary.

While a service's database is unreachable (connection reset, server down, ``too many
clients``, no pooled connection free in time), its entrypoints answer at once with the
structured error ``unavailable`` instead of a ``RemoteError: OperationalError`` or no answer.
Nothing is half-written: a command's events are one transaction, so a retry with the same
idempotency key either finds the first result or runs the command.

``guarded`` wraps one handler (so each item of a ``batch`` gets its own answer); ``translate``
turns whatever reached the RPC consumer (every entrypoint: commands, queries, ``batch``,
``notifications``, ``health``) into the same error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool
import sqlalchemy.exc
from eventsourcing import persistence

from shequ.errors import ShequError, Unavailable
from shequ.pgpool import DatabaseUnreachable

OUTAGES: tuple[type[BaseException], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg_pool.PoolTimeout,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    DatabaseUnreachable,
)


def is_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) says the database could not be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ShequError):  # a deliberate answer, even if raised while handling
            return isinstance(exc, Unavailable)
        if isinstance(exc, OUTAGES):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def unavailable(exc: BaseException) -> Unavailable:
    # the driver's text (hosts, ports) stays in the service's log, not in the answer
    return Unavailable(
        "服务暂时不可用（数据库无法连接），请稍后用同一幂等键重试",
        "service temporarily unavailable (database unreachable); retry later "
        "with the same idempotency key",
        None,
        details={"cause": "database"},
    )


@contextmanager
def guarded() -> Iterator[None]:
    """Raise ``unavailable`` from the block when the database is out of reach."""
    try:
        yield
    except Exception as exc:
        if is_outage(exc):
            raise unavailable(exc) from exc
        raise


def translate(exc_info: Any) -> Any:
    """The ``exc_info`` an RPC reply carries: an outage becomes ``unavailable``."""
    if exc_info is None or not is_outage(exc_info[1]):
        return exc_info
    error = unavailable(exc_info[1])
    return (type(error), error, exc_info[2] or sys.exc_info()[2])
