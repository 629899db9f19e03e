"""Loading an aggregate from its stored events: the platform's repository (``shequ.app``,
``FoldingRepository``) next to eventsourcing's own projector in the same run, and the
platform's aggregate cache (ADR 0005 §10) next to a rebuild.

Saves one aggregate with ``--events`` events into a SQLite store, then
  1. loads it ``--loads`` times each way with no cache: CPU time per event;
  2. loads it ``--loads`` times with the cache, one new event stored before each load (as a
     command finds it: fast-forwarded, then copied for the caller), against a rebuild: CPU
     time per load.

Usage: .venv/bin/python benchmarks/aggregate_load.py [--events 2000] [--loads 20]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import common
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate, event
from shequ.app import ServiceApplication
from shequ.store import Store


class Counter(Aggregate):
    def __init__(self) -> None:
        self.total = 0

    @event("Added")
    def add(self, amount: int) -> None:
        self.total += amount


class Bench(ServiceApplication):
    name = "aggregate_load"


def per_event(load: object, loads: int, events: int) -> float:
    started = time.process_time()
    for _ in range(loads):
        load()  # type: ignore[operator]
    return (time.process_time() - started) / loads / events * 1e6


def main() -> None:
    args = common.counts(events=2000, loads=20)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.parse(f"sqlite:///{Path(tmp) / 'load.db'}")
        app = Bench(store, env={"AGGREGATE_CACHE_MAXSIZE": ""})  # no cache: every load folds
        cached = Bench(store)
        try:
            counter = Counter()
            for i in range(args.events):
                counter.add(i)
            app.save(counter)
            ours = lambda: app.repository.get(counter.id)
            library = lambda: app.repository.get(counter.id, projector_func=project_aggregate)
            assert ours().total == library().total == counter.total
            for _ in range(2):
                a = per_event(ours, args.loads, args.events + 1)
                b = per_event(library, args.loads, args.events + 1)
                print(
                    f"aggregate of {args.events + 1:,} events: platform repository {a:.1f} µs "
                    f"an event, eventsourcing's projector {b:.1f} µs ({b / a:.2f}x)"
                )

            def grown_then_loaded() -> float:
                """CPU time of a cached load after one more event was stored."""
                counter.add(1)
                app.save(counter)
                started = time.process_time()
                assert cached.repository.get(counter.id).total == counter.total
                return time.process_time() - started

            grown_then_loaded()  # now in the cache
            for _ in range(2):
                rebuilt = per_event(ours, args.loads, 1) / 1000
                kept = sum(grown_then_loaded() for _ in range(args.loads)) / args.loads * 1e3
                print(
                    f"aggregate of {counter.version:,} events, loaded by a command: cached and "
                    f"fast-forwarded {kept:.2f} ms, rebuilt {rebuilt:.2f} ms "
                    f"({rebuilt / kept:.0f}x)"
                )
        finally:
            app.close()
            cached.close()


if __name__ == "__main__":
    main()
