"""The outreach domain model: pure (standard library, eventsourcing.domain, shequ.errors)."""

from outreach.domain.campaign import Campaign
from outreach.domain.contacts import OverdueFlag, PartyContact
from outreach.domain.directory import Directory
from outreach.domain.household import Household
from outreach.domain.places import Place, Resident
from outreach.domain.visits import Opinion, Visit, VisitRound

AGGREGATES = (
    Directory,
    Place,
    Resident,
    Household,
    VisitRound,
    Visit,
    Opinion,
    PartyContact,
    OverdueFlag,
    Campaign,
)

__all__ = [
    "AGGREGATES",
    "Campaign",
    "Directory",
    "Household",
    "Opinion",
    "OverdueFlag",
    "PartyContact",
    "Place",
    "Resident",
    "Visit",
    "VisitRound",
]
