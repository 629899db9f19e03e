"""Audit verification speed, next to a plain read of the same rows in the same run.

For each store (a SQLite file, a fresh PostgreSQL database) this writes ``--events`` rows
straight into the application's events table as eventsourcing writes them (UUID ids, versions,
topics, a JSON state of ~200 bytes), seals them (``Sealer.seal``), then times:

  plain read   every row, the verifier's columns, in position order: sqlite3 iterating its
               cursor; psycopg through a server-side cursor (10,000 rows a round trip);
  verify       ``shequ.audit.verify`` (signatures, leaf log against every head, every stored
               row against its sealed leaf, snapshots);

and prints events/s for both, their ratio, and the peak memory Python allocated during a
second verification (tracemalloc, separately: it slows what it measures).

Usage: .venv/bin/python benchmarks/audit_verify.py [--events 1000000] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import common
import psycopg
from shequ.app import ServiceApplication
from shequ.audit import Sealer, verify
from shequ.store import Store

from tests.support.infra import pg_database

SERVICE = "AuditBench"
TOPICS = [
    "registry.domain:Household.Registered",
    "registry.domain:Person.Added",
    "registry.domain:Person.PhoneChanged",
    "casework.domain:Case.Opened",
]


class AuditBench(ServiceApplication):
    """Only here to create the events table the way every service does."""


def rows(n: int) -> Iterator[tuple[uuid.UUID, int, str, bytes]]:
    """(originator_id, version, topic, state): aggregates of 10 events each."""
    originator = uuid.uuid4()
    for i in range(n):
        if i % 10 == 0:
            originator = uuid.uuid4()
        state = json.dumps(
            {
                "timestamp": {
                    "_type_": "datetime_iso",
                    "_data_": "2026-11-30T08:00:00.000000+00:00",
                },
                "household_id": str(originator),
                "village": "lijiacun",
                "phone": f"138{i:08d}",
                "seq": i,
            },
            separators=(",", ":"),
        ).encode()
        yield originator, i % 10 + 1, TOPICS[i % len(TOPICS)], state


def fill(store: Store, n: int) -> None:
    table = store.events_table(SERVICE)
    if store.kind == "sqlite":
        with sqlite3.connect(str(store.path)) as conn:
            conn.executemany(
                f"INSERT INTO {table} (originator_id, originator_version, topic, "
                "state) VALUES (?, ?, ?, ?)",
                ((o.hex, v, t, s) for o, v, t, s in rows(n)),
            )
        conn.close()
        return
    copy_sql = f"COPY {table} (originator_id, originator_version, topic, state) FROM STDIN"
    with psycopg.connect(pg_dsn(store)) as conn, conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for row in rows(n):
            copy.write_row(row)


def pg_dsn(store: Store) -> str:
    return store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")


def run(kind: str, store: Store, n: int) -> None:
    AuditBench(store).close()  # creates the tables
    seconds, _ = common.timed(lambda: fill(store, n))
    print(f"[{kind}] wrote {n:,} events in {seconds:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        audit = Path(tmp) / "audit"
        app = AuditBench(store)
        try:
            sealer = Sealer(SERVICE, app.recorder, audit, Path(tmp) / "key.pem")
            seconds, _ = common.timed(sealer.seal)
            print(f"[{kind}] sealed in {seconds:.1f} s ({n / seconds:,.0f} events/s)")
            read_s, count = common.timed(
                lambda: common.plain_read(store, store.events_table(SERVICE))
            )
            verify_s, report = common.timed(lambda: verify(SERVICE, app.recorder, audit))
            assert count == n and report.ok and report.checked == n, report  # type: ignore
            read_rate, verify_rate = n / read_s, n / verify_s
            print(
                f"[{kind}] plain read {read_rate:,.0f} rows/s ({read_s:.2f} s); "
                f"verify {verify_rate:,.0f} events/s ({verify_s:.2f} s); "
                f"ratio {verify_rate / read_rate:.0%}"
            )
            tracemalloc.start()
            verify(SERVICE, app.recorder, audit)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"[{kind}] peak Python memory while verifying: {peak / 1e6:.1f} MB")
        finally:
            app.close()


@contextmanager
def sqlite_store() -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Store.parse(f"sqlite:///{Path(tmp) / 'bench.db'}")


@contextmanager
def postgres_store() -> Iterator[Store]:
    with pg_database() as url:
        yield Store.parse(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    for kind, make in (("sqlite", sqlite_store), ("postgres", postgres_store)):
        if args.only in (None, kind):
            with make() as store:
                run(kind, store, args.events)


if __name__ == "__main__":
    main()
