"""Use cases: party-member household contact (党员联户) and its interval rules (RULES §5)."""

from __future__ import annotations

from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import ValidationError
from shequ.validation import check_bool, check_date, check_uuid, optional_text
from sqlalchemy import func, select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.checks import check_opinions
from outreach.commands_visits import VisitCommands
from outreach.domain import OverdueFlag
from outreach.domain.common import key_id
from outreach.domain.contacts import PartyContact, check_contact, contact_due

SWEEPER = Actor(person_id="system:outreach-sweeper", role="system")


class ContactCommands(VisitCommands, OutreachBase):
    """Contacts logged by party members against the registry's member-household links."""

    def log_party_contact(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        household_id: str,
        contacted_on: str,
        practical_task: bool = False,
        task: str = "",
        notes: str = "",
        opinions: list[dict[str, str]] | None = None,
        member_id: str | None = None,
    ) -> dict[str, Any]:
        """Log a contact of the household's linked party member (the actor unless
        ``member_id`` is given by staff); ``practical_task`` with ``task`` for 办实事."""
        p: dict[str, Any] = {
            "household_id": check_uuid(household_id, "household_id"),
            "contacted_on": check_date(contacted_on, "contacted_on"),
            "practical_task": check_bool(practical_task, "practical_task"),
            "task": optional_text(task, "task", "所办实事", 200),
            "notes": optional_text(notes, "notes", "联系记录", 2000),
            "opinions": check_opinions(opinions),
            "member_id": check_uuid(member_id, "member_id") if member_id else actor.person_id,
        }
        if p["practical_task"] and not p["task"]:
            raise ValidationError(
                "办实事须写明所办事项",
                "a practical task needs its task text",
                "task",
                rule="text.required",
            )
        household = self.household(p["household_id"])

        def decide() -> Any:
            fresh = self.household(p["household_id"])
            check_contact(
                fresh.party_member_id,
                p["member_id"],
                fresh.link_since,
                p["contacted_on"],
                self.today(),
            )
            contact_id = key_id("contact", idempotency_key)
            opinions = self._opinions(
                p["opinions"],
                fresh.community_id,
                fresh.village_id,
                fresh.household_id,
                "party_contact",
                str(contact_id),
                actor,
                p["contacted_on"],
            )
            contact = PartyContact(  # type: ignore[call-arg]
                id=contact_id,
                member_id=p["member_id"],
                household_id=p["household_id"],
                community_id=fresh.community_id,
                village_id=fresh.village_id,
                contacted_on=p["contacted_on"],
                practical_task=p["practical_task"],
                task=p["task"],
                notes=p["notes"],
                opinion_ids=[str(o.id) for o in opinions],
                actor=actor.to_dict(),
            )
            return [contact, *opinions], {
                "contact_id": str(contact_id),
                "opinion_ids": [str(o.id) for o in opinions],
            }

        return self.run(
            "log_party_contact", idempotency_key, actor, self.household_target(household), p, decide
        )

    def flag_overdue_contacts(
        self, actor: Actor, idempotency_key: str, *, community_id: str
    ) -> dict[str, Any]:
        """Flag (and publish) every linked household of the community whose next contact was
        due before today (RULES §5: no more than a month between contacts); each missed
        deadline is flagged once."""
        p: dict[str, Any] = {"community_id": check_uuid(community_id, "community_id")}
        target = Target(community_id=p["community_id"])

        def decide() -> Any:
            today = self.today()
            flags = []
            for row in self.link_status(p["community_id"]):
                if today > row["due_on"] and not self.exists(
                    OverdueFlag.create_id(row["member_id"], row["household_id"], row["due_on"])
                ):
                    flags.append(
                        OverdueFlag.flag(
                            row["member_id"],
                            row["household_id"],
                            p["community_id"],
                            row["last_contact_on"],
                            row["due_on"],
                            today,
                            actor.to_dict(),
                        )
                    )
            return flags, {
                "flagged": [
                    {"member_id": f.member_id, "household_id": f.household_id, "due_on": f.due_on}
                    for f in flags
                ]
            }

        return self.run("flag_overdue_contacts", idempotency_key, actor, target, p, decide)

    def sweep_overdue(self) -> int:
        """Flag overdue contacts in every community, under one idempotency key per community
        and day (run by the service's background jobs; a second run that day writes nothing).
        Returns how many were flagged."""
        today = self.today()
        with self.read() as c:
            communities = list(
                c.execute(select(t.communities.c.id).order_by(t.communities.c.id)).scalars()
            )
        flagged = 0
        for community_id in communities:
            result = self.flag_overdue_contacts(
                SWEEPER, f"overdue-sweep:{community_id}:{today}", community_id=community_id
            )
            flagged += len(result["flagged"])
        return flagged

    def link_status(self, community_id: str, year: str | None = None) -> list[dict[str, Any]]:
        """Each linked household of the community: last contact, next due date, tasks in year."""
        h, c = t.households, t.contacts
        year = year or self.today()[:4]
        with self.read() as conn:
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
                            link.link_since, last, self.settings.contact_interval_months
                        ),
                        "practical_tasks": int(tasks),
                        "practical_task_met": int(tasks) >= self.settings.practical_tasks_per_year,
                    }
                )
            return out
