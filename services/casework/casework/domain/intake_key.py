"""The duplicate key of an intake: the token two concurrent intakes of the same matter share.

Cases of one community and category are duplicates when they name the same household or the
same place. Each key (community, category, household) or (community, category, place) is an
aggregate that records the cases received under it; an intake appends to its keys in the same
atomic save as the new case. Two intakes deciding at once therefore write the same version of
the key: the store keeps one, and the other is decided again on fresh state, where it sees the
first case and is flagged as its duplicate — on one replica or several.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from casework.domain.common import IDS


class IntakeKey(Aggregate):
    id: UUID

    create_id = IDS.keyed_by("intake-key", "community_id", "category", "kind", "value")

    @event("Opened")
    def __init__(self, community_id: str, category: str, kind: str, value: str) -> None:
        self.community_id, self.category, self.kind, self.value = (
            community_id,
            category,
            kind,
            value,
        )
        self.cases: list[list[str]] = []  # [case_id, received_on], in order of receipt

    @event("Noted")
    def note(self, case_id: str, received_on: str) -> None:
        self.cases.append([case_id, received_on])

    def since(self, day: str) -> list[list[str]]:
        """The cases received under this key on or after ``day``."""
        return [c for c in self.cases if c[1] >= day]
