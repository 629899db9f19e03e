"""Rebuilding an aggregate from its stored events: the platform's repository (``shequ.app``,
``FoldingRepository``) next to eventsourcing's own projector in the same run.

Saves one aggregate with ``--events`` events into a SQLite store, then loads it ``--loads``
times each way (no cache, no snapshots) and prints the CPU time per event.

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
        app = Bench(Store.parse(f"sqlite:///{Path(tmp) / 'load.db'}"))
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
        finally:
            app.close()


if __name__ == "__main__":
    main()
