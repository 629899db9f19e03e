"""Pytest fixtures every service's tests share: a real store per test, SQLite or PostgreSQL.

A service's ``conftest.py`` imports them (``from shequ.testing import postgres_store,
sqlite_store, store``; ``store_url`` for a service started from its environment) and may override ``store_name`` to name its databases. ``store`` runs a
test twice: against a SQLite file under ``tmp_path`` and against a PostgreSQL database created
for that test and dropped after it (marked ``postgres``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pty
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from kombu import Connection, Producer

from shequ.errors import RuleViolation
from shequ.provenance import Signer
from shequ.relay import exchange_for
from shequ.store import Store

PG_HOST = os.environ.get("SHEQU_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres"


def pg_admin(sql: str) -> None:
    """Run one statement as the PostgreSQL superuser (outside a transaction)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def store_name() -> str:
    """What the test databases are called after (a service's conftest overrides it with
    ``store_named``)."""
    return "shequ"


def store_named(name: str) -> Any:
    """A service's ``store_name`` fixture, for its conftest: ``store_name =
    store_named("finance")`` names its test databases after it."""

    @pytest.fixture(name="store_name")
    def named() -> str:
        return name

    return named


def closing_on_store(make: Callable[[Store], Any]) -> Any:
    """A fixture of ``make(store)`` on the test's store, closed after the test: ``world =
    closing_on_store(World)`` in a service's conftest."""

    @pytest.fixture
    def opened(store: Store) -> Iterator[Any]:
        with closing(make(store)) as made:
            yield made

    return opened


@pytest.fixture
def sqlite_store(tmp_path: Path, store_name: str) -> Store:
    return Store.parse(f"sqlite:///{tmp_path}/{store_name}.db")


@contextmanager
def _postgres_url(store_name: str) -> Iterator[str]:
    """A PostgreSQL database made for one test, dropped after it."""
    name = f"test_{store_name}_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@{PG_HOST}:5432/{name}"
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_store(store_name: str) -> Iterator[Store]:
    with _postgres_url(store_name) as url:
        yield Store.parse(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, store_name: str) -> Iterator[str]:
    """``store`` as the URL a service started from its environment opens (interface tests):
    a SQLite file under ``tmp_path/store``, or a PostgreSQL database made for the test.
    ``@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)`` keeps one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store' / f'{store_name}.db'}"
        return
    with _postgres_url(store_name) as url:
        yield url


def sign_as(service: str, envelope: dict[str, Any]) -> dict[str, Any]:
    """``envelope`` signed as ``service``'s relay signs it, with that service's key in
    ``SHEQU_KEY_DIR`` (created, with its public half, if missing): for tests that publish an
    upstream's messages themselves."""
    key_dir = Path(os.environ.get("SHEQU_KEY_DIR") or "var/keys")
    return Signer.for_service(service, key_dir / f"{service}.ed25519.pem").sign(envelope)


def publish_envelope(amqp_uri: str, envelope: dict[str, Any]) -> None:
    """Publish ``envelope`` (signed: ``sign_as``) to its service's exchange under
    ``<contract>.v<version>``, persistent, as that service's relay does: for tests that play
    an upstream, or a broker's redelivery."""
    exchange = exchange_for(envelope["service"])
    with Connection(amqp_uri) as conn:
        Producer(conn.channel()).publish(
            json.dumps(envelope, ensure_ascii=False),
            exchange=exchange,
            routing_key=f"{envelope['contract']}.v{envelope['version']}",
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            declare=[exchange],
        )


class MemoryDeadLetters:
    """Dead letters kept in memory for a test: each sent letter as a dict with its ``id``,
    ``consumer``, ``upstream``, ``envelope``, ``error`` and ``attempts``."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(
        self,
        consumer: str,
        upstream: str,
        envelope: Any,
        error: Any,
        attempts: int,
        letter_id: str | None = None,
    ) -> None:
        self.sent.append(
            {
                "id": letter_id,
                "consumer": consumer,
                "upstream": upstream,
                "envelope": envelope,
                "error": error,
                "attempts": attempts,
            }
        )


def shequ_cli(
    *args: str | Path, env: dict[str, str] | None = None, **options: Any
) -> subprocess.CompletedProcess[str]:
    """``shequ ARGS --OPTION VALUE ...`` in a process of its own, as an operator runs it: an
    option's underscores are spelled as dashes (``as_of`` is ``--as-of``), True is a bare flag;
    ``env`` is its whole environment (this one's by default). Output captured as text, two
    minutes at most."""
    words = [str(a) for a in args]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        words += [flag] if value is True else [flag, str(value)]
    return captured([sys.executable, "-m", "shequ.cli", *words], env=env)


def captured(
    argv: Sequence[str | Path], *, timeout: float = 120, **options: Any
) -> subprocess.CompletedProcess[str]:
    """ARGV in a process of its own, its output captured as text; a failing exit is returned,
    not raised (the test asserts on it); ``timeout`` only ends a hung run. ``options`` go to
    ``subprocess.run`` (``env``, ``cwd``, ``input``)."""
    return subprocess.run(
        [str(a) for a in argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        **options,
    )


def stderr_on_a_terminal(argv: Sequence[str | Path], env: dict[str, str]) -> tuple[int, str, str]:
    """Run ARGV with standard error on a pseudo-terminal (as an operator's shell gives it) and
    standard output on a pipe: exit code, what reached the terminal, what reached the pipe."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [str(a) for a in argv],
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed and drained
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.returncode, shown.decode(errors="replace"), proc.stdout.decode()


class Chain:
    """Envelopes of one upstream service as its relay would publish them: positions from 1,
    each naming the one before (``prev``), each event of a new aggregate. ``occurred_at``
    None stamps the time of making; ``event_prefix`` starts each event id (the service's
    name by default)."""

    def __init__(
        self,
        service: str,
        actor: dict[str, str],
        occurred_at: str | None = None,
        event_prefix: str = "",
    ) -> None:
        self.service, self.actor, self.occurred_at = service, actor, occurred_at
        self.event_prefix = event_prefix or service
        self.position = 0

    def next(self, contract: str, data: dict[str, Any]) -> dict[str, Any]:
        """The next envelope: ``contract`` (without the service's name) carrying ``data``."""
        prev = self.position or None
        self.position += 1
        return {
            "contract": f"{self.service}.{contract}",
            "version": 1,
            "service": self.service,
            "position": self.position,
            "prev": prev,
            "event_id": f"{self.event_prefix}:{self.position}",
            "aggregate_id": str(uuid.uuid4()),
            "aggregate_version": 1,
            "occurred_at": self.occurred_at or dt.datetime.now(dt.UTC).isoformat(),
            "actor": self.actor,
            "data": data,
        }


def naive_root(leaves: Sequence[bytes]) -> bytes:
    """MTH of RFC 6962 §2.1 over leaf hashes, written from the definition (recursive, sharing
    no code with ``shequ.audit.rfc9162``): the tests' independent check of trees and proofs."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    node = b"\x01" + naive_root(leaves[:k]) + naive_root(leaves[k:])
    return hashlib.sha256(node).digest()


def naive_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1 from the definition (see ``naive_root``)."""
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_root(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_root(leaves[:k])]


def refused(fn: Any, *a: Any, **kw: Any) -> RuleViolation:
    """The rule violation ``fn(*a, **kw)`` raises (the test fails if it raises none)."""
    with pytest.raises(RuleViolation) as info:
        fn(*a, **kw)
    return info.value
