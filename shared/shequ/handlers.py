"""Use-case handlers declared by what they decide: ``decides(scope)`` over a decision that
returns the aggregates to save and the result, ``changes(load, scope, check)`` over an act on
one aggregate (``DomainApplication.run`` and ``change``); ``create`` makes a new aggregate
from the command's fields. The handler they make is the plain
``(command, actor, application)`` of a use-case table (``shequ.usecases``), under the name and
documentation of the function decorated."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from shequ.actor import Actor
from shequ.app import DomainApplication, Outcome
from shequ.auth import Target
from shequ.commands import Keyed

A = TypeVar("A", bound=Aggregate)
Scope = Callable[[Any, Any], Target]  # (command, application) -> the scope it acts on
Handler = Callable[[Any, Actor, Any], Any]  # (command, actor, application) -> result


def decides(scope: Scope) -> Callable[[Callable[[Any, Actor, Any], Outcome]], Handler]:
    """A use case's handler from its decision: ``scope(cmd, app)`` says what it acts on (it
    may load, refusing what does not exist), then, authorised, the decorated
    ``decide(cmd, actor, app)`` returns the aggregates to save and the result, once per
    idempotency key (the record keeps the command's payload). The handler takes the decision's
    name and documentation."""

    def handler_of(decide: Callable[[Any, Actor, Any], Outcome]) -> Handler:
        def handler(cmd: Keyed, actor: Actor, app: DomainApplication) -> Any:
            target = scope(cmd, app)
            return app.run(
                decide.__name__,
                cmd.idempotency_key,
                actor,
                target,
                cmd.payload(),
                lambda: decide(cmd, actor, app),
            )

        return _named(handler, decide)

    return handler_of


def changes(
    load: Callable[[Any, Any], Aggregate],
    scope: Scope,
    check: Callable[[Any, Any], object] | None = None,
) -> Callable[[Callable[[Any, Actor, Any, Any], dict[str, Any]]], Handler]:
    """A use case's handler from what it asks of one aggregate (``DomainApplication.change``):
    ``scope(cmd, app)`` says what it acts on, then, authorised, ``check(cmd, app)`` refuses
    what else does not exist, ``load(cmd, app)`` loads the aggregate, and the decorated
    ``act(cmd, actor, app, aggregate)`` asks it to decide and says the result; saved once per
    idempotency key. The handler takes the act's name and documentation."""

    def handler_of(act: Callable[[Any, Actor, Any, Any], dict[str, Any]]) -> Handler:
        def handler(cmd: Keyed, actor: Actor, app: DomainApplication) -> Any:
            def loaded() -> Aggregate:
                if check is not None:
                    check(cmd, app)
                return load(cmd, app)

            def acted(aggregate: Aggregate) -> dict[str, Any]:
                return act(cmd, actor, app, aggregate)

            return app.change(act.__name__, cmd, actor, scope(cmd, app), loaded, acted)

        return _named(handler, act)

    return handler_of


def create(cls: type[A], aggregate_id: UUID, cmd: Any, actor: Actor, **values: Any) -> A:
    """A new aggregate under the id the application decided: its first event records
    ``values``, the command's fields of the same names for its other fields, and the actor.
    Example: ``create(Household, household_id, cmd, actor, since=cmd.since or app.today())``."""
    fields = [f for f in inspect.signature(cls.__init__).parameters if f not in ("self", "actor")]
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"{cls.__name__} records no {sorted(unknown)}")
    recorded = {f: values[f] if f in values else getattr(cmd, f) for f in fields}
    # eventsourcing takes the explicit id at runtime; mypy sees only the @event __init__'s
    # parameters.
    return cls(id=aggregate_id, **recorded, actor=actor.to_dict())  # type: ignore[call-arg]


def _named(handler: Handler, after: Callable[..., Any]) -> Handler:
    """The handler under the name and documentation of what it was made from (the table
    names use cases by their handlers), keeping its own signature (command, actor, app)."""
    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(handler, attr, getattr(after, attr))
    return handler
