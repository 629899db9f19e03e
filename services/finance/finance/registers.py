"""Read models of the village's registers beside the books: counterparties and their opening
balances (F3). The tables share finance's MetaData (``finance.tables``); ``RegistersProjection``
is mixed into ``FinanceProjection``."""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import ID, Upsert
from shequ.readmodel import key, ref, table, text
from sqlalchemy import Index

from finance.tables import metadata


def as_json(name: str) -> Any:
    return lambda e: json.dumps(getattr(e, name), ensure_ascii=False, sort_keys=True)


counterparties = table(
    "fin_counterparties",
    metadata,
    (key("id"), ref("village_id"), text("kind", 20), text("name", 100), ref("person_id")),
    (text("opening"),),
    Index("fin_counterparties_village", "village_id"),
)


class RegistersProjection:
    """Handlers of the registers' events (``shequ.projection.Handlers`` finds them by name)."""

    on_Counterparty__Registered = Upsert(
        counterparties,
        {"id": ID},
        "village_id",
        "kind",
        "name",
        "person_id",
        opening=as_json("opening"),
    )
