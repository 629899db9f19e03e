"""The registry's domain model: pure (standard library, eventsourcing.domain, shequ.errors)."""

from registry.domain.archive import Archive
from registry.domain.committee import VillagersCommittee
from registry.domain.community import Community
from registry.domain.data_access import PersonalDataAccess
from registry.domain.district import District
from registry.domain.household import Household
from registry.domain.organisation import Eligibility, PartyOrganisation
from registry.domain.person import Person
from registry.domain.team import ServiceTeam
from registry.domain.village import Village
from registry.domain.zone import ResponsibilityZone

AGGREGATES = (
    District,
    Community,
    Village,
    PartyOrganisation,
    VillagersCommittee,
    Person,
    Household,
    Archive,
    ServiceTeam,
    ResponsibilityZone,
    PersonalDataAccess,
)

__all__ = [
    "AGGREGATES",
    "Archive",
    "Community",
    "District",
    "Eligibility",
    "Household",
    "PartyOrganisation",
    "Person",
    "PersonalDataAccess",
    "ResponsibilityZone",
    "ServiceTeam",
    "Village",
    "VillagersCommittee",
]
