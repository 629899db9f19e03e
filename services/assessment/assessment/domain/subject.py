"""Who is assessed: communities and service teams, as the registry announced them."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from assessment.domain.common import natural_id


class Subject(Aggregate):
    """A community (社区) or a community service team (社区服务队) under assessment."""

    @staticmethod
    def create_id(subject_kind: str, subject_id: str) -> UUID:
        return natural_id("subject", subject_kind, subject_id)

    @event("Registered")
    def __init__(
        self, subject_kind: str, subject_id: str, name: str, community_id: str, source: str
    ) -> None:
        self.subject_kind = subject_kind
        self.subject_id = subject_id
        self.name = name
        self.community_id = community_id
        self.source = source
