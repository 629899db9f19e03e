"""The casework domain model: pure (standard library, eventsourcing.domain, shequ.errors)."""

from casework.domain.calendar import Period, WorkCalendar
from casework.domain.case import Case
from casework.domain.case_base import CaseBase
from casework.domain.case_outcome import CaseOutcome
from casework.domain.decision import VillageDecision
from casework.domain.directory import Community, Household, Team, Village
from casework.domain.intake_key import IntakeKey
from casework.domain.mediation import Mediation

AGGREGATES = (
    Case,
    CaseOutcome,
    CaseBase,
    Mediation,
    VillageDecision,
    Community,
    Team,
    Village,
    Household,
    IntakeKey,
)


def event_name(event: object) -> str:
    """``Aggregate.Event`` for a stored event; a case's events all read ``Case.<Event>``
    (some are declared on its base classes)."""
    name = type(event).__qualname__
    kind, _, rest = name.partition(".")
    return f"Case.{rest}" if kind in ("CaseOutcome", "CaseBase") else name


__all__ = [
    "AGGREGATES",
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
    "event_name",
]
