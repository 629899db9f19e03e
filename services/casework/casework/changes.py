"""How a use case that changes one case, or its mediation or village decision, is declared.

Most of casework's use cases have one shape: check the day the fact happened (a date field of
the command, default today), load the case, guard and authorise on its scope, let the
aggregate decide, save once per idempotency key (``CaseworkBase.change_case`` and
``change_procedure``). What differs is the command and what the aggregate is asked, so a use
case is its command model (a ``CaseCommand``) and a plain ``act(app, cmd, aggregate, fact)``
under ``changes_case``, ``changes_mediation`` or ``changes_decision``: the decorator makes it
the use case's handler ``(cmd, actor, app)``, named and documented as ``act`` is."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from shequ.actor import Actor
from shequ.commands import Id, Keyed

from casework.domain.common import Fact

Handler = Callable[[Any, Actor, Any], dict[str, Any]]
Act = Callable[[Any, Any, Any, "Fact"], None]


class CaseCommand(Keyed):
    """A command on one case (its mediation or decision are reached through it)."""

    case_id: Id


def case_example(key: str, case_id: str, **fields: Any) -> dict[str, Any]:
    """A command's example: its idempotency key (``KEY-2026-0001``), the example case it acts
    on and its own fields."""
    return {"idempotency_key": f"{key}-2026-0001", "case_id": case_id, **fields}


def _declare(load: str | None, dated: str | None) -> Callable[[Act], Handler]:
    def declare(act: Act) -> Handler:
        def handler(cmd: Any, actor: Actor, app: Any) -> dict[str, Any]:
            fact = app.fact(actor, cmd, dated)  # a refused date before anything is loaded

            def decide(aggregate: Any) -> None:
                act(app, cmd, aggregate, fact)

            name = handler.__name__
            if load is None:
                return app.change_case(name, cmd, actor, decide)  # type: ignore[no-any-return]
            return app.change_procedure(  # type: ignore[no-any-return]
                name, cmd, actor, getattr(app, load), decide
            )

        assigned = ("__module__", "__name__", "__qualname__", "__doc__")
        return functools.update_wrapper(handler, act, assigned=assigned, updated=())

    return declare


def changes_case(dated: str | None = None) -> Callable[[Act], Handler]:
    """``act(app, cmd, case, fact)`` as the handler of a use case changing the command's
    case; ``dated`` names the command's field holding the day it happened (default today)."""
    return _declare(None, dated)


def changes_mediation(dated: str | None = None) -> Callable[[Act], Handler]:
    """``act(app, cmd, mediation, fact)`` as the handler of a use case changing the mediation
    of the command's case; when the mediation ends, its case moves on in the same save."""
    return _declare("mediation", dated)


def changes_decision(dated: str | None = None) -> Callable[[Act], Handler]:
    """``act(app, cmd, decision, fact)`` as the handler of a use case changing the village
    decision of the command's case; when the decision ends, its case moves on with it."""
    return _declare("decision", dated)
