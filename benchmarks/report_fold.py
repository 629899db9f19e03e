"""Report folding speed (issue 13 §5: reports fold at least 50,000 events/s), next to a plain
read of the same rows in the same run.

Builds casework's quarter of the report test once (three demands, a village decision), then
copies its case and decision events ``--copies`` times under fresh aggregate ids into a new
SQLite store (as eventsourcing stores them), seals it, and times:

  plain read   every row of the events table, sqlite3 iterating its cursor;
  prefix       ``shequ.reports.run.prefix_from_store``: the rows up to the cut, the basis
               (root(n), signed head, consistency proof), every row checked against its
               sealed leaf;
  fold         decoding the rows the fold wants and ``casework.report.fold_affairs``;
  render       the document in JSON (the reference artefact).

Usage: .venv/bin/python benchmarks/report_fold.py [--copies 3000]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from pathlib import Path

import common
from eventsourcing.persistence import StoredEvent

sys.path.insert(0, str(common.REPO / "services" / "casework" / "tests"))

from casework.report import affairs
from shequ.reports.render import render
from shequ.reports.run import build, decode, prefix_from_store
from shequ.reports.scope import Scope, parse_period
from test_casework_report import Quarter  # the story the report test counts by hand


def make_store(tmp: Path, copies: int) -> tuple[Quarter, Path, str]:
    quarter = Quarter(tmp)
    ids = quarter.story()
    notes = quarter.app.recorder.select_notifications(1, 100_000)
    community = ids["w"]["community"]
    cases = [n for n in notes if n.topic.startswith(("casework:Case", "casework:VillageDecision"))]
    batch: list[StoredEvent] = []
    for _ in range(copies):
        fresh: dict[object, uuid.UUID] = {}
        for n in cases:
            new = fresh.setdefault(n.originator_id, uuid.uuid4())
            batch.append(StoredEvent(new, n.originator_version, n.topic, bytes(n.state)))
        if len(batch) >= 2000:
            quarter.app.recorder.insert_events(batch)
            batch = []
    if batch:
        quarter.app.recorder.insert_events(batch)
    quarter.seal()
    return quarter, tmp / "casework.db", community


def main() -> None:
    args = common.counts(copies=3000)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        started = time.perf_counter()
        quarter, db, community = make_store(tmp, args.copies)
        total = quarter.app.recorder.max_notification_id()
        print(f"casework store: {total:,} events ({time.perf_counter() - started:.1f} s to build)")
        cut = datetime.now(UTC)
        scope = Scope("community", community, parse_period("2026Q1"), cut.isoformat())

        t0 = time.perf_counter()
        with sqlite3.connect(db) as raw:
            count = sum(1 for _ in raw.execute("SELECT * FROM stored_events ORDER BY rowid"))
        plain = time.perf_counter() - t0

        t0 = time.perf_counter()
        prefix = prefix_from_store("casework", quarter.store, quarter.treeheads, cut)
        list(prefix.rows)  # the prefix is read lazily: take it all, as a report does
        read = time.perf_counter() - t0

        t0 = time.perf_counter()
        content = affairs.fold(decode(prefix.rows, affairs.wants), scope)
        fold = time.perf_counter() - t0
        assert content is not None

        t0 = time.perf_counter()
        data = render(build("affairs", scope, prefix), "json")
        whole = time.perf_counter() - t0

        tracemalloc.start()
        affairs.fold(decode(prefix.rows, affairs.wants), scope)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        quarter.app.close()

    n = len(prefix.rows)
    print(f"plain read (sqlite3 cursor)   {count / plain:12,.0f} rows/s   ({plain:.2f} s)")
    print(f"prefix, basis, leaf check      {n / read:12,.0f} events/s ({read:.2f} s)")
    print(f"decode + fold_affairs         {n / fold:12,.0f} events/s ({fold:.2f} s)")
    print(
        f"fold + JSON document          {n / whole:12,.0f} events/s ({whole:.2f} s, {len(data):,} B)"
    )
    print(f"fold peak memory (tracemalloc) {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
