"""What every outreach use case shares: settings, clock, read model, typed loading, scope
targets. The policy comes from the use-case table (``outreach.usecases``), set on ``Outreach``."""

from __future__ import annotations

from shequ.app import ConfiguredApplication
from shequ.auth import Target
from shequ.errors import NotFound
from sqlalchemy import select

from outreach import tables as t
from outreach.domain import Campaign, Directory, Household, VisitRound
from outreach.projections import OutreachProjection
from outreach.settings import OutreachSettings


class OutreachBase(ConfiguredApplication[OutreachSettings]):
    """The outreach application's machinery; the use cases are the handlers listed in
    ``outreach.usecases``."""

    name = "outreach"
    settings_class = OutreachSettings
    projection_class = OutreachProjection

    # -- loading -----------------------------------------------------------------------------
    def round(self, round_id: str) -> VisitRound:
        return self.get(round_id, VisitRound, "走访轮次", "round_id")

    def campaign(self, campaign_id: str) -> Campaign:
        return self.get(campaign_id, Campaign, "宣传活动", "campaign_id")

    # -- facts about scope -----------------------------------------------------------------
    def household(self, household_id: str, field: str = "household_id") -> Household:
        return self.get(Household.create_id(household_id), Household, "户", field)

    def directory(self, community_id: str) -> Directory | None:
        try:
            return self.get(Directory.create_id(community_id), Directory, "社区", "community_id")
        except NotFound:  # registry has not told us of this community (yet)
            return None

    def community_target(self, community_id: str, *extra: str) -> Target:
        """Scope of something in a community: its team members are assigned to it."""
        directory = self.directory(community_id)
        members = directory.member_ids() if directory else frozenset()
        return Target(community_id=community_id, assigned_to=members | frozenset(extra))

    def household_target(self, household: Household) -> Target:
        """Scope of a household: its community, its team, its linked party member, itself."""
        base = self.community_target(household.community_id)
        linked = frozenset([household.party_member_id] if household.party_member_id else [])
        return Target(
            community_id=household.community_id,
            household_id=household.household_id,
            assigned_to=base.assigned_to | linked,
        )

    def village_community(self, village_id: str) -> str | None:
        with self.read() as c:
            return c.execute(
                select(t.villages.c.community_id).where(t.villages.c.id == village_id)
            ).scalar()
