"""The registry's read-model tables (SQLAlchemy Core, own MetaData, prefixed ``reg_``)."""

from __future__ import annotations

from typing import Any

from shequ.readmodel import Part, day, flag, key, number, ref, table, text
from sqlalchemy import ColumnElement, Index, MetaData, RowMapping, Table, and_, or_, select
from sqlalchemy.engine import Connection

metadata = MetaData()


def _table(name: str, *rows: Part) -> Table:
    """The registry's table ``reg_<name>`` in its ``metadata``."""
    return table(f"reg_{name}", metadata, *rows)


communities = _table(
    "communities", (key("id"), text("name", 50), text("name_en", 50), ref("team_id"))
)
villages = _table(
    "villages",
    (key("id"), text("name", 50), ref("community_id"), day("since"), flag("sample", default=False)),
)
organisations = _table(
    "organisations",
    (key("id"), text("kind", 30), text("name", 100)),
    (ref("community_id"), ref("village_id"), ref("parent_id")),
)
appointments = _table(
    "appointments",
    (key("id"), ref("organisation_id"), ref("person_id"), text("post", 30), text("basis", 30)),
    (day("since"), day("until")),
)
committee_posts = _table(
    "committee_posts",  # posts on the villagers' committees (村民委员会)
    (key("id"), ref("village_id"), ref("person_id"), text("post", 30)),
    (day("since"), day("term_ends"), day("until")),
)
district_roles = _table(
    "district_roles",  # leadership and organ cadres
    (text("id", 120, primary_key=True), ref("person_id")),
    (text("role", 20), text("title", 100), ref("organ_id"), ref("community_id")),
    (day("since"), day("until")),
)
organs = _table("organs", (key("id"), text("name", 100), text("kind", 20)))
persons = _table(
    "persons",
    (key("id"), text("name", 50), text("gender", 10), text("id_number", 18, index=True)),
    (text("phone", 20), ref("village_id")),
    (flag("party_member", default=False), flag("sample", default=False)),
)
households = _table(
    "households",
    (key("id"), ref("village_id"), ref("head_id"), text("address", 200)),
    flag("sample", default=False),
)
household_members = _table(
    "household_members", (key("household_id"), key("person_id"), text("relation", 20), day("since"))
)
teams = _table("teams", (key("id"), ref("community_id"), text("name", 100), ref("leader_id")))
team_members = _table(
    "team_members",
    (key("team_id"), key("person_id"), text("group_key", 20)),
    (text("name", 50), text("phone", 20), text("duties"), day("since")),
)
zones = _table(
    "zones",
    (key("id"), ref("party_member_id"), ref("community_id"), ref("village_id")),
    (text("name", 100), text("description")),
)
links = _table("links", (key("household_id"), ref("zone_id"), ref("party_member_id"), day("since")))
archives = _table(
    "archives", (key("id"), text("subject_kind", 20), ref("subject_id"), ref("community_id"))
)
archive_entries = _table(
    "archive_entries",
    (key("entry_id"), ref("archive_id"), day("entry_date"), text("title", 200)),
    (text("content"), text("retention", 20), ref("corrects")),
    (text("recorded_at", 40), number("seq")),
)
# The dated history of households and persons (``registry.history``).
member_spans = _table(
    "member_spans",  # who lived in a household when
    (key("household_id"), key("person_id"), text("since", 10, primary_key=True)),
    (text("relation", 20), day("until"), text("reason")),
)
phones = _table(
    "phones",  # every phone a person had, from when recorded
    (key("person_id"), number("seq", primary_key=True)),
    (day("on"), text("phone", 20), text("recorded_at", 40)),
)
changes = _table(
    "changes",  # one row per dated change
    (text("id", 80, primary_key=True), ref("person_id"), ref("household_id")),
    (day("on"), text("basis", 10), text("change", 30), text("recorded_at", 40)),
    (number("seq"), text("details")),
)
Index("reg_changes_person", changes.c.person_id)
Index("reg_changes_household", changes.c.household_id)
Index("reg_member_spans_person", member_spans.c.person_id)


def held_on(dated: Table, on: str) -> ColumnElement[Any]:
    """Rows of a dated table (``since``, ``until``: [since, until)) that hold on the day ``on``."""
    return and_(dated.c.since <= on, or_(dated.c.until.is_(None), dated.c.until > on))


def posts_held(
    c: Connection, posts: Table, of: ColumnElement[bool], on: str, order: list[str]
) -> list[RowMapping]:
    """The rows of a table of posts (``post``, ``person_id``, dated) matching ``of`` that hold
    on the day ``on``, with the holder's ``name``: by the post's place in ``order``, then by
    date and name."""
    rows = c.execute(
        select(posts, persons.c.name)
        .join(persons, persons.c.id == posts.c.person_id)
        .where(of, held_on(posts, on))
        .order_by(posts.c.since, persons.c.name)
    ).mappings()
    return sorted(rows, key=lambda r: order.index(r["post"]))
