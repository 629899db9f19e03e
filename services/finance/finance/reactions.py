"""Reactions to registry's integration events (``shequ.reactions``): the villages whose
collectives may keep books here, and the community each belongs to now. Each reaction is a
no-op when replayed (the inbox also tracks every envelope with its effect)."""

from __future__ import annotations

from shequ.inbox import Unit
from shequ.reactions import Changed, Data, Reactions, Received

from finance.domain import Collective, Household
from finance.interests import REGISTRY


class RegistryReactions(Reactions):
    """Keeps finance's view of the villages and of the households in them."""

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
