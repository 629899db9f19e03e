"""Who is assessed: communities and service teams, as the registry announced them."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate

from assessment.domain.common import IDS


@dataclass
class Subject(Aggregate, created_event_name="Registered"):
    """A community (社区) or a community service team (社区服务队) under assessment."""

    subject_kind: str
    subject_id: str
    name: str
    community_id: str
    source: str

    create_id = IDS.keyed_by("subject", "subject_kind", "subject_id")
