"""Helpers for the registry tests (kept out of conftest so test modules can import them)."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from registry.application import Registry
from registry.seed import sample_id_number, sample_phone
from registry.usecases import USE_CASES
from shequ.actor import SYSTEM
from shequ.store import Store


def open_registry(store: Store, *args: Any) -> Any:
    """The application as its callers see it: its use cases through the table
    (``USE_CASES.bind``, the same model and role checks as RPC), its machinery as is."""
    return USE_CASES.bind(Registry(store, *args))


def close_registry(app: Any) -> None:
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
            name=f"测示{n % 100}",
            gender="male" if male else "female",
            id_number=sample_id_number(n, male),
            phone=sample_phone(n),
            village_id=village_id,
            kinds=kinds or ["resident"],
            sample=True,
        )["person_id"]
    )
