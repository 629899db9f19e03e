"""Shared helpers for the benchmarks: real servers on localhost, figures printed as text."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
# The benchmarks' services take unsigned actors (the development setting, ADR 0031), as the test
# run does: a signed claim costs ~0.2-0.4 ms to check, measured on its own in ADR 0031.
os.environ.setdefault("SHEQU_ALLOW_UNSIGNED_ACTORS", "1")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
        f"max {max(ms):.1f} ms, mean {statistics.mean(ms):.1f} ms (n={len(ms)})"
    )


def counts(**defaults: int) -> argparse.Namespace:
    """The command line of a benchmark sized by counts: ``--NAME N`` for each keyword, which
    gives its default (``counts(cases=600)`` reads ``--cases 600``)."""
    parser = argparse.ArgumentParser()
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    return parser.parse_args()


def plain_read(store: Any, table: str) -> int:
    """Every row of ``table`` in position order, the verifier's columns, counted: sqlite3
    iterating its cursor, or psycopg through a server-side cursor (10,000 rows a round trip).
    The baseline the audit and report benchmarks set their rates beside."""
    import sqlite3

    import psycopg

    position = store.notification_column()
    query = (
        f"SELECT {position}, originator_id, originator_version, topic, state "
        f"FROM {table} ORDER BY {position}"
    )
    count = 0
    if store.kind == "sqlite":
        with sqlite3.connect(str(store.path)) as conn:
            for _ in conn.execute(query):
                count += 1
        conn.close()
        return count
    dsn = store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn) as pg, pg.cursor(name="plain") as cur:
        cur.itersize = 10_000
        cur.execute(query)
        for _ in cur:
            count += 1
    return count


T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``work`` took, and what it returned."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result
