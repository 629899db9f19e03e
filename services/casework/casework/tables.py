"""Casework's read-model tables (SQLAlchemy Core, own MetaData, prefixed ``cw_``)."""

from __future__ import annotations

from shequ.readmodel import day, flag, key, number, ref, table, text
from sqlalchemy import ColumnElement, Index, MetaData, and_

from casework.domain.vocabulary import OPEN

metadata = MetaData()

# What the registry told us (through the inbox), for routing and checks.
communities = table("cw_communities", metadata, (key("id"), text("name", 50), ref("team_id")))
villages = table("cw_villages", metadata, (key("id"), ref("community_id"), text("name", 50)))
households = table("cw_households", metadata, (key("id"), ref("village_id"), ref("head_id")))
household_members = table("cw_household_members", metadata, (key("household_id"), key("person_id")))
teams = table(
    "cw_teams",
    metadata,
    (key("id"), ref("community_id", index=True), text("name", 100), ref("leader_id")),
)
team_members = table(
    "cw_team_members",
    metadata,
    (key("team_id"), key("person_id"), text("group_key", 20), text("name", 50), day("since")),
)

# Cases, for queues, overdue lists, duplicates and residents' own cases.
cases = table(
    "cw_cases",
    metadata,
    (key("id"), text("case_type", 20), text("category", 40), text("channel", 20)),
    (ref("community_id", index=True), ref("village_id"), ref("household_id", index=True)),
    (ref("team_id"), text("work_group", 20), text("title", 200), text("place", 200)),
    (text("state", 20, index=True), ref("owner_id", index=True)),
    (day("due_on"), text("due_kind", 10), flag("paused", default=False)),
    (day("received_on"), text("recorded_at", 40), day("resolved_on")),
    (flag("on_time", nullable=True), number("rating", nullable=True)),
    (day("chased_for"), day("chased_on"), day("reprimanded_for"), day("reopen_until")),
    (ref("origin_opinion_id", index=True), ref("duplicate_of"), ref("merged_into")),
    (text("facts_key", 64, index=True), text("petitioner", 100), flag("final", default=False)),
    (text("reported", default="[]"), text("co_handlers", default="[]")),
    # the description, only when the resident agreed to publish it (public_cases)
    text("public_description"),
    # routing counts the open cases of a work group's members
    Index("ix_cw_cases_owner_state", "owner_id", "state"),
)

# Every event of a case (and of its mediation or decision), for the timeline.
timeline = table(
    "cw_timeline",
    metadata,
    (text("id", 80, primary_key=True), ref("case_id", index=True), text("at", 40)),
    (text("kind", 20), text("event", 40), text("actor"), text("details")),
)
# What an aggregate's later events are about, as they do not say it themselves: the registry's
# village, household or team behind a directory copy, the case of a mediation or village
# decision (``subject_kind``: village, household, team, mediation, decision). Until issue 11
# the column was ``case_id``; a changed read model is rebuilt from the log (ADR 0014).
procedures = table(
    "cw_procedures",
    metadata,
    (key("id"), ref("subject_id"), text("subject_kind", 20), text("state", 20)),
)


def overdue_on(day: str) -> ColumnElement[bool]:
    """Cases overdue on ``day``: open, not paused, with a due date before it."""
    cs = cases
    return and_(
        cs.c.state.in_(OPEN), cs.c.paused.is_(False), cs.c.due_on.is_not(None), cs.c.due_on < day
    )
