"""Reactions to registry's integration events (``shequ.reactions``): the villages whose
collectives may keep books here, and the community each belongs to now. Each reaction is a
no-op when replayed (the inbox also tracks every envelope with its effect)."""

from __future__ import annotations

from shequ.inbox import Unit
from shequ.reactions import Changed, Data, Reactions, Received

from finance.domain import Branch, Collective, Committee, Decision, Household
from finance.domain.collective import ended
from finance.interests import CASEWORK, REGISTRY


class RegistryReactions(Reactions):
    """Keeps finance's view of the villages, the households in them and who holds a post on
    their two committees (两委)."""

    upstream = "registry"
    interests = REGISTRY

    def on_village_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Collective.create_id(d["village_id"])) is not None:
            return []
        return [Collective(d["village_id"], d["name"], d["community_id"], msg.actor)]

    def on_village_moved(self, d: Data, unit: Unit, msg: Received) -> Changed:
        collective = unit.get(Collective.create_id(d["village_id"]))
        if collective is None or collective.community_id == d["to_community_id"]:
            return []
        collective.move(d["to_community_id"], d["effective_date"], msg.actor)
        return [collective]

    def on_household_registered(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Household.create_id(d["household_id"])) is not None:
            return []
        return [Household(d["household_id"], d["village_id"], msg.actor)]

    def on_organisation_established(self, d: Data, unit: Unit, msg: Received) -> Changed:
        """A village's party branch: its posts are held apart from the finance group (F24)."""
        if d["kind"] != "village_branch" or not d.get("village_id"):
            return []
        if unit.get(Branch.create_id(d["organisation_id"])) is not None:
            return []
        branch = Branch(d["organisation_id"], d["village_id"], msg.actor)
        collective = unit.get(Collective.create_id(d["village_id"]))
        if collective is None:
            return [branch]
        collective.branch_known(d["organisation_id"])
        return [branch, collective]

    def on_appointment_made(self, d: Data, unit: Unit, msg: Received) -> Changed:
        # a branch finance does not know is not a village branch
        return taken(unit.get(Branch.create_id(d["organisation_id"])), d)

    def on_appointment_ended(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return ended_post(unit.get(Branch.create_id(d["organisation_id"])), d)

    def on_committee_post_taken(self, d: Data, unit: Unit, msg: Received) -> Changed:
        """A post on the village's villagers' committee: held apart from the finance group
        (F24) while it is held."""
        committee = unit.get(Committee.create_id(d["village_id"])) or Committee(
            d["village_id"], msg.actor
        )
        return taken(committee, d)

    def on_committee_post_ended(self, d: Data, unit: Unit, msg: Received) -> Changed:
        return ended_post(unit.get(Committee.create_id(d["village_id"])), d)


def taken(body: Branch | Committee | None, d: Data) -> Changed:
    """A post of one of the two committees taken: recorded once (a redelivery changes nothing)."""
    if body is None or d["appointment_id"] in body.holders:
        return []
    body.take(d["appointment_id"], d["person_id"], d["post"], d["since"])
    return [body]


def ended_post(body: Branch | Committee | None, d: Data) -> Changed:
    """A post of one of the two committees ended: nothing if the body or the post is unknown
    here or the post ended already."""
    if body is None or ended(body.holders, d["appointment_id"]):
        return []
    body.end(d["appointment_id"], d["until"])
    return [body]


class CaseworkReactions(Reactions):
    """The village decisions whose resolutions casework published: what vouchers (F29) and
    contracts (F30) may cite."""

    upstream = "casework"
    interests = CASEWORK

    def on_decision_resolution_published(self, d: Data, unit: Unit, msg: Received) -> Changed:
        if unit.get(Decision.create_id(d["decision_id"])) is not None:
            return []
        return [
            Decision(
                d["decision_id"],
                d["village_id"],
                d["title"],
                d["matter_type"],
                d["published_on"],
                msg.actor,
            )
        ]
