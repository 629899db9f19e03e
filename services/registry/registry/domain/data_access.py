"""Reads of unmasked personal data by staff, themselves recorded (个人信息保护法; RULES §6)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate
from shequ.domainkit import ActorDict, violation


@dataclass
class PersonalDataAccess(Aggregate, created_event_name="PersonalDataRead"):
    """One read of one person's unmasked data: who (actor), when, whose, which fields, why."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    subject_id: str
    fields: list[str]
    reason: str
    read_at: str
    actor: ActorDict

    @classmethod
    def record(
        cls,
        read_id: UUID,
        subject_id: str,
        fields: list[str],
        reason: str,
        read_at: str,
        actor: ActorDict,
    ) -> PersonalDataAccess:
        """Record a read; a reason is required."""
        if not reason.strip():
            raise violation(
                "read_without_reason",
                "查看个人信息须说明理由",
                "a reason is required to read personal data",
                "reason",
            )
        # The id comes from the idempotency key, not from constructor arguments.
        return cls(read_id, subject_id, list(fields), reason, read_at, actor)
