"""Case statistics, defined once (issue 13): the affairs disclosure (casework's report) and
assessment's scoring both count cases with this code, so the two can never disagree.

Both read the same facts: casework's published case events (``case.opened``,
``case.resolved``, ``case.chased``, …; docs/integration-events.md), each dated by its own
field (``opened_on``, ``resolved_on``, …). Casework's report translates its stored domain
events with the same ``translate()`` its relay publishes; assessment receives them.

Counting rules (a period's figures come from the facts dated in it):

- **opened**: cases received in the period (distinct cases);
- **closed** (办结): cases resolved in the period, each once however often it was resolved
  (a case reopened and resolved again counts once, with its **last** resolution in the
  period): the old ad-hoc count of resolution *events* gave 4 where there were 3 cases;
- **closed on time**: of those, the ones whose last resolution was on time;
- **on-time rate** = closed on time / closed (none when nothing closed);
- **resolution rate** = closed / opened, at most 1 (none when nothing opened);
- **chases**, **reprimands**: notices, one per (case, day);
- **open at the end** (``open_at``): cases received by the period's last day and, by that
  day, neither resolved (after their last reopening), refused, merged nor closed.

Pure standard library: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# contract (without the service) -> (fact kind, date field, natural key fields, value fields)
CASE_FACTS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "case.opened": ("case.opened", "opened_on", ("case_id",), ()),
    "case.resolved": ("case.resolved", "resolved_on", ("case_id",), ("on_time",)),
    "case.rated": ("case.rated", "rated_on", ("case_id",), ("rating",)),
    "case.reopened": ("case.reopened", "reopened_on", ("case_id",), ()),
    "case.chased": ("case.chased", "chased_on", ("case_id", "chased_on"), ()),
    "case.reprimanded": ("case.reprimanded", "reprimanded_on", ("case_id", "reprimanded_on"), ()),
}
# the facts that end or restart a case's handling, for ``open_at``
_ENDS = {
    "case.resolved": "resolved_on",
    "case.refused": "refused_on",
    "case.merged": "merged_on",
    "case.closed": "closed_on",
}
_RESTARTS = {"case.reopened": "reopened_on"}


def fact_key(key_fields: Iterable[str], payload: dict[str, Any]) -> str:
    """The natural key of a fact: the key fields' values joined by ':'."""
    return ":".join(str(payload[k]) for k in key_fields)


@dataclass(frozen=True)
class CaseFact:
    """One published case event as counted: kind, natural key, date, values."""

    kind: str
    key: str
    case_id: str
    on: str
    values: dict[str, Any]


def case_fact(contract: str, payload: dict[str, Any]) -> CaseFact | None:
    """The fact a published case event gives (None for the contracts not counted)."""
    spec = CASE_FACTS.get(contract)
    if spec is None:
        return None
    kind, on_field, key_fields, value_fields = spec
    return CaseFact(
        kind,
        fact_key(key_fields, payload),
        str(payload["case_id"]),
        str(payload[on_field]),
        {f: payload[f] for f in value_fields},
    )


class CaseCount:
    """The cases of one subject in one period, from the facts dated in it (any order; a
    fact delivered twice counts once)."""

    __slots__ = ("chases", "opened", "reprimands", "resolved")

    def __init__(self) -> None:
        self.opened: set[str] = set()
        self.resolved: dict[str, bool] = {}  # case -> its last resolution was on time
        self.chases: set[str] = set()
        self.reprimands: set[str] = set()

    def add(self, kind: str, key: str, values: dict[str, Any]) -> bool:
        """Count a fact; False if it is not one of the case counts."""
        if kind == "case.opened":
            self.opened.add(key)
        elif kind == "case.resolved":
            self.resolved[key] = bool(values["on_time"])
        elif kind == "case.chased":
            self.chases.add(key)
        elif kind == "case.reprimanded":
            self.reprimands.add(key)
        else:
            return False
        return True

    @property
    def closed(self) -> int:
        return len(self.resolved)

    @property
    def closed_on_time(self) -> int:
        return sum(self.resolved.values())

    def on_time_rate(self) -> Decimal | None:
        return ratio(self.closed_on_time, self.closed)

    def resolution_rate(self) -> Decimal | None:
        value = ratio(self.closed, len(self.opened))
        return None if value is None else min(value, Decimal(1))

    def to_dict(self) -> dict[str, Any]:
        rate = self.on_time_rate()
        return {
            "opened": len(self.opened),
            "closed": self.closed,
            "closed_on_time": self.closed_on_time,
            # permille, rounded half up: integers only in the canonical document
            "on_time_permille": None if rate is None else _permille(rate),
            "chases": len(self.chases),
            "reprimands": len(self.reprimands),
        }


def ratio(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


def _permille(rate: Decimal) -> int:
    return int((rate * 1000).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def count_period(facts: Iterable[CaseFact], start: str, end: str) -> CaseCount:
    """The counts of the facts dated from ``start`` to ``end`` (ISO dates, both included)."""
    count = CaseCount()
    for fact in facts:
        if start <= fact.on <= end:
            count.add(fact.kind, fact.key, fact.values)
    return count


def open_at(events: Iterable[tuple[str, dict[str, Any]]], end: str) -> int:
    """Cases open at the end of ``end``, from published case events ``(contract, payload)``:
    received by then and not ended (resolved, refused, merged, closed) after their last
    reopening dated by then. Events dated later are ignored, whenever recorded."""
    opened: set[str] = set()
    marks: dict[str, tuple[str, int, bool]] = {}  # case -> (date, order, open), the latest
    for order, (contract, payload) in enumerate(events):
        case = str(payload.get("case_id"))
        if contract == "case.opened":
            if payload["opened_on"] <= end:
                opened.add(case)
            continue
        field, is_open = _ENDS.get(contract), False
        if field is None:
            field, is_open = _RESTARTS.get(contract), True
        if field is None or payload[field] > end:
            continue
        mark = (payload[field], order, is_open)
        if case not in marks or mark[:2] >= marks[case][:2]:
            marks[case] = mark
    return sum(1 for case in opened if case not in marks or marks[case][2])


__all__ = [
    "CASE_FACTS",
    "CaseCount",
    "CaseFact",
    "case_fact",
    "count_period",
    "fact_key",
    "open_at",
    "ratio",
]
