"""PostgreSQL refusing connections ("too many clients", here a role's connection limit) reaches
a caller as the structured error `unavailable`: the first caller after the pool's wait, later
callers at once, without a wait per call."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from shequ.config import ServiceConfig
from shequ.db import schema_lock
from shequ.errors import Unavailable
from shequ.leader import Leadership
from shequ.outage import translate
from shequ.pgpool import DatabaseUnreachable, Pool
from shequ.store import Store
from shequ.testing import PG_HOST, pg_admin, postgres_store  # noqa: F401 - fixture

from tests.support.infra import free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
def refused_role() -> Iterator[str]:
    """A role PostgreSQL refuses every connection to, as it does when it has too many."""
    role = f"t_full_{uuid.uuid4().hex[:8]}"
    pg_admin(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    try:
        yield role
    finally:
        pg_admin(f'DROP ROLE IF EXISTS "{role}"')


def as_unavailable(exc: BaseException) -> Unavailable:
    error = translate((type(exc), exc, exc.__traceback__))[1]
    assert isinstance(error, Unavailable), error
    assert error.to_dict()["code"] == "unavailable"
    assert error.message_zh.startswith("服务暂时不可用")
    assert error.message_en.startswith("service temporarily unavailable")
    return error


def test_too_many_connections_reach_callers_as_unavailable(refused_role: str) -> None:
    kwargs = {"host": PG_HOST, "port": 5432, "user": refused_role, "dbname": "postgres"}
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(**kwargs).close()
    assert "too many connections" in str(refused.value)
    as_unavailable(refused.value)

    pool = Pool(kwargs=kwargs, min_size=1, max_size=2, timeout=1.0, reconnect_timeout=0.5)
    try:
        with pytest.raises(psycopg.OperationalError) as first:  # waited for the pool
            pool.getconn()
        as_unavailable(first.value)
        for _ in range(3):  # known refused: at once, probing the server now and then
            with pytest.raises(DatabaseUnreachable) as later:
                pool.getconn()
            as_unavailable(later.value)
    finally:
        pool.close()


def test_advisory_locks_go_to_the_session_store(
    postgres_store: Store,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Behind PgBouncer in transaction mode, session-level locks must reach PostgreSQL
    directly: with SHEQU_<SERVICE>_SESSION_STORE, leadership and the schema lock use it."""
    direct = (
        f"postgresql://{postgres_store.user}@{postgres_store.host}:{postgres_store.port}/"
        f"{postgres_store.dbname}"
    )
    monkeypatch.setenv(
        "SHEQU_NOTES_STORE", direct.replace(f":{postgres_store.port}/", f":{free_port()}/")
    )
    monkeypatch.setenv("SHEQU_NOTES_SESSION_STORE", direct)
    store = ServiceConfig.from_env("notes").store  # the store itself answers nowhere
    assert store.for_sessions == postgres_store
    leader = Leadership(store, "relay", "notes")
    assert leader.try_acquire() and leader.still_held()
    leader.release()
    with schema_lock(store):
        pass
