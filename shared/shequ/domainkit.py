"""What every service's domain package shares: ids from natural keys, rule violations, the
district's time zone and the work groups of a community service team.

Imports only the standard library and :mod:`shequ.errors`, so the domain packages may use it
(their fence: the standard library, ``eventsourcing.domain``, ``shequ.errors`` and this module).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from shequ.errors import RuleViolation

T = TypeVar("T")
A = TypeVar("A")
P = ParamSpec("P")

# A rule as an aggregate refuses by it: (code, 中文, English), e.g. ("not_a_member", …).
Refusal = tuple[str, str, str]

# Who did something, as every event records it (``shequ.actor.Actor.to_dict()``).
ActorDict = dict[str, Any]

# Where the district is: dates of record are its civil dates (the one declaration of it).
LOCAL = ZoneInfo("Asia/Shanghai")

# The six work groups of every community service team (社区服务队), as the policy names them:
# key -> (中文, English). Registry forms teams with them, outreach prints them on contact cards.
TEAM_GROUPS = {
    "mediation": ("民事调解组", "civil mediation"),
    "sanitation": ("环境卫生组", "environment and sanitation"),
    "welfare": ("公益事业组", "public welfare"),
    "services": ("服务组", "convenience services"),
    "finance": ("农村财务管理组", "rural finance management"),
    "volunteers": ("党员志愿组", "party-member volunteers"),
}


class Ids:
    """One service's ids: stable under retries and under registering the same thing twice.

    ``Ids("registry").natural_id("district")`` is ``uuid5(uuid5(NAMESPACE_URL,
    "shequ:registry"), "district")``: every id already stored stays what it was."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.namespace = uuid5(NAMESPACE_URL, f"shequ:{service}")

    def natural_id(self, *parts: str) -> UUID:
        """A stable id from a natural key, so that recording the same thing twice finds it."""
        return uuid5(self.namespace, ":".join(parts))

    def key_id(self, kind: str, idempotency_key: str) -> UUID:
        """An id for something with no natural key, stable under retries of the same command."""
        return uuid5(self.namespace, f"{kind}:key:{idempotency_key}")

    def keyed_by(self, kind: str, *fields: str) -> staticmethod[..., UUID]:
        """An aggregate's ``create_id``, declared by its natural key: ``kind`` and the fields
        of its first event that name it, in order. ``create_id = IDS.keyed_by("plan",
        "village_id", "year")`` gives ``natural_id("plan", village_id, str(year))``; it takes
        them by name or in order, and eventsourcing reads their names from its signature
        to pick them from the first event's arguments."""
        signature = inspect.Signature(
            [inspect.Parameter(f, inspect.Parameter.POSITIONAL_OR_KEYWORD) for f in fields]
        )

        def create_id(*args: Any, **kwargs: Any) -> UUID:
            named = signature.bind(*args, **kwargs).arguments
            return self.natural_id(kind, *(str(named[f]) for f in fields))

        create_id.__signature__ = signature  # type: ignore[attr-defined]
        return staticmethod(create_id)


def violation(
    code: str, zh: str, en: str, field: str | None = None, **details: Any
) -> RuleViolation:
    """A RuleViolation whose code names the rule (``rule.<code>``, e.g.
    ``rule.secretary_not_district_leader``); ``details`` travel with it (e.g. ``earliest=``)."""
    return RuleViolation(zh, en, field, code=f"rule.{code}", details=details or None)


# (code, English with {start} and {end}) of the refusal of an end before its start
END_BEFORE_START = ("end_before_start", "the end date {end} is before the start date {start}")


def checks(
    record: Callable[Concatenate[A, P], None],
) -> Callable[[Callable[..., None]], Callable[Concatenate[A, P], None]]:
    """A command that records exactly its arguments, written once: the decorated method holds
    the rules and names only the arguments they read; the command it becomes takes the
    arguments of ``record`` (an ``@event`` method), checks, then records. The checks run when
    the command is given, never when the event is replayed (decide outside, record inside)::

        @event("EntryRecorded")
        def _entry_recorded(self, entry_id: str, title: str, actor: ActorDict) -> None: ...

        @checks(_entry_recorded)
        def record_entry(self, entry_id: str) -> None:
            if entry_id in self.entries:
                raise violation("entry_exists", ...)
    """
    # eventsourcing's @event keeps the function it decorates as ``decorated_func``
    signature = inspect.signature(getattr(record, "decorated_func", record))

    def command_of(check: Callable[..., None]) -> Callable[Concatenate[A, P], None]:
        reads = list(inspect.signature(check).parameters)[1:]

        def command(aggregate: A, /, *args: P.args, **kwargs: P.kwargs) -> None:
            given = signature.bind(aggregate, *args, **kwargs).arguments
            check(aggregate, **{name: given[name] for name in reads})
            record.__get__(aggregate, type(aggregate))(*args, **kwargs)  # type: ignore[attr-defined]

        command.__name__, command.__qualname__ = check.__name__, check.__qualname__
        command.__doc__, command.__module__ = check.__doc__, check.__module__
        return command

    return command_of


def found(records: Mapping[str, T], key: str, field: str, refusal: Refusal) -> T:
    """``records[key]``, or ``refusal`` (a RuleViolation naming ``field``) if there is none."""
    record = records.get(key)
    if record is None:
        raise violation(*refusal, field)
    return record


def check_end(
    start: str, end: str, field: str = "until", rule: tuple[str, str] = END_BEFORE_START
) -> None:
    """An end date may not come before the start it ends (ISO dates compare as text)."""
    if end < start:
        code, en = rule
        zh = f"结束日期（{end}）早于开始日期（{start}）"
        raise violation(code, zh, en.format(start=start, end=end), field)
