"""Casework's read-model tables (SQLAlchemy Core, own MetaData, prefixed ``cw_``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

ID = 36  # a UUID as text


def _id(name: str, primary: bool = False, index: bool = False) -> Column:
    return Column(name, String(ID), primary_key=primary, nullable=not primary, index=index)


def _day(name: str) -> Column:
    return Column(name, String(10), nullable=True)


# What the registry told us (through the inbox), for routing and checks.
communities = Table(
    "cw_communities", metadata, _id("id", True), Column("name", String(50)), _id("team_id")
)
villages = Table(
    "cw_villages", metadata, _id("id", True), _id("community_id"), Column("name", String(50))
)
households = Table("cw_households", metadata, _id("id", True), _id("village_id"), _id("head_id"))
household_members = Table(
    "cw_household_members", metadata, _id("household_id", True), _id("person_id", True)
)
teams = Table(
    "cw_teams",
    metadata,
    _id("id", True),
    _id("community_id", index=True),
    Column("name", String(100)),
    _id("leader_id"),
)
team_members = Table(
    "cw_team_members",
    metadata,
    _id("team_id", True),
    _id("person_id", True),
    Column("group_key", String(20)),
    Column("name", String(50)),
    _day("since"),
)

# Cases, for queues, overdue lists, duplicates and residents' own cases.
cases = Table(
    "cw_cases",
    metadata,
    _id("id", True),
    Column("case_type", String(20)),
    Column("category", String(40)),
    Column("channel", String(20)),
    _id("community_id", index=True),
    _id("village_id"),
    _id("household_id", index=True),
    _id("team_id"),
    Column("work_group", String(20)),
    Column("title", String(200)),
    Column("place", String(200)),
    Column("state", String(20), index=True),
    _id("owner_id", index=True),
    _day("due_on"),
    Column("due_kind", String(10)),
    Column("paused", Boolean, default=False),
    _day("received_on"),
    Column("recorded_at", String(40)),
    _day("resolved_on"),
    Column("on_time", Boolean, nullable=True),
    Column("rating", Integer, nullable=True),
    _day("chased_for"),
    _day("chased_on"),
    _day("reprimanded_for"),
    _day("reopen_until"),
    _id("origin_opinion_id", index=True),
    _id("duplicate_of"),
    _id("merged_into"),
    Column("facts_key", String(64), index=True),
    Column("petitioner", String(100)),
    Column("final", Boolean, default=False),
    Column("reported", Text, default="[]"),
    Column("co_handlers", Text, default="[]"),
    # routing counts the open cases of a work group's members
    Index("ix_cw_cases_owner_state", "owner_id", "state"),
)

# Every event of a case (and of its mediation or decision), for the timeline.
timeline = Table(
    "cw_timeline",
    metadata,
    Column("id", String(80), primary_key=True),
    _id("case_id", index=True),
    Column("at", String(40)),
    Column("kind", String(20)),
    Column("event", String(40)),
    Column("actor", Text),
    Column("details", Text),
)
# What an aggregate's later events are about, as they do not say it themselves: the registry's
# village, household or team behind a directory copy, the case of a mediation or village
# decision (``subject_kind``: village, household, team, mediation, decision). Until issue 11
# the column was ``case_id``; a changed read model is rebuilt from the log (ADR 0014).
procedures = Table(
    "cw_procedures",
    metadata,
    _id("id", True),
    _id("subject_id"),
    Column("subject_kind", String(20)),
    Column("state", String(20)),
)
