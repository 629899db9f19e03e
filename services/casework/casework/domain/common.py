"""What every casework aggregate shares: rule violations, id namespaces, actor records.

Pure: standard library, shequ.errors and shequ.domainkit only.
Dates travel as ISO ``YYYY-MM-DD`` text, decided
by the application (its injectable clock); the domain compares them as text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from shequ.domainkit import Ids, violation

ActorDict = dict[str, Any]


@dataclass(frozen=True)
class Fact:
    """What a transition records beside its decision: the day it happened (checked by the
    application), who states it, and when it was typed in (the service's clock; None where a
    timer decides or in events stored before it was kept)."""

    on: str
    actor: ActorDict
    at: str | None = None


IDS = Ids("casework")
NAMESPACE = IDS.namespace
natural_id = IDS.natural_id
key_id = IDS.key_id


def not_before(day: str, start: str | None, field: str, start_zh: str, start_en: str) -> None:
    """A fact cannot have happened before what it belongs to began (dates as ISO text)."""
    if start is not None and day < start:
        raise violation(
            "date.before_start",
            f"{field} 不能早于{start_zh}（{start}）",
            f"{field} may not be before {start_en} ({start})",
            field,
            earliest=start,
        )


# What ``record`` fills in itself, or takes by name: the rest of an event's fields are its own.
STAMPED = {"originator_id", "originator_version", "timestamp", "on", "actor", "recorded_at", "ctx"}


def record(
    aggregate: Aggregate, dated: type[Aggregate.Event], f: Fact, *own: Any, **context: Any
) -> None:
    """Trigger ``dated`` on ``aggregate`` for the fact ``f`` (its day, who, when it was typed
    in): ``own`` are the event's own fields in the order it declares them, as an ``@event``
    method's parameters are; ``context`` what else it carries by name (a case's ``ctx``)."""
    names = [x.name for x in fields(dated) if x.name not in STAMPED]
    decided = dict(zip(names, own, strict=True))
    aggregate.trigger_event(dated, on=f.on, actor=f.actor, recorded_at=f.at, **decided, **context)


class Procedure(Aggregate):
    """A case's procedure (a mediation, a village decision): at most one of its kind per case,
    its id derived from the case's; once it ends, its case is resolved with its
    ``conclusion()``."""

    kind = ""  # the procedure's name in its id: "mediation", "decision"

    @classmethod
    def create_id(cls, case_id: str) -> UUID:
        return natural_id(cls.kind, case_id)

    def conclusion(self) -> tuple[str, list[str]] | None:
        """(the day it ended, its outcome as a case's evidence), once it has ended."""
        raise NotImplementedError
