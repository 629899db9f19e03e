"""Helpers for the registry tests (kept out of conftest so test modules can import them)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from registry.application import Registry
from registry.seed import sample_person
from registry.usecases import USE_CASES
from shequ.actor import SYSTEM
from shequ.store import Store


@contextmanager
def opened_registry(store: Store, *args: Any) -> Iterator[Any]:
    """The application as its callers see it: its use cases through the table
    (``USE_CASES.bind``, the same model and role checks as RPC), its machinery as is; closed
    (its read model's connections too) when the block ends."""
    app = USE_CASES.bind(Registry(store, *args))
    try:
        yield app
    finally:
        if app._projector is not None:
            app._projector.engine.dispose()
        app.close()


_numbers = itertools.count(5000)


def new_person(
    app: Registry, village_id: str | None, kinds: list[str] | None = None, male: bool = True
) -> str:
    """Register an invented person (with SYSTEM) and return their id."""
    n = next(_numbers)
    return str(
        app.register_person(
            SYSTEM,
            f"test:person:{n}:{uuid.uuid4().hex[:6]}",
            village_id=village_id,
            kinds=kinds or ["resident"],
            **sample_person(n, f"测示{n % 100}", male),
        )["person_id"]
    )
