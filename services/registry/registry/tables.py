"""The registry's read-model tables (SQLAlchemy Core, own MetaData, prefixed ``reg_``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

ID = 36  # a UUID as text


def _id(name: str, primary: bool = False) -> Column:
    return Column(name, String(ID), primary_key=primary, nullable=not primary)


communities = Table(
    "reg_communities",
    metadata,
    _id("id", True),
    Column("name", String(50)),
    Column("name_en", String(50)),
    _id("team_id"),
)
villages = Table(
    "reg_villages",
    metadata,
    _id("id", True),
    Column("name", String(50)),
    _id("community_id"),
    Column("since", String(10)),
    Column("sample", Boolean, default=False),
)
organisations = Table(
    "reg_organisations",
    metadata,
    _id("id", True),
    Column("kind", String(30)),
    Column("name", String(100)),
    _id("community_id"),
    _id("village_id"),
    _id("parent_id"),
)
appointments = Table(
    "reg_appointments",
    metadata,
    _id("id", True),
    _id("organisation_id"),
    _id("person_id"),
    Column("post", String(30)),
    Column("basis", String(30)),
    Column("since", String(10)),
    Column("until", String(10), nullable=True),
)
district_roles = Table(
    "reg_district_roles",
    metadata,  # leadership and organ cadres
    Column("id", String(120), primary_key=True),
    _id("person_id"),
    Column("role", String(20)),
    Column("title", String(100)),
    _id("organ_id"),
    _id("community_id"),
    Column("since", String(10)),
    Column("until", String(10), nullable=True),
)
organs = Table(
    "reg_organs", metadata, _id("id", True), Column("name", String(100)), Column("kind", String(20))
)
persons = Table(
    "reg_persons",
    metadata,
    _id("id", True),
    Column("name", String(50)),
    Column("gender", String(10)),
    Column("id_number", String(18), index=True),
    Column("phone", String(20)),
    _id("village_id"),
    Column("party_member", Boolean, default=False),
    Column("sample", Boolean, default=False),
)
households = Table(
    "reg_households",
    metadata,
    _id("id", True),
    _id("village_id"),
    _id("head_id"),
    Column("address", String(200)),
    Column("sample", Boolean, default=False),
)
household_members = Table(
    "reg_household_members",
    metadata,
    _id("household_id", True),
    _id("person_id", True),
    Column("relation", String(20)),
    Column("since", String(10)),
)
teams = Table(
    "reg_teams",
    metadata,
    _id("id", True),
    _id("community_id"),
    Column("name", String(100)),
    _id("leader_id"),
)
team_members = Table(
    "reg_team_members",
    metadata,
    _id("team_id", True),
    _id("person_id", True),
    Column("group_key", String(20)),
    Column("name", String(50)),
    Column("phone", String(20)),
    Column("duties", Text),
    Column("since", String(10)),
)
zones = Table(
    "reg_zones",
    metadata,
    _id("id", True),
    _id("party_member_id"),
    _id("community_id"),
    _id("village_id"),
    Column("name", String(100)),
    Column("description", Text),
)
links = Table(
    "reg_links",
    metadata,
    _id("household_id", True),
    _id("zone_id"),
    _id("party_member_id"),
    Column("since", String(10)),
)
archives = Table(
    "reg_archives",
    metadata,
    _id("id", True),
    Column("subject_kind", String(20)),
    _id("subject_id"),
    _id("community_id"),
)
archive_entries = Table(
    "reg_archive_entries",
    metadata,
    _id("entry_id", True),
    _id("archive_id"),
    Column("entry_date", String(10)),
    Column("title", String(200)),
    Column("content", Text),
    Column("retention", String(20)),
    _id("corrects"),
    Column("recorded_at", String(40)),
    Column("seq", Integer),
)
# The dated history of households and persons (``registry.history``).
member_spans = Table(
    "reg_member_spans",
    metadata,  # who lived in a household when
    _id("household_id", True),
    _id("person_id", True),
    Column("since", String(10), primary_key=True),
    Column("relation", String(20)),
    Column("until", String(10), nullable=True),
    Column("reason", Text),
)
phones = Table(
    "reg_phones",
    metadata,  # every phone a person had, from when recorded
    _id("person_id", True),
    Column("seq", Integer, primary_key=True),
    Column("on", String(10)),
    Column("phone", String(20)),
    Column("recorded_at", String(40)),
)
changes = Table(
    "reg_changes",
    metadata,  # one row per dated change
    Column("id", String(80), primary_key=True),
    _id("person_id"),
    _id("household_id"),
    Column("on", String(10)),
    Column("basis", String(10)),
    Column("change", String(30)),
    Column("recorded_at", String(40)),
    Column("seq", Integer),
    Column("details", Text),
)
Index("reg_changes_person", changes.c.person_id)
Index("reg_changes_household", changes.c.household_id)
Index("reg_member_spans_person", member_spans.c.person_id)
