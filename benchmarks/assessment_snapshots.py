"""What checking snapshots costs on the assessment inbox path (ADR 0017).

The inbox loads a period each time a back-dated fact arrives for it (``reactions.route``), and a
backfill writes one ``ArrivalAfterEnd`` per fact to the period, snapshotted every 100 versions.
This builds periods of ``--events`` events with snapshots every 100 versions and times
``repository.get`` of them:

  events only       no snapshot store: what loading costs without snapshots;
  trusted snapshot  eventsourcing's snapshot store: the snapshot is believed (before ADR 0017);
  checked, first    ``CheckedSnapshotStore`` meeting the snapshot for the first time in this
                    process (a restart, or a snapshot another replica took): it folds the
                    events up to the snapshot's version and compares;
  checked, later    the same snapshot again: one SHA-256 of the row.

Usage: .venv/bin/python benchmarks/assessment_snapshots.py [--events 1000] [--periods 20]
       [--postgres]   (a fresh PostgreSQL database instead of a SQLite file)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import common  # noqa: F401 - sets sys.path


def timed(load: Callable[[Any], Any], ids: list[Any]) -> float:
    """Median milliseconds of one load over ``ids``."""
    times = []
    for agg_id in ids:
        start = time.perf_counter()
        load(agg_id)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    from assessment.application import Assessment
    from assessment.domain import Period
    from eventsourcing.application import Repository
    from eventsourcing.persistence import EventStore
    from shequ.actor import SYSTEM
    from shequ.store import Store
    from shequ.testing import pg_admin

    if args.postgres:
        name = f"bench_snapshots_{int(time.time())}"
        pg_admin(f'CREATE DATABASE "{name}"')
        store = Store.parse(f"postgresql://postgres@127.0.0.1:5432/{name}")
    else:
        store = Store.parse(f"sqlite:///{tempfile.mkdtemp()}/assessment.db")
    try:
        app = Assessment(store)
        ids = []
        for i in range(args.periods):
            period = Period.open("month", f"{2000 + i}-01-01", SYSTEM.to_dict())
            for n in range(args.events - 1):
                period.note_arrival(f"casework:{n}", None, SYSTEM.to_dict())
                if period.version % 100 == 0:
                    app.save(period)
                    app.take_snapshot(period.id)
            app.save(period)
            ids.append(period.id)
        app.close()

        def fresh() -> Any:
            return Assessment(store)

        a = fresh()
        plain = Repository(event_store=a.events)
        trusted = Repository(
            event_store=a.events, snapshot_store=EventStore(a.mapper, a.snapshots.recorder)
        )  # type: ignore[union-attr]
        timed(plain.get, ids)  # warm up: caches, connections, topics
        figures = {
            "events only": timed(plain.get, ids),
            "trusted snapshot": timed(trusted.get, ids),
            "checked, first": timed(a.repository.get, ids),
            "checked, later": timed(a.repository.get, ids),
        }
        a.close()
        print(
            f"{store.kind}: {args.periods} periods of {args.events} events, snapshots every "
            "100 versions; median repository.get:"
        )
        for label, ms in figures.items():
            print(f"  {label:<17} {ms:8.2f} ms")
    finally:
        if args.postgres:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
