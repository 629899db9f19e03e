"""The registry's eventsourcing Application: organisations, people, teams, and their queries.

Every command takes ``(actor, idempotency_key, **fields)``, validates its input before anything
is written, checks the policy, and runs through ``execute`` (atomic, idempotent per key).
Queries read the projections, caught up first, and mask personal data by role.
"""

from __future__ import annotations

from shequ.topics import pin_topics

from registry.commands_org import OrganisationCommands
from registry.commands_party import PartyCommands
from registry.commands_people import PeopleCommands
from registry.commands_teams import TeamCommands
from registry.domain import AGGREGATES
from registry.queries import Queries
from registry.queries_history import HistoryQueries
from registry.settings import RegistrySettings

pin_topics("registry", *AGGREGATES)


class Registry(
    OrganisationCommands, PartyCommands, PeopleCommands, TeamCommands, Queries, HistoryQueries
):
    """The registry service's application (登记服务)."""

    name = "registry"


__all__ = ["Registry", "RegistrySettings"]
