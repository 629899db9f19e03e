"""The casework domain model: pure (standard library, eventsourcing.domain, shequ.errors)."""

from casework.domain.calendar import Period, WorkCalendar
from casework.domain.case import FORMER_TOPICS, Case
from casework.domain.decision import VillageDecision
from casework.domain.directory import Community, Household, Team, Village
from casework.domain.intake_key import IntakeKey
from casework.domain.mediation import Mediation

AGGREGATES = (
    Case,
    Mediation,
    VillageDecision,
    Community,
    Team,
    Village,
    Household,
    IntakeKey,
)


__all__ = [
    "AGGREGATES",
    "FORMER_TOPICS",
    "Case",
    "Community",
    "Household",
    "IntakeKey",
    "Mediation",
    "Period",
    "Team",
    "Village",
    "VillageDecision",
    "WorkCalendar",
]
