"""Archives (档案) of villages and residents: dated entries, each with a retention class.

Retention classes follow 村级档案管理办法 (2018): permanent / 30 years / 10 years. An entry is
never edited: a correction is a new entry naming the one it corrects (RULES §7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, checks, violation

from registry.domain.common import IDS

SUBJECTS = {"village": "村庄档案", "resident": "居民档案"}
RETENTION = {"permanent": "永久", "30y": "30年", "10y": "10年"}


@dataclass
class Archive(Aggregate, created_event_name="Opened"):
    """The archive of one village or one resident."""

    id: UUID  # decided by the application (natural or from the idempotency key)
    subject_kind: str
    subject_id: str
    community_id: str | None
    actor: ActorDict
    entries: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)

    create_id = IDS.keyed_by("archive", "subject_kind", "subject_id")

    @event("EntryRecorded")
    def _entry_recorded(
        self,
        entry_id: str,
        entry_date: str,
        title: str,
        content: str,
        retention: str,
        corrects: str | None,
        actor: ActorDict,
    ) -> None:
        self.entries[entry_id] = {
            "entry_date": entry_date,
            "title": title,
            "content": content,
            "retention": retention,
            "corrects": corrects,
        }

    @checks(_entry_recorded)
    def record_entry(self, entry_id: str, corrects: str | None) -> None:
        """File a dated entry; ``corrects`` names an earlier entry this one supersedes."""
        if entry_id in self.entries:
            raise violation(
                "entry_exists", "该档案条目已存在", "the entry already exists", "entry_id"
            )
        if corrects is not None and corrects not in self.entries:
            raise violation(
                "unknown_entry",
                "被更正的档案条目不存在",
                "the entry to correct does not exist",
                "corrects",
            )
