"""Assessment read-model tables (SQLAlchemy Core, own MetaData, prefixed ``asm_``)."""

from __future__ import annotations

from shequ.readmodel import day, fen, flag, key, number, position, ref, table, text
from sqlalchemy import Index, MetaData

metadata = MetaData()

# One row per recorded fact; month..year are the starts of the periods it counts in.
facts = table(
    "asm_facts",
    metadata,
    (key("id"), position("position"), text("source", 80), text("kind", 40)),
    (ref("community_id"), ref("team_id"), day("on"), text("key", 200), text("fact_values")),
    (day("month"), day("quarter"), day("half"), day("year"), text("late")),
)
Index("asm_facts_month", facts.c.month)
Index("asm_facts_quarter", facts.c.quarter)
Index("asm_facts_half", facts.c.half)
Index("asm_facts_year", facts.c.year)
subjects = table(
    "asm_subjects",
    metadata,
    (key("subject_id"), text("subject_kind", 20), text("name", 100), ref("community_id")),
    position("position"),
)
schemes = table(
    "asm_schemes",
    metadata,
    (key("id"), text("subject_kind", 20), text("name", 100), text("versions")),
)
periods = table(
    "asm_periods",
    metadata,
    (key("id"), text("kind", 10), day("start"), day("end"), text("status", 10)),
    (number("revision"), position("as_of"), number("scored_version"), text("versions")),
    number("after_end", default=0),
)
results = table(
    "asm_results",
    metadata,
    (key("period_id"), key("subject_id"), text("subject_kind", 20), text("name", 100)),
    (number("rank"), text("total", 12), text("base", 12), text("bonus", 12)),
    (text("deduction", 12), text("detail")),
)
scores = table(
    "asm_scores",
    metadata,
    (key("period_id"), key("subject_id"), text("item", 40, primary_key=True)),
    (text("subject_kind", 20), text("score", 12), text("reason"), text("actor_id", 100)),
)
pledges = table(
    "asm_pledges",
    metadata,
    (key("id"), ref("member_id"), text("member_name", 50), ref("community_id")),
    (number("year"), text("pledges"), day("published_on"), text("score", 12)),
    (text("grade", 30), flag("appraised", default=False)),
)
rewards = table(
    "asm_rewards",
    metadata,
    (key("id"), ref("community_id"), fen("amount_fen"), text("reason")),
    (ref("period_id"), day("granted_on")),
)
exemplars = table(
    "asm_exemplars",
    metadata,
    (key("id"), ref("community_id"), number("year"), text("reason"), day("designated_on")),
)
