"""Assessment read-model tables (SQLAlchemy Core, own MetaData, prefixed ``asm_``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

ID = 36  # a UUID as text


def _id(name: str, primary: bool = False) -> Column:
    return Column(name, String(ID), primary_key=primary, nullable=not primary)


def _date(name: str) -> Column:
    return Column(name, String(10))


# One row per recorded fact; month..year are the starts of the periods it counts in.
facts = Table(
    "asm_facts",
    metadata,
    _id("id", True),
    Column("position", BigInteger),
    Column("source", String(80)),
    Column("kind", String(40)),
    _id("community_id"),
    _id("team_id"),
    _date("on"),
    Column("key", String(200)),
    Column("fact_values", Text),
    _date("month"),
    _date("quarter"),
    _date("half"),
    _date("year"),
    Column("late", Text),
)
Index("asm_facts_month", facts.c.month)
Index("asm_facts_quarter", facts.c.quarter)
Index("asm_facts_half", facts.c.half)
Index("asm_facts_year", facts.c.year)
subjects = Table(
    "asm_subjects",
    metadata,
    _id("subject_id", True),
    Column("subject_kind", String(20)),
    Column("name", String(100)),
    _id("community_id"),
    Column("position", BigInteger),
)
schemes = Table(
    "asm_schemes",
    metadata,
    _id("id", True),
    Column("subject_kind", String(20)),
    Column("name", String(100)),
    Column("versions", Text),
)
periods = Table(
    "asm_periods",
    metadata,
    _id("id", True),
    Column("kind", String(10)),
    _date("start"),
    _date("end"),
    Column("status", String(10)),
    Column("revision", Integer),
    Column("as_of", BigInteger),
    Column("scored_version", Integer),
    Column("versions", Text),
    Column("after_end", Integer, default=0),
)
results = Table(
    "asm_results",
    metadata,
    _id("period_id", True),
    _id("subject_id", True),
    Column("subject_kind", String(20)),
    Column("name", String(100)),
    Column("rank", Integer),
    Column("total", String(12)),
    Column("base", String(12)),
    Column("bonus", String(12)),
    Column("deduction", String(12)),
    Column("detail", Text),
)
scores = Table(
    "asm_scores",
    metadata,
    _id("period_id", True),
    _id("subject_id", True),
    Column("item", String(40), primary_key=True),
    Column("subject_kind", String(20)),
    Column("score", String(12)),
    Column("reason", Text),
    Column("actor_id", String(100)),
)
pledges = Table(
    "asm_pledges",
    metadata,
    _id("id", True),
    _id("member_id"),
    Column("member_name", String(50)),
    _id("community_id"),
    Column("year", Integer),
    Column("pledges", Text),
    _date("published_on"),
    Column("score", String(12)),
    Column("grade", String(30)),
    Column("appraised", Boolean, default=False),
)
rewards = Table(
    "asm_rewards",
    metadata,
    _id("id", True),
    _id("community_id"),
    Column("amount_fen", BigInteger),
    Column("reason", Text),
    _id("period_id"),
    _date("granted_on"),
)
exemplars = Table(
    "asm_exemplars",
    metadata,
    _id("id", True),
    _id("community_id"),
    Column("year", Integer),
    Column("reason", Text),
    _date("designated_on"),
)
