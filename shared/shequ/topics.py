"""Stable topic names for stored events.

eventsourcing stores ``module:Class`` as each event's topic; moving a class would then break an
auditor's replay of old logs. Every service pins its aggregates and their events to names
of the form ``<service>:<Aggregate>.<Event>`` instead (ADR 0002).
"""

from __future__ import annotations

from collections.abc import Mapping

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import register_topic


def pin_topics(
    namespace: str, *aggregate_classes: type, former: Mapping[str, type] | None = None
) -> None:
    """Pin each aggregate and its nested events to ``<namespace>:<Aggregate>[.<Event>]``.

    ``former`` names topics events were stored under before a class was merged or renamed
    (``{"CaseOutcome.Resolved": Case.Resolved}``): they still load, as the class that holds
    them now (eventsourcing's ``register_topic``), while new events take the pinned topic."""
    for name, cls in (former or {}).items():
        register_topic(f"{namespace}:{name}", cls)
    for agg in aggregate_classes:
        _pin(f"{namespace}:{agg.__name__}", agg)
        for attr in list(vars(agg).values()):
            if isinstance(attr, type) and issubclass(attr, CanMutateAggregate):
                _pin(f"{namespace}:{agg.__name__}.{attr.__name__}", attr)


def _pin(topic: str, cls: type) -> None:
    cls.TOPIC = topic  # type: ignore[attr-defined]  # read by eventsourcing.utils.construct_topic
    register_topic(topic, cls)
