"""Assessment schemes for tests: indicators spelled on one line each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def measure(key: str, name: str, section: str, weight: int, source: str) -> dict[str, Any]:
    """A weighted indicator measured from ``source``."""
    return {"key": key, "name": name, "section": section, "weight": weight, "source": source}


def deduction(key: str, name: str, source: str, points: Any, cap: int) -> dict[str, Any]:
    """An adjustment that takes ``points`` off for each of ``source`` (up to ``cap``)."""
    return {
        "key": key,
        "name": name,
        "kind": "deduction",
        "source": source,
        "points": points,
        "cap": cap,
    }


def community_scheme(
    indicators: Iterable[dict[str, Any]], adjustments: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The communities' scheme (社区工作考核办法), in force from 1 January 2025, by quarter."""
    return {
        "subject_kind": "community",
        "name": "社区工作考核办法",
        "effective_from": "2025-01-01",
        "period_kinds": ["quarter"],
        "indicators": list(indicators),
        "adjustments": list(adjustments),
    }
