"""Shared helpers for the benchmarks: real servers on localhost, figures printed as text."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

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
