"""Folding facts (consumed upstream events) into indicator values: pure and order-free.

A fact is ``(kind, key, values)``: the upstream event's kind (``case.resolved``), a natural key
(the case, the card version, the survey) and the few values the metric needs. Each metric
counts natural keys, not deliveries, so a fact that arrives twice counts once; a later fact
with the same key replaces the earlier one (a case resolved again after a reopen counts once,
with its last outcome).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from shequ.casestats import CaseCount, ratio

from assessment.domain.common import dec

SCALE = Decimal(5)  # ratings are 1-5


class Tally:
    """Everything one subject did in one period, as far as the metrics need it."""

    __slots__ = (
        "cases",
        "contacts",
        "disclosures",
        "distributed",
        "facts",
        "issued",
        "objections",
        "overdue",
        "ratings",
        "reopened",
        "rounds",
        "surveys",
        "vouchers",
    )

    def __init__(self) -> None:
        self.facts = 0
        # opened, resolved (on time), chases, reprimands: counted as the affairs disclosure
        # counts them (shequ.casestats), so the two never disagree
        self.cases = CaseCount()
        self.ratings: dict[str, int] = {}
        self.reopened: set[str] = set()
        self.rounds: dict[str, tuple[int, int]] = {}
        self.contacts: set[str] = set()
        self.overdue: set[str] = set()
        self.issued: set[str] = set()
        self.distributed: set[str] = set()
        self.surveys: dict[str, tuple[int, str, str, str]] = {}
        # a village's disclosure of a period -> published on time (False: late, or overdue)
        self.disclosures: dict[str, bool] = {}
        # a villager's objection -> answered on time (False: late, or overdue)
        self.objections: dict[str, bool] = {}
        # a village's voucher posted or returned in the period -> returned at least once
        self.vouchers: dict[str, bool] = {}

    def add(self, kind: str, key: str, values: dict[str, Any]) -> None:
        self.facts += 1
        if self.cases.add(kind, key, values):
            return
        adder = _ADDERS.get(kind)
        if adder is not None:
            adder(self, key, values)

    def metrics(self) -> dict[str, Decimal | None]:
        """Each metric's value, or None where no fact gave it any data."""
        cases = self.cases
        return {
            "on_time_rate": cases.on_time_rate(),
            "resolution_rate": cases.resolution_rate(),
            "satisfaction": (
                Decimal(sum(self.ratings.values())) / len(self.ratings) if self.ratings else None
            ),
            "reopen_rate": ratio(len(self.reopened), cases.closed),
            "chases": Decimal(len(cases.chases)),
            "reprimands": Decimal(len(cases.reprimands)),
            "visit_coverage": ratio(
                sum(v for _, v in self.rounds.values()), sum(t for t, _ in self.rounds.values())
            ),
            "contact_compliance": ratio(len(self.contacts), len(self.contacts) + len(self.overdue)),
            "card_distribution": _capped(len(self.distributed), len(self.issued)),
            "disclosure_timeliness": ratio(sum(self.disclosures.values()), len(self.disclosures)),
            "objection_timeliness": ratio(sum(self.objections.values()), len(self.objections)),
            "voucher_return_rate": ratio(sum(self.vouchers.values()), len(self.vouchers)),
            **self._survey(),
        }

    def _survey(self) -> dict[str, Decimal | None]:
        people = sum(r for r, *_ in self.surveys.values())
        out: dict[str, Decimal | None] = {}
        for i, name in enumerate(("awareness", "support", "participation"), start=1):
            if not people:
                out[name] = None
                continue
            weighted = sum((dec(s[i]) * s[0] for s in self.surveys.values()), Decimal(0))
            out[name] = weighted / people
        return out


def _capped(part: int, whole: int) -> Decimal | None:
    value = ratio(part, whole)
    return None if value is None else min(value, Decimal(1))


def _rated(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.ratings[key] = int(v["rating"])


def _reopened(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.reopened.add(key)


def _round(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.rounds[key] = (int(v["households_total"]), int(v["households_visited"]))


def _contact(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.contacts.add(key)


def _overdue(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.overdue.add(key)


def _issued(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.issued.add(key)


def _distributed(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.distributed.add(key)


def _survey(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.surveys[key] = (
        int(v["respondents"]),
        str(v["awareness"]),
        str(v["support"]),
        str(v["participation"]),
    )


def _disclosed(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.disclosures[key] = not v["late"]


def _undisclosed(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.disclosures[key] = False  # overdue: on time it can no longer be


def _answered(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.objections[key] = bool(v["on_time"]) and t.objections.get(key, True)


def _unanswered(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.objections[key] = False


def _voucher_posted(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.vouchers[key] = t.vouchers.get(key, False) or int(v["returns"]) > 0


def _voucher_returned(t: Tally, key: str, v: dict[str, Any]) -> None:
    t.vouchers[key] = True


_ADDERS = {
    "voucher.posted": _voucher_posted,
    "voucher.returned": _voucher_returned,
    "objection.answered": _answered,
    "objection.overdue": _unanswered,
    "disclosure.published": _disclosed,
    "disclosure.overdue": _undisclosed,
    "case.rated": _rated,
    "case.reopened": _reopened,
    "round.closed": _round,
    "party_contact.logged": _contact,
    "party_contact.overdue": _overdue,
    "card.issued": _issued,
    "card.distributed": _distributed,
    "survey.results_published": _survey,
}
FACT_KINDS = frozenset(_ADDERS) | {
    "case.opened",
    "case.resolved",
    "case.chased",
    "case.reprimanded",
}


def fold(facts: Iterable[tuple[str, str | None, str, str, dict[str, Any]]]) -> dict[str, Tally]:
    """Tallies by subject from ``(community_id, team_id, kind, key, values)`` facts: a fact
    counts for its community and, when it names one, its team."""
    tallies: dict[str, Tally] = {}
    for community_id, team_id, kind, key, values in facts:
        for subject in (community_id, team_id):
            if subject:
                tally = tallies.get(subject)
                if tally is None:
                    tally = tallies[subject] = Tally()
                tally.add(kind, key, values)
    return tallies
