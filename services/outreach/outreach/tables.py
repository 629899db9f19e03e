"""Outreach's read-model tables (SQLAlchemy Core, own MetaData, prefixed ``out_``)."""

from __future__ import annotations

from shequ.readmodel import day, flag, key, number, ref, table, text
from sqlalchemy import Index, MetaData

metadata = MetaData()

# ``agg``: the id of the outreach aggregate that mirrors the registry record ``id``.
communities = table(
    "out_communities",
    metadata,
    (key("id"), ref("agg"), text("name", 50), ref("team_id"), text("section_hash", 64, default="")),
    Index("out_communities_agg", "agg"),
)
villages = table(
    "out_villages",
    metadata,
    (key("id"), ref("agg"), ref("community_id"), text("name", 50), day("moved_on")),
    Index("out_villages_agg", "agg"),
)
persons = table(
    "out_persons",
    metadata,
    (
        key("id"),
        ref("agg"),
        text("name", 50),
        text("phone", 20),
        flag("party_member", default=False),
    ),
    Index("out_persons_agg", "agg"),
)
households = table(
    "out_households",
    metadata,
    (key("id"), ref("agg"), ref("village_id"), ref("community_id"), ref("head_id")),
    (text("address", 200), ref("party_member_id"), day("link_since")),
    (number("card_version", default=0), text("section_hash", 64, default="")),
    Index("out_households_agg", "agg"),
    Index("out_households_community", "community_id"),
    Index("out_households_member", "party_member_id"),
    Index("out_households_village", "village_id"),
)
card_versions = table(
    "out_card_versions",
    metadata,
    (key("household_id"), number("version", primary_key=True), ref("card_id")),
    (ref("community_id"), ref("village_id"), text("contacts"), text("content_hash", 64)),
    (day("issued_on"), text("reason", 200)),
)
distributions = table(
    "out_distributions",
    metadata,
    (key("household_id"), number("version", primary_key=True), day("distributed_on")),
    (text("delivered_by", 80), text("acknowledged_by", 80)),
)
rounds = table(
    "out_rounds",
    metadata,
    (key("id"), ref("community_id"), text("title", 100), text("kind", 10)),
    (day("period_start"), day("period_end"), text("assignees"), flag("closed")),
    (number("households_total"), number("households_visited")),
)
round_households = table(
    "out_round_households",
    metadata,
    (key("round_id"), key("household_id"), ref("village_id")),
)
visits = table(
    "out_visits",
    metadata,
    (key("id"), ref("round_id"), ref("community_id"), ref("village_id"), ref("household_id")),
    (text("visitor_id", 80), day("visited_on"), text("notes")),
    Index("out_visits_round", "round_id"),
    Index("out_visits_community", "community_id", "visited_on"),
)
opinions = table(
    "out_opinions",
    metadata,
    (key("id"), ref("community_id"), ref("village_id"), ref("household_id")),
    (text("category", 20), text("text"), text("channel", 20), ref("source_id")),
    (text("collected_by", 80), day("collected_on"), ref("case_id")),
    Index("out_opinions_source", "source_id"),
)
contacts = table(
    "out_contacts",
    metadata,
    (key("id"), ref("member_id"), ref("household_id"), ref("community_id")),
    (day("contacted_on"), flag("practical_task"), text("task", 200)),
    Index("out_contacts_household", "household_id", "contacted_on"),
)
overdue = table(
    "out_overdue",
    metadata,
    (key("id"), ref("member_id"), ref("household_id"), ref("community_id")),
    (day("last_contact_on"), day("due_on"), day("flagged_on")),
)
campaigns = table(
    "out_campaigns",
    metadata,
    (key("id"), ref("community_id"), text("topic", 100), text("village_ids")),
    (day("period_start"), day("period_end")),
)
survey_results = table(
    "out_survey_results",
    metadata,
    (key("campaign_id"), key("village_id"), number("respondents")),
    (number("aware"), number("support"), number("participate"), day("published_on")),
)
