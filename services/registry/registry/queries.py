"""Queries, all served from the read model (caught up first), with personal data masked."""

from __future__ import annotations

from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import NotFound
from shequ.readlog import Sight, check_purpose, sight
from shequ.validation import check_choice, check_date, check_uuid
from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from registry import masking
from registry import tables as t
from registry.base import RegistryBase, today
from registry.domain import Archive
from registry.domain.archive import RETENTION, SUBJECTS
from registry.domain.household import RELATIONS
from registry.domain.organisation import BASES, POSTS
from registry.domain.team import GROUPS
from registry.history import members_on


class Queries(RegistryBase):
    """Read-only use cases."""

    def communities(self, actor: Actor) -> list[dict[str, Any]]:
        """Every community with its villages (ids for the other queries)."""
        self.policy.check("communities", actor, Target())
        with self.read() as c:
            villages = c.execute(select(t.villages).order_by(t.villages.c.name)).mappings().all()
            return [
                {
                    "community_id": r.id,
                    "name": r.name,
                    "name_en": r.name_en,
                    "team_id": r.team_id,
                    "villages": [
                        {"village_id": v["id"], "name": v["name"]}
                        for v in villages
                        if v["community_id"] == r.id
                    ],
                }
                for r in c.execute(select(t.communities).order_by(t.communities.c.name))
            ]

    def organisation_chart(
        self, actor: Actor, community_id: str, on: str | None = None
    ) -> dict[str, Any]:
        """The community's general branch posts with holders, its branches, village branches."""
        community_id = check_uuid(community_id, "community_id")
        on = check_date(on, "on") if on else today()
        self.policy.check("organisation_chart", actor, self.community_target(community_id))
        o = t.organisations
        with self.read() as c:
            orgs = (
                c.execute(select(o).where(o.c.community_id == community_id).order_by(o.c.name))
                .mappings()
                .all()
            )
            general = next((g for g in orgs if g["kind"] == "general_branch"), None)
            return {
                "community_id": community_id,
                "on": on,
                "general_branch": general
                and {
                    "organisation_id": general["id"],
                    "name": general["name"],
                    "posts": _posts(c, general["id"], on),
                },
                "functional_branches": [
                    {"organisation_id": g["id"], "name": g["name"]}
                    for g in orgs
                    if g["kind"] == "functional_branch"
                ],
                "village_branches": [
                    {
                        "organisation_id": g["id"],
                        "name": g["name"],
                        "village_id": g["village_id"],
                        "posts": _posts(c, g["id"], on),
                    }
                    for g in orgs
                    if g["kind"] == "village_branch"
                ],
            }

    def team_roster(
        self, actor: Actor, community_id: str, purpose: str | None = None
    ) -> dict[str, Any]:
        """The community's service team by work group; phones in clear only to staff who give
        a ``purpose`` (the read is recorded)."""
        community_id = check_uuid(community_id, "community_id")
        purpose = check_purpose(purpose)
        self.policy.check("team_roster", actor, self.community_target(community_id))
        with self.read() as c:
            team = (
                c.execute(select(t.teams).where(t.teams.c.community_id == community_id))
                .mappings()
                .first()
            )
            if team is None:
                raise NotFound(
                    "该社区尚未组建服务队", "the community has no service team", "community_id"
                )
            m = t.team_members
            members = (
                c.execute(select(m).where(m.c.team_id == team["id"]).order_by(m.c.since, m.c.name))
                .mappings()
                .all()
            )
        seen = sight(actor, purpose)
        if seen.purpose and members:
            self.reads.note(
                actor,
                "team_roster",
                team["id"],
                seen.purpose,
                {r["person_id"]: r["name"] for r in members},
                ["phone"],
            )
        return {
            "team_id": team["id"],
            "name": team["name"],
            "community_id": community_id,
            "leader_id": team["leader_id"],
            "groups": [
                {
                    "key": key,
                    "name_zh": zh,
                    "members": [
                        {
                            "person_id": r["person_id"],
                            "name": r["name"],
                            "phone": masking.phone(seen, r["phone"]),
                            "duties": r["duties"],
                            "since": r["since"],
                            "leader": r["person_id"] == team["leader_id"],
                        }
                        for r in members
                        if r["group_key"] == key
                    ],
                }
                for key, zh in GROUPS.items()
            ],
        }

    def household(
        self, actor: Actor, household_id: str, on: str | None = None, purpose: str | None = None
    ) -> dict[str, Any]:
        """A household as of the day ``on`` (default today): its members then, with the phone
        each had then, and its contacts (team members, linked party member) as of today.

        Members' names, phones and the address are in clear for the household itself, for
        those assigned to it, and for staff who give a ``purpose``; every such read by someone
        else than the household is recorded."""
        household_id = check_uuid(household_id, "household_id")
        on = check_date(on, "on") if on else today()
        purpose = check_purpose(purpose)
        target = self.household_target(household_id)
        self.policy.check("household", actor, target)
        seen = sight(
            actor,
            purpose,
            own=actor.household_id == household_id,
            duty=masking.TEAM_DUTY if actor.role == "team_member" else None,
        )
        with self.read() as c:
            h = (
                c.execute(select(t.households).where(t.households.c.id == household_id))
                .mappings()
                .one()
            )
            members = _members(c, seen, household_id, on)
            contacts = _contacts(c, actor, household_id, target.community_id)
        if seen.purpose:
            self.reads.note(
                actor,
                "household",
                household_id,
                seen.purpose,
                {m["person_id"]: m["name"] for m in members},
                ["name", "phone", "address"],
            )
        return {
            "household_id": household_id,
            "on": on,
            "village_id": h["village_id"],
            "community_id": target.community_id,
            "head_id": h["head_id"],
            "address": masking.address(seen, h["address"]),
            "sample": h["sample"],
            "members": members,
            "contacts": contacts,
        }

    def archive(
        self, actor: Actor, subject_kind: str, subject_id: str, as_of: str
    ) -> dict[str, Any]:
        """A village's or resident's archive as it stood on ``as_of`` (entries dated up to it)."""
        subject_kind = check_choice(subject_kind, "subject_kind", SUBJECTS, "档案类别")
        subject_id = check_uuid(subject_id, "subject_id")
        as_of = check_date(as_of, "as_of")
        archive_id = str(Archive.create_id(subject_kind, subject_id))
        with self.read() as c:
            community = c.execute(
                select(t.archives.c.community_id).where(t.archives.c.id == archive_id)
            ).scalar()
        self.policy.check("archive", actor, self.community_target(community))
        e = t.archive_entries
        with self.read() as c:
            rows = (
                c.execute(
                    select(e)
                    .where(e.c.archive_id == archive_id, e.c.entry_date <= as_of)
                    .order_by(e.c.entry_date, e.c.seq)
                )
                .mappings()
                .all()
            )
        superseded = {r["corrects"]: r["entry_id"] for r in rows if r["corrects"]}
        return {
            "archive_id": archive_id,
            "subject_kind": subject_kind,
            "subject_id": subject_id,
            "as_of": as_of,
            "entries": [
                {
                    "entry_id": r["entry_id"],
                    "entry_date": r["entry_date"],
                    "title": r["title"],
                    "content": r["content"],
                    "retention": r["retention"],
                    "retention_zh": RETENTION[r["retention"]],
                    "corrects": r["corrects"],
                    "superseded_by": superseded.get(r["entry_id"]),
                }
                for r in rows
            ],
        }

    def members_below_minimum(
        self, actor: Actor, community_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Party members linked to fewer than ``settings.min_households`` households.

        A member belongs to the community of their responsibility zone, or else of their
        village; members with neither (no zone, no village) are listed without a community."""
        community_id = check_uuid(community_id, "community_id") if community_id else None
        self.policy.check("members_below_minimum", actor, Target(community_id=community_id))
        p, v, z, lk = t.persons, t.villages, t.zones, t.links
        count = (
            select(lk.c.party_member_id, func.count().label("n"))
            .group_by(lk.c.party_member_id)
            .subquery()
        )
        zone = (
            select(z.c.party_member_id, func.min(z.c.community_id).label("community_id"))
            .group_by(z.c.party_member_id)
            .subquery()
        )
        community = func.coalesce(zone.c.community_id, v.c.community_id)
        query = (
            select(p.c.id, p.c.name, community, func.coalesce(count.c.n, 0))
            .outerjoin(v, v.c.id == p.c.village_id)
            .outerjoin(zone, zone.c.party_member_id == p.c.id)
            .outerjoin(count, count.c.party_member_id == p.c.id)
            .where(
                p.c.party_member.is_(True),
                func.coalesce(count.c.n, 0) < self.settings.min_households,
            )
            .order_by(community, p.c.name)
        )
        if community_id:
            query = query.where(community == community_id)
        with self.read() as c:
            return [
                {
                    "person_id": pid,
                    "name": masking.member_name(actor, name),
                    "community_id": cid,
                    "households": int(n),
                    "minimum": self.settings.min_households,
                }
                for pid, name, cid, n in c.execute(query)
            ]


def _posts(c: Connection, organisation_id: str, on: str) -> list[dict[str, Any]]:
    a, p = t.appointments, t.persons
    rows = (
        c.execute(
            select(a, p.c.name)
            .join(p, p.c.id == a.c.person_id)
            .where(
                a.c.organisation_id == organisation_id,
                a.c.since <= on,
                or_(a.c.until.is_(None), a.c.until > on),
            )
            .order_by(a.c.since, p.c.name)
        )
        .mappings()
        .all()
    )
    order = list(POSTS)
    return sorted(
        (
            {
                "appointment_id": r["id"],
                "post": r["post"],
                "post_zh": POSTS[r["post"]],
                "person_id": r["person_id"],
                "name": r["name"],
                "basis": r["basis"],
                "basis_zh": BASES.get(r["basis"] or "", ""),
                "since": r["since"],
            }
            for r in rows
        ),
        key=lambda x: order.index(x["post"]),
    )


def _members(c: Connection, seen: Sight, household_id: str, on: str) -> list[dict[str, Any]]:
    return [
        {
            "person_id": r["person_id"],
            "name": masking.name(seen, r["name"]),
            "relation": r["relation"],
            "relation_zh": RELATIONS[r["relation"]],
            "gender": r["gender"],
            "id_number": masking.id_number(r["id_number"]),
            "phone": masking.phone(seen, r["phone"]),
            "since": r["since"],
        }
        for r in members_on(c, household_id, on)
    ]


def _contacts(
    c: Connection, actor: Actor, household_id: str, community_id: str | None
) -> dict[str, Any]:
    m, tm, z, p = t.team_members, t.teams, t.links, t.persons
    team = (
        c.execute(
            select(m)
            .join(tm, tm.c.id == m.c.team_id)
            .where(tm.c.community_id == community_id)
            .order_by(m.c.group_key, m.c.name)
        )
        .mappings()
        .all()
    )
    linked = c.execute(
        select(p.c.id, p.c.name, p.c.phone)
        .join(z, z.c.party_member_id == p.c.id)
        .where(z.c.household_id == household_id)
    ).first()
    party = None
    if linked is not None:
        name, phone = masking.contact(actor, linked.name, linked.phone)
        party = {"person_id": linked.id, "name": name, "phone": phone}
    return {
        "team": [
            dict(
                zip(("name", "phone"), masking.contact(actor, r["name"], r["phone"]), strict=True),
                person_id=r["person_id"],
                group=r["group_key"],
                group_zh=GROUPS[r["group_key"]],
                duties=r["duties"],
            )
            for r in team
        ],
        "party_member": party,
    }
