"""PostgreSQL connection footprint: the four services, after a burst, hold at most 20
connections at rest, each named after its service and purpose (ADR 0018)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import eventlet
import psycopg
import pytest
from shequ.suite import SERVICES

from tests.support.infra import (
    PG_ADMIN,
    ServiceProcess,
    free_port,
    pg_database,
    rabbit_vhost,
    rpc,
    wait_healthy,
    wait_until,
)

BUILT = SERVICES
STAFF = {"person_id": "staff-1", "role": "district_staff"}
AT_REST_LIMIT = 20
pytestmark = pytest.mark.postgres


@pytest.fixture
def four_services(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The built services on their own PostgreSQL databases; yields (AMQP URI, database
    name by service)."""
    with ExitStack() as stack:
        amqp = stack.enter_context(rabbit_vhost())
        stores = {s: stack.enter_context(pg_database()) for s in BUILT}
        common = {
            "SHEQU_AMQP_URI": amqp,
            "SHEQU_TREEHEAD_DIR": str(tmp_path / "treeheads"),
            "SHEQU_KEY_DIR": str(tmp_path / "keys"),
            "SHEQU_PG_IDLE_TIMEOUT": "0.5",
        }  # a burst's connections close quickly
        procs = [
            ServiceProcess(
                s,
                s,
                {
                    **common,
                    f"SHEQU_{s.upper()}_STORE": stores[s],
                    f"SHEQU_{s.upper()}_METRICS_PORT": str(free_port()),
                },
                tmp_path,
            )
            for s in BUILT
        ]
        stack.callback(lambda: [p.stop() for p in procs])
        for proc in procs:
            proc.start()
        for proc in procs:
            wait_healthy(amqp, proc, timeout=120)
        yield amqp, {s: url.rsplit("/", 1)[1] for s, url in stores.items()}


def connections(databases: dict[str, str]) -> list[tuple[str, str]]:
    """(service, application_name) of every connection to the services' databases."""
    service_of = {db: s for s, db in databases.items()}
    with psycopg.connect(PG_ADMIN) as conn:
        rows = conn.execute(
            "SELECT datname, application_name FROM pg_stat_activity WHERE datname = ANY(%s)",
            (list(databases.values()),),
        ).fetchall()
    return [(service_of[db], name) for db, name in rows]


def test_four_services_hold_at_most_20_connections_at_rest(
    four_services: tuple[str, dict[str, str]],
) -> None:
    amqp, databases = four_services
    rpc(
        amqp,
        "registry",
        "establish_district",
        actor=STAFF,
        idempotency_key="conn-district",
        name="胶河经济区",
    )
    commands = [
        {
            "command": "establish_community",
            "args": {
                "idempotency_key": f"conn-c-{i:04d}",
                "name": f"社区{i}",
                "name_en": f"Community {i}",
            },
        }
        for i in range(150)
    ]
    # a burst: concurrent commands and reads make the pools grow
    pile = eventlet.GreenPile(8)
    pile.spawn(rpc, amqp, "registry", "batch", actor=STAFF, commands=commands, timeout=120)
    for _ in range(6):
        pile.spawn(rpc, amqp, "registry", "communities", actor=STAFF)
    answers = list(pile)
    assert all("ok" in item for item in answers[0])
    peak = len(connections(databases))

    def at_rest() -> list[tuple[str, str]] | None:
        now = connections(databases)
        return now if len(now) <= AT_REST_LIMIT else None

    try:
        rest = wait_until(at_rest, timeout=90, interval=0.5, what="connections back at rest")
    except AssertionError:
        raise AssertionError(f"at rest: {Counter(connections(databases))}") from None
    names = Counter(rest)
    for service in BUILT:  # every connection says whose and what it is
        assert (service, f"shequ-{service}-events") in names, names
        assert (service, f"shequ-{service}-leader") in names, names
    assert all(name.startswith(f"shequ-{service}-") for service, name in rest), names
    print(f"connections: peak after the burst {peak}, at rest {len(rest)}: {dict(names)}")
