"""The column kinds of the services' read-model tables (SQLAlchemy Core).

A table is its name, its ``MetaData`` and rows of columns, each column named with its kind::

    villages = table(
        "reg_villages",
        metadata,
        (key("id"), text("name", 50), ref("community_id"), day("since"), flag("sample")),
    )

The kinds make the same DDL the long-hand ``Column`` declarations made, so a service that
moves its tables to them keeps its read-model fingerprint (ADR 0014).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Integer, MetaData, String, Table
from sqlalchemy import Text as LongText
from sqlalchemy.schema import SchemaItem

ID = 36  # a UUID as text
DAY = 10  # an ISO date, YYYY-MM-DD


def key(name: str) -> Column[Any]:
    """An id that is (part of) the primary key."""
    return Column(name, String(ID), primary_key=True, nullable=False)


def ref(name: str, index: bool | None = None) -> Column[Any]:
    """An id of another record; may be empty."""
    return Column(name, String(ID), nullable=True, index=index)


def day(name: str) -> Column[Any]:
    """A calendar day as ISO text; may be empty."""
    return Column(name, String(DAY))


def text(name: str, length: int | None = None, **options: Any) -> Column[Any]:
    """Text of at most ``length`` characters, or of any length without one."""
    return Column(name, String(length) if length else LongText, **options)


def flag(name: str, **options: Any) -> Column[Any]:
    """A yes/no."""
    return Column(name, Boolean, **options)


def number(name: str, **options: Any) -> Column[Any]:
    """A whole number (a count, a version, a year)."""
    return Column(name, Integer, **options)


def position(name: str) -> Column[Any]:
    """A position in a notification log (it may outgrow 32 bits)."""
    return Column(name, BigInteger)


def fen(name: str) -> Column[Any]:
    """An amount of money in fen (分), a whole number that may outgrow 32 bits."""
    return Column(name, BigInteger)


Part = SchemaItem | tuple[SchemaItem, ...]


def table(name: str, metadata: MetaData, *rows: Part) -> Table:
    """A ``Table`` of the columns (and indexes) in ``rows``, in order; a row is one item or
    a tuple of them, so related columns read on one line."""
    items: list[SchemaItem] = []
    for row in rows:
        items.extend(row if isinstance(row, tuple) else (row,))
    return Table(name, metadata, *items)
