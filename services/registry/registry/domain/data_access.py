"""Reads of unmasked personal data by staff, themselves recorded (个人信息保护法; RULES §6)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from registry.domain.common import ActorDict, violation


class PersonalDataAccess(Aggregate):
    """One read of one person's unmasked data: who (actor), when, whose, which fields, why."""

    id: UUID  # decided by the application (natural or from the idempotency key)

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
        # The id comes from the idempotency key, not from constructor arguments; the @event
        # __init__ accepts ``id`` at runtime but mypy cannot see it.
        return cls(
            id=read_id,
            subject_id=subject_id,  # type: ignore[call-arg]
            fields=list(fields),
            reason=reason,
            read_at=read_at,
            actor=actor,
        )

    @event("PersonalDataRead")
    def __init__(
        self, subject_id: str, fields: list[str], reason: str, read_at: str, actor: ActorDict
    ) -> None:
        self.subject_id = subject_id
        self.fields = fields
        self.reason = reason
        self.read_at = read_at
