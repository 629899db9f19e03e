"""Card re-issue: which households a registry change touches, and their new card contents.

A card shows the community's team section (shared by all its households) and the household's
linked party member. So a team change re-issues every household of the community if, and only
if, the team section changed; a party member's change re-issues the households linked to them;
a link change re-issues one household. Candidates come from the read model plus whatever the
current inbox batch has touched (not yet in the read model); each is loaded and re-checked, and
``Household.issue_card`` issues nothing when the content is unchanged.

A team change in a large community is not re-issued inside the inbox transaction (one
transaction of tens of thousands of events stalls PostgreSQL's pipelined insert, ADR 0007):
the directory records the new section's hash, and ``pending`` finds the households whose card
still shows another one (``moves_pending``: those whose village moved to another community); the service's background re-issuer issues them in chunks, each chunk one
transaction. Content addressing makes a chunk that runs twice issue nothing the second time.
"""

from __future__ import annotations

import logging
from typing import Any

from shequ.inbox import Unit
from shequ.logsummary import Summary
from sqlalchemy import select
from sqlalchemy.engine import Connection

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.domain import Directory, Household, Resident
from outreach.domain.directory import contact, section_digest

log = logging.getLogger(__name__)
reissued = Summary(log, "outreach card(s) re-issued")

# Which read-model column matches which Household attribute, for finding candidates.
COLUMNS = {
    "community_id": t.households.c.community_id,
    "village_id": t.households.c.village_id,
    "party_member_id": t.households.c.party_member_id,
}
PARTY_MEMBER_DUTIES = "联系本户，听取意见、办理实事"


def pending(c: Connection, limit: int) -> list[str]:
    """Households whose card shows another team section than their community's current one."""
    h, m = t.households, t.communities
    return list(
        c.execute(
            select(h.c.id)
            .join(m, m.c.id == h.c.community_id)
            .where(m.c.section_hash != "", h.c.section_hash != m.c.section_hash)
            .order_by(h.c.id)
            .limit(limit)
        ).scalars()
    )


def moves_pending(c: Connection, limit: int) -> list[tuple[str, str, str]]:
    """Households whose village moved to another community: (id, community, effective date)."""
    h, v = t.households, t.villages
    return [
        (r.id, r.community_id, r.moved_on)
        for r in c.execute(
            select(h.c.id, v.c.community_id, v.c.moved_on)
            .join(v, v.c.id == h.c.village_id)
            .where(h.c.community_id != v.c.community_id)
            .order_by(h.c.id)
            .limit(limit)
        )
    ]


class CardIssuer:
    """Works inside one unit (an inbox batch, or a re-issue chunk): loads through it, so the
    unit's own changes are seen."""

    def __init__(self, app: OutreachBase, unit: Unit, actor: dict[str, Any], reason: str) -> None:
        self.app, self.unit, self.actor, self.reason = app, unit, actor, reason
        self._sections: dict[str, tuple[list[dict[str, Any]], str]] = {}

    def candidate_ids(self, attribute: str, value: str) -> set[str]:
        """Ids of households whose ``attribute`` is ``value`` (read model + this unit)."""
        with self.app.read() as c:
            ids = set(
                c.execute(select(t.households.c.id).where(COLUMNS[attribute] == value)).scalars()
            )
        return ids | {
            agg.household_id
            for agg in self.unit.touched.values()
            if isinstance(agg, Household) and getattr(agg, attribute) == value
        }

    def load(
        self, ids: set[str] | list[str], attribute: str | None = None, value: str | None = None
    ) -> list[Household]:
        """The households with these ids (that still match, if ``attribute`` is given)."""
        found = []
        for household_id in sorted(ids):
            agg = self.unit.get(Household.create_id(household_id))
            if agg is not None and (attribute is None or getattr(agg, attribute) == value):
                found.append(agg)
        self.unit.add(found)  # later loads in this unit see the same instances
        return found

    def households_where(self, attribute: str, value: str) -> list[Household]:
        return self.load(self.candidate_ids(attribute, value), attribute, value)

    def team_section(self, community_id: str) -> tuple[list[dict[str, Any]], str]:
        if community_id not in self._sections:
            directory = self.unit.get(Directory.create_id(community_id))
            section = directory.team_section() if directory else []
            self._sections[community_id] = (section, section_digest(section))
        return self._sections[community_id]

    def contacts(self, household: Household) -> tuple[list[dict[str, Any]], str]:
        section, digest = self.team_section(household.community_id)
        out = list(section)
        if household.party_member_id:
            member = self.unit.get(Resident.create_id(household.party_member_id))
            if member is not None:
                out.append(
                    contact(
                        "party_member",
                        member.person_id,
                        member.name,
                        member.phone,
                        PARTY_MEMBER_DUTIES,
                    )
                )
        return out, digest

    def reissue(self, households: list[Household]) -> list[Household]:
        """Issue a new version to each household whose card content changed."""
        today = self.app.today()
        changed = []
        for household in households:
            contacts, digest = self.contacts(household)
            if household.issue_card(contacts, digest, today, self.reason, self.actor):
                changed.append(household)
        if changed:
            reissued.add(len(changed), self.reason)
        return changed
