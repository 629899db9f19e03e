"""Outreach's read-model tables (SQLAlchemy Core, own MetaData, prefixed ``out_``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

ID = 36  # a UUID as text


def _id(name: str, primary: bool = False) -> Column:
    return Column(name, String(ID), primary_key=primary, nullable=not primary)


def _day(name: str) -> Column:
    return Column(name, String(10))


# ``agg``: the id of the outreach aggregate that mirrors the registry record ``id``.
communities = Table(
    "out_communities",
    metadata,
    _id("id", True),
    _id("agg"),
    Column("name", String(50)),
    _id("team_id"),
    Column("section_hash", String(64), default=""),
    Index("out_communities_agg", "agg"),
)
villages = Table(
    "out_villages",
    metadata,
    _id("id", True),
    _id("agg"),
    _id("community_id"),
    Column("name", String(50)),
    _day("moved_on"),
    Index("out_villages_agg", "agg"),
)
persons = Table(
    "out_persons",
    metadata,
    _id("id", True),
    _id("agg"),
    Column("name", String(50)),
    Column("phone", String(20)),
    Column("party_member", Boolean, default=False),
    Index("out_persons_agg", "agg"),
)
households = Table(
    "out_households",
    metadata,
    _id("id", True),
    _id("agg"),
    _id("village_id"),
    _id("community_id"),
    _id("head_id"),
    Column("address", String(200)),
    _id("party_member_id"),
    _day("link_since"),
    Column("card_version", Integer, default=0),
    Column("section_hash", String(64), default=""),
    Index("out_households_agg", "agg"),
    Index("out_households_community", "community_id"),
    Index("out_households_member", "party_member_id"),
    Index("out_households_village", "village_id"),
)
card_versions = Table(
    "out_card_versions",
    metadata,
    _id("household_id", True),
    Column("version", Integer, primary_key=True),
    _id("card_id"),
    _id("community_id"),
    _id("village_id"),
    Column("contacts", Text),
    Column("content_hash", String(64)),
    _day("issued_on"),
    Column("reason", String(200)),
)
distributions = Table(
    "out_distributions",
    metadata,
    _id("household_id", True),
    Column("version", Integer, primary_key=True),
    _day("distributed_on"),
    Column("delivered_by", String(80)),
    Column("acknowledged_by", String(80)),
)
rounds = Table(
    "out_rounds",
    metadata,
    _id("id", True),
    _id("community_id"),
    Column("title", String(100)),
    Column("kind", String(10)),
    _day("period_start"),
    _day("period_end"),
    Column("assignees", Text),
    Column("closed", Boolean),
    Column("households_total", Integer),
    Column("households_visited", Integer),
)
round_households = Table(
    "out_round_households",
    metadata,
    _id("round_id", True),
    _id("household_id", True),
    _id("village_id"),
)
visits = Table(
    "out_visits",
    metadata,
    _id("id", True),
    _id("round_id"),
    _id("community_id"),
    _id("village_id"),
    _id("household_id"),
    Column("visitor_id", String(80)),
    _day("visited_on"),
    Column("notes", Text),
    Index("out_visits_round", "round_id"),
    Index("out_visits_community", "community_id", "visited_on"),
)
opinions = Table(
    "out_opinions",
    metadata,
    _id("id", True),
    _id("community_id"),
    _id("village_id"),
    _id("household_id"),
    Column("category", String(20)),
    Column("text", Text),
    Column("channel", String(20)),
    _id("source_id"),
    Column("collected_by", String(80)),
    _day("collected_on"),
    _id("case_id"),
    Index("out_opinions_source", "source_id"),
)
contacts = Table(
    "out_contacts",
    metadata,
    _id("id", True),
    _id("member_id"),
    _id("household_id"),
    _id("community_id"),
    _day("contacted_on"),
    Column("practical_task", Boolean),
    Column("task", String(200)),
    Index("out_contacts_household", "household_id", "contacted_on"),
)
overdue = Table(
    "out_overdue",
    metadata,
    _id("id", True),
    _id("member_id"),
    _id("household_id"),
    _id("community_id"),
    _day("last_contact_on"),
    _day("due_on"),
    _day("flagged_on"),
)
campaigns = Table(
    "out_campaigns",
    metadata,
    _id("id", True),
    _id("community_id"),
    Column("topic", String(100)),
    Column("village_ids", Text),
    _day("period_start"),
    _day("period_end"),
)
survey_results = Table(
    "out_survey_results",
    metadata,
    _id("campaign_id", True),
    _id("village_id", True),
    Column("respondents", Integer),
    Column("aware", Integer),
    Column("support", Integer),
    Column("participate", Integer),
    _day("published_on"),
)
