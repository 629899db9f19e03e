"""Report folding speed (issue 13 §5: reports fold at least 50,000 events/s), next to a plain
read of the same rows in the same run, on both stores.

Builds casework's quarter of the report test once per store (three demands, a village
decision), then copies its case and decision events under fresh aggregate ids until the log
holds ``--events`` events (as eventsourcing stores them), seals it, and times:

  plain read   every row of the events table (sqlite3 iterating its cursor; psycopg through a
               server-side cursor, 10,000 rows a round trip);
  prefix       ``shequ.reports.run.prefix_from_store``: the rows up to the cut, the basis
               (root(n), signed head, consistency proof), every row checked against its
               sealed leaf;
  fold         decoding the rows the fold wants and ``casework.report.fold_affairs``;
  report       prefix, fold and the document in JSON (what ``shequ report`` does);

and the peak memory Python allocated while folding (tracemalloc, in a second fold: it slows
what it measures) and the process's peak resident size.

Usage: .venv/bin/python benchmarks/report_fold.py [--events 1000000] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import tracemalloc
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import common
from eventsourcing.persistence import StoredEvent
from shequ.store import Store

from tests.support.infra import pg_database

sys.path.insert(0, str(common.REPO / "services" / "casework" / "tests"))

from casework.report import affairs
from shequ.reports.render import render
from shequ.reports.run import Prefix, build, decode, prefix_from_store
from shequ.reports.scope import Scope, parse_period
from test_casework_report import Quarter  # the story the report test counts by hand

T = TypeVar("T")


def make_store(tmp: Path, events: int, store: Store | None) -> tuple[Quarter, str]:
    quarter = Quarter(tmp, store)
    ids = quarter.story()
    notes = quarter.app.recorder.select_notifications(1, 100_000)
    community = ids["w"]["community"]
    cases = [n for n in notes if n.topic.startswith(("casework:Case", "casework:VillageDecision"))]
    total, batch = len(notes), []
    while total < events:
        fresh: dict[object, uuid.UUID] = {}
        for n in cases[: events - total]:
            new = fresh.setdefault(n.originator_id, uuid.uuid4())
            batch.append(StoredEvent(new, n.originator_version, n.topic, bytes(n.state)))
        total += min(len(cases), events - total)
        if len(batch) >= 2000:
            quarter.app.recorder.insert_events(batch)
            batch = []
    if batch:
        quarter.app.recorder.insert_events(batch)
    quarter.seal()
    return quarter, community


def run(kind: str, store: Store | None, events: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        seconds, (quarter, community) = common.timed(lambda: make_store(tmp, events, store))
        total = quarter.app.recorder.max_notification_id()
        print(f"[{kind}] casework store: {total:,} events ({seconds:.1f} s to build and seal)")
        cut = datetime.now(UTC)
        scope = Scope("community", community, parse_period("2026Q1"), cut.isoformat())
        try:
            plain, count = common.timed(
                lambda: common.plain_read(quarter.store, quarter.store.events_table("casework"))
            )

            def read() -> Prefix:
                prefix = prefix_from_store("casework", quarter.store, quarter.treeheads, cut)
                return prefix

            read_s, prefix = common.timed(read)
            fold_s, content = common.timed(
                lambda: affairs.fold(decode(prefix.rows, affairs.wants), scope)
            )
            assert content is not None

            def report() -> bytes:
                whole = prefix_from_store("casework", quarter.store, quarter.treeheads, cut)
                return render(build("affairs", scope, whole), "json")

            whole_s, data = common.timed(report)
            tracemalloc.start()
            affairs.fold(decode(prefix.rows, affairs.wants), scope)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        finally:
            quarter.app.close()
    n = len(prefix.rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[{kind}] plain read          {count / plain:12,.0f} rows/s   ({plain:.2f} s)")
    print(
        f"[{kind}] prefix, basis, leaf check {n / read_s:12,.0f} events/s ({read_s:.2f} s, "
        f"{plain / read_s:.0%} of the plain read's rate)"
    )
    print(f"[{kind}] decode + fold_affairs {n / fold_s:12,.0f} events/s ({fold_s:.2f} s)")
    print(
        f"[{kind}] whole report (JSON)  {n / whole_s:12,.0f} events/s "
        f"({whole_s:.2f} s, {len(data):,} B)"
    )
    print(
        f"[{kind}] fold peak memory (tracemalloc) {peak / 2**20:.1f} MiB; process peak RSS {rss:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.only in (None, "sqlite"):
        run("sqlite", None, args.events)
    if args.only in (None, "postgres"):
        with pg_database() as url:
            run("postgres", Store.parse(url), args.events)


if __name__ == "__main__":
    main()
