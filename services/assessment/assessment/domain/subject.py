"""Who is assessed: communities and service teams, as the registry announced them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate

from assessment.domain.common import natural_id


@dataclass
class Subject(Aggregate, created_event_name="Registered"):
    """A community (社区) or a community service team (社区服务队) under assessment."""

    subject_kind: str
    subject_id: str
    name: str
    community_id: str
    source: str

    @staticmethod
    def create_id(subject_kind: str, subject_id: str) -> UUID:
        return natural_id("subject", subject_kind, subject_id)
