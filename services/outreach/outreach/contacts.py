"""Use cases of party-member household contact (党员联户) and its interval rules (RULES §5):
contacts logged against registry's member-to-household links, overdue contacts flagged (and
published) once per missed deadline, and each link's standing.

The rules of a contact (the household's linked member, within the link, not in the future, the
interval in calendar months) live in ``outreach.domain.contacts``."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field
from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Command, Count, Day, Flag, Id, Keyed, Note, keyed
from shequ.errors import ValidationError
from sqlalchemy import func, select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.domain import OverdueFlag
from outreach.domain.common import key_id
from outreach.domain.contacts import PartyContact, check_contact, contact_due
from outreach.examples import COMMUNITY, HOUSEHOLD
from outreach.opinions import Heards, recorded, with_opinions


class LogPartyContact(Keyed):
    """Log a contact of the household's linked party member."""

    title = "登记党员联户"
    example = keyed(
        "contact-2025-03-02-01",
        household_id=HOUSEHOLD,
        contacted_on="2025-03-02",
        practical_task=True,
        task="帮助申请新农合报销",
    )
    household_id: Id
    contacted_on: Day
    practical_task: Flag = False
    task: Annotated[str, Note(200, "所办实事")] = ""
    notes: Annotated[str, Note(2000, "联系记录")] = ""
    opinions: Heards = Field(default_factory=list)
    member_id: Id | None = None


def log_party_contact(cmd: LogPartyContact, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Log a contact of the household's linked party member (the actor unless
    ``member_id`` is given by staff); ``practical_task`` with ``task`` for 办实事."""
    member_id = cmd.member_id or actor.person_id
    if cmd.practical_task and not cmd.task:
        raise ValidationError(
            "办实事须写明所办事项",
            "a practical task needs its task text",
            "task",
            rule="text.required",
        )
    household = app.household(cmd.household_id)

    def decide() -> Any:
        fresh = app.household(cmd.household_id)
        check_contact(
            fresh.party_member_id, member_id, fresh.link_since, cmd.contacted_on, app.today()
        )
        return with_opinions(
            PartyContact,
            key_id("contact", cmd.idempotency_key),
            "contact_id",
            "party_contact",
            cmd.opinions,
            actor,
            cmd.contacted_on,
            **recorded(
                cmd,
                member_id=member_id,
                community_id=fresh.community_id,
                village_id=fresh.village_id,
            ),
        )

    target = app.household_target(household)
    payload = {**cmd.payload(), "member_id": member_id}
    return app.run("log_party_contact", cmd.idempotency_key, actor, target, payload, decide)


class FlagOverdueContacts(Keyed):
    """Flag every linked household of the community whose contact is overdue."""

    title = "标记联系超期"
    example = keyed("overdue-2025-03-02-lizhu", community_id=COMMUNITY)
    community_id: Id


def flag_overdue_contacts(
    cmd: FlagOverdueContacts, actor: Actor, app: OutreachBase
) -> dict[str, Any]:
    """Flag (and publish) every linked household of the community whose next contact was
    due before today (RULES §5: no more than a month between contacts); each missed
    deadline is flagged once."""

    def decide() -> Any:
        today = app.today()
        flags = [
            OverdueFlag(
                row["member_id"],
                row["household_id"],
                cmd.community_id,
                row["last_contact_on"],
                row["due_on"],
                today,
                actor.to_dict(),
            )
            for row in link_status(app, cmd.community_id)
            if today > row["due_on"]
            and not app.exists(
                OverdueFlag.create_id(row["member_id"], row["household_id"], row["due_on"])
            )
        ]
        return flags, {
            "flagged": [
                {"member_id": f.member_id, "household_id": f.household_id, "due_on": f.due_on}
                for f in flags
            ]
        }

    target = Target(community_id=cmd.community_id)
    return app.run(
        "flag_overdue_contacts", cmd.idempotency_key, actor, target, cmd.payload(), decide
    )


def link_status(
    app: OutreachBase, community_id: str, year: str | None = None
) -> list[dict[str, Any]]:
    """Each linked household of the community: last contact, next due date, tasks in year."""
    h, c = t.households, t.contacts
    year = year or app.today()[:4]
    with app.read() as conn:
        links = conn.execute(
            select(h.c.id, h.c.village_id, h.c.party_member_id, h.c.link_since)
            .where(h.c.community_id == community_id, h.c.party_member_id.is_not(None))
            .order_by(h.c.party_member_id, h.c.id)
        ).all()
        out = []
        for link in links:
            mine = (
                c.c.household_id == link.id,
                c.c.member_id == link.party_member_id,
                c.c.contacted_on >= link.link_since,
            )
            last = conn.execute(select(func.max(c.c.contacted_on)).where(*mine)).scalar()
            tasks = conn.execute(
                select(func.count()).where(
                    *mine,
                    c.c.practical_task.is_(True),
                    c.c.contacted_on >= f"{year}-01-01",
                    c.c.contacted_on <= f"{year}-12-31",
                )
            ).scalar_one()
            out.append(
                {
                    "member_id": link.party_member_id,
                    "household_id": link.id,
                    "village_id": link.village_id,
                    "link_since": link.link_since,
                    "last_contact_on": last,
                    "due_on": contact_due(
                        link.link_since, last, app.settings.contact_interval_months
                    ),
                    "practical_tasks": int(tasks),
                    "practical_task_met": int(tasks) >= app.settings.practical_tasks_per_year,
                }
            )
        return out


class ContactStatus(Command):
    """Each linked household's contact standing."""

    title = "党员联户情况"
    example: ClassVar[dict[str, Any]] = {"community_id": COMMUNITY, "year": 2025}
    community_id: Id
    year: Annotated[int, Count(2000, 2100, "年度")] | None = None


def contact_status(cmd: ContactStatus, actor: Actor, app: OutreachBase) -> dict[str, Any]:
    """Each linked household: last contact, next due date, overdue or not, practical
    tasks in ``year`` (RULES §5), and the overdue flags raised so far."""
    year_text = str(cmd.year) if cmd.year else None
    app.policy.check("contact_status", actor, app.community_target(cmd.community_id))
    today = app.today()
    links = [
        {**row, "overdue": today > row["due_on"]}
        for row in link_status(app, cmd.community_id, year_text)
    ]
    with app.read() as c:
        flags = (
            c.execute(
                select(t.overdue)
                .where(t.overdue.c.community_id == cmd.community_id)
                .order_by(t.overdue.c.due_on)
            )
            .mappings()
            .all()
        )
    return {
        "community_id": cmd.community_id,
        "on": today,
        "year": year_text or today[:4],
        "links": links,
        "flags": [dict(f) for f in flags],
    }
