"""Recomputing a period from the event log, to check what was published.

The facts and subjects are folded again from the stored events (not the read model) up to the
position the scoring recorded (``as_of``); the committee's scores and the scheme versions are
the period's own as they stood when it was scored. The engine is the same pure code, so an
honest log gives exactly the published results; anything else is reported as a difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shequ.app import ServiceApplication
from shequ.errors import NotFound
from sqlalchemy import select

from assessment import tables as t
from assessment.assess import Subjects, assess
from assessment.domain import Fact, Period, Scheme, Subject
from assessment.domain.common import PERIOD_KINDS, period_start
from assessment.domain.tally import Tally

FACT_TOPIC = "assessment:Fact.Recorded"
SUBJECT_TOPIC = "assessment:Subject.Registered"
PAGE = 2000


def iter_events(
    app: ServiceApplication, topics: list[str], stop: int | None
) -> Iterator[tuple[int, Any]]:
    """(position, domain event) of the given topics, in log order, up to ``stop``."""
    start = 0
    while True:
        notes = app.recorder.select_notifications(
            start, PAGE, stop=stop, topics=topics, inclusive_of_start=False
        )
        if not notes:
            return
        for note in notes:
            yield note.id, app.mapper.to_domain_event(note)
        start = notes[-1].id


class LogFold:
    """Tallies of one period folded from fact events (``add``), subjects alongside."""

    def __init__(self, kind: str, start: str) -> None:
        if kind not in PERIOD_KINDS:
            raise ValueError(kind)
        self.kind, self.start = kind, start
        self.tallies: dict[str, Tally] = {}
        self.subjects: Subjects = []
        self.events = 0

    def add(self, event: Any) -> None:
        self.events += 1
        if isinstance(event, Subject.Registered):  # type: ignore[attr-defined]
            self.subjects.append((event.subject_kind, event.subject_id, event.name))
            return
        counted = event.moved.get(self.kind) or period_start(self.kind, event.on)
        if counted != self.start:
            return
        for subject in (event.community_id, event.team_id):
            if subject:
                tally = self.tallies.get(subject)
                if tally is None:
                    tally = self.tallies[subject] = Tally()
                tally.add(event.kind, event.key, event.values)


def fold_log(app: ServiceApplication, kind: str, start: str, as_of: int) -> LogFold:
    fold = LogFold(kind, start)
    for _position, event in iter_events(app, [FACT_TOPIC, SUBJECT_TOPIC], as_of):
        fold.add(event)
    fold.subjects.sort(key=lambda s: s[1])
    return fold


def as_scored(app: Any, period_id: Any) -> Period | None:
    """The period as it stood when last scored (None if never scored). The read model keeps
    the version of the last ``Scored`` event; the state is rebuilt from the events up to it."""
    with app.read() as conn:
        version = conn.execute(
            select(t.periods.c.scored_version).where(t.periods.c.id == str(period_id))
        ).scalar()
    return None if not version else app.repository.get(period_id, version=version)


def recompute(app: Any, kind: str, start: str) -> dict[str, Any]:
    """Published vs recomputed results of the last scoring of a period."""
    period = as_scored(app, Period.create_id(kind, start))
    if period is None:
        raise NotFound("该考核周期尚未评分", "the period has not been scored", "period_start")
    schemes: dict[str, Scheme | None] = {k: app.find(Scheme.create_id(k)) for k in period.versions}
    fold = fold_log(app, kind, start, period.as_of)
    again = assess(
        period, period.versions, schemes, fold.subjects, fold.tallies, app.settings.no_data
    )
    return {
        "period_id": str(period.id),
        "revision": period.revision,
        "as_of": period.as_of,
        "events_read": fold.events,
        "matches": again == period.results,
        "differences": _differences(period.results, again),
    }


def _differences(
    published: dict[str, list[dict[str, Any]]], again: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    out = []
    for kind in sorted(set(published) | set(again)):
        before = {r["subject_id"]: r for r in published.get(kind, [])}
        after = {r["subject_id"]: r for r in again.get(kind, [])}
        for sid in sorted(set(before) | set(after)):
            if before.get(sid) != after.get(sid):
                out.append(
                    {
                        "subject_kind": kind,
                        "subject_id": sid,
                        "published": (before.get(sid) or {}).get("total"),
                        "recomputed": (after.get(sid) or {}).get("total"),
                    }
                )
    return out


__all__ = ["Fact", "LogFold", "fold_log", "iter_events", "recompute"]
