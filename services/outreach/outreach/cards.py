"""Card re-issue: which households a registry change touches, and their new card contents.

A card shows the community's team section (shared by all its households) and the household's
linked party member. So a team change re-issues every household of the community if, and only
if, the team section changed; a party member's change re-issues the households linked to them;
a link change re-issues one household. Candidates come from the read model plus whatever the
current inbox batch has touched (not yet in the read model); each is loaded and re-checked, and
``Household.issue_card`` issues nothing when the content is unchanged.
"""
from __future__ import annotations

import logging
from typing import Any

from shequ.inbox import Unit
from sqlalchemy import select

from outreach import tables as t
from outreach.base import OutreachBase
from outreach.domain import Directory, Household, Resident
from outreach.domain.directory import contact

log = logging.getLogger(__name__)

# Which read-model column matches which Household attribute, for finding candidates.
COLUMNS = {"community_id": t.households.c.community_id,
           "village_id": t.households.c.village_id,
           "party_member_id": t.households.c.party_member_id}


class CardIssuer:
    """Works inside one inbox unit: loads through it, so changes of the batch are seen."""

    def __init__(self, app: OutreachBase, unit: Unit, actor: dict[str, Any], reason: str) -> None:
        self.app, self.unit, self.actor, self.reason = app, unit, actor, reason
        self._sections: dict[str, list[dict[str, Any]]] = {}

    def households_where(self, attribute: str, value: str) -> list[Household]:
        """Every household whose ``attribute`` is ``value`` now (read model + this batch)."""
        with self.app.read() as c:
            ids = set(c.execute(select(t.households.c.id)
                                .where(COLUMNS[attribute] == value)).scalars())
        ids |= {agg.household_id for agg in self.unit.touched.values()
                if isinstance(agg, Household) and getattr(agg, attribute) == value}
        found = []
        for household_id in sorted(ids):
            agg = self.unit.get(Household.create_id(household_id))
            if agg is not None and getattr(agg, attribute) == value:
                found.append(agg)
        self.unit.add(found)  # later loads in this batch see the same instances
        return found

    def team_section(self, community_id: str) -> list[dict[str, Any]]:
        if community_id not in self._sections:
            directory = self.unit.get(Directory.create_id(community_id))
            self._sections[community_id] = directory.team_section() if directory else []
        return self._sections[community_id]

    def contacts(self, household: Household) -> list[dict[str, Any]]:
        out = list(self.team_section(household.community_id))
        if household.party_member_id:
            member = self.unit.get(Resident.create_id(household.party_member_id))
            if member is not None:
                out.append(contact("party_member", member.person_id, member.name, member.phone,
                                   "联系本户，听取意见、办理实事"))
        return out

    def reissue(self, households: list[Household]) -> list[Household]:
        """Issue a new version to each household whose card content changed."""
        today = self.app.today()
        changed = [h for h in households
                   if h.issue_card(self.contacts(h), today, self.reason, self.actor)]
        if changed:
            log.info("outreach: %d card(s) re-issued (%s)", len(changed), self.reason)
        return changed
